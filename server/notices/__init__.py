"""The public side (公开): notices posted on the village board carry a QR code and a short
address to a public page showing what the paper shows; anyone may object or report from
there and follow a receipt; the village board's policy notice and the photo of each posted
notice. The highest room with supervision: it fills hooks of documents, cases and archives."""
from flask_babel import lazy_gettext as _l

from ..archives import sources
from ..auth.roles import Role
from ..cases import sections
from ..documents import registry
from ..home import nav, panels
from .operations import NoticeIssuer


def _case_section(case, user):
    """The case page's box of objections and reports from the public about this case."""
    if not user.can("notices.answer"):
        return None
    from .models import KIND_LABELS, STATUS_LABELS
    from .queries import objections_of_case

    rows = objections_of_case(case)
    return {"public_submissions": rows, "statuses": STATUS_LABELS,
            "kinds": KIND_LABELS} if rows else None


def _photos(case):
    from .queries import photo_refs

    return photo_refs(case)


def _panel(user):
    """Home: objections from the public waiting in the user's region (township), reports
    waiting for the county."""
    from .queries import open_objections, open_report_count

    county = user.can("notices.reports")
    return {"objections": [] if county else open_objections(user),
            "reports": open_report_count(user) if county else None}


registry.PUBLIC_ISSUERS.append(NoticeIssuer())
panels.register("notices", "notices/panel.html",
                {Role.township_clerk, Role.township_approver, Role.county_supervisor,
                 Role.county_admin}, _panel, order=45)
sources.SCAN_SOURCES.append(_photos)
sections.register("notices", "notices/_case_section.html", _case_section, order=60)
nav.register(_l("Village board"), "notices.board", "notices.board", order=42)
nav.register(_l("Public reports"), "notices.reports", "notices.reports", order=77)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
