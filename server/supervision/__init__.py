"""County supervision (联管联评): the 备案 register of township decisions and the monthly
spot-check draw. The highest room: it reads cases, documents and filings; none imports it."""
from flask_babel import lazy_gettext as _l

from ..cases import sections
from ..home import nav


def _case_section(case, user):
    """The case page's spot-check box: the draws the case is in, for county staff only."""
    if not user.can("supervision.view"):
        return None
    from .queries import checks_of_case

    checks = checks_of_case(case, user)
    return {"checks": checks} if checks else None


nav.register(_l("Decision register"), "supervision.register", "supervision.view", order=75)
nav.register(_l("Spot checks"), "supervision.draws", "supervision.view", order=76)
nav.register(_l("Township evaluation"), "supervision.evaluation", "supervision.view", order=79)
sections.register("supervision", "supervision/_case_section.html", _case_section, order=70)
# registers the room's evaluation figures and the audit trail's labels
from . import evaluation, labels  # noqa: E402,F401
