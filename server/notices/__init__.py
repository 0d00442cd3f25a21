"""The public side (公开): notices posted on the village board carry a QR code and a short
address to a public page showing what the paper shows; anyone may object or report from
there and follow a receipt; the village board's policy notice and the photo of each posted
notice. The highest room with supervision: it fills hooks of documents, cases and archives."""
from flask_babel import lazy_gettext as _l

from ..archives import sources
from ..cases import sections
from ..documents import registry
from ..home import nav
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


registry.PUBLIC_ISSUERS.append(NoticeIssuer())
sources.SCAN_SOURCES.append(_photos)
sections.register("notices", "notices/_case_section.html", _case_section, order=60)
nav.register(_l("Village board"), "notices.board", "notices.board", order=42)
nav.register(_l("Public reports"), "notices.reports", "notices.reports", order=77)
