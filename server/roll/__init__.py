"""Going live: import a county's current roll (在册名单) from a file, and export the roll and
the month's changes for the provincial system in a column layout the county may adjust."""
from flask_babel import lazy_gettext as _l

from ..cases import sections
from ..home import nav


def _case_section(case, user):
    """The case page's note that the case was taken over from the county's existing roll."""
    if not case.is_imported:
        return None
    from .queries import import_of_case

    return {"case": case, "job": import_of_case(case)}


nav.register(_l("Roll import and export"), "roll.index", "roll.export", order=72)
sections.register("roll", "roll/_case_section.html", _case_section, order=20)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
