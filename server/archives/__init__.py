"""Archives: archive numbers and the dual-copy household bundles."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY, TOWNSHIP
from ..cases import sections
from ..documents import registry as documents
from ..home import nav, panels


def _panel(user):
    from .queries import recent_jobs

    jobs = [j for j in recent_jobs(user, limit=5) if j.status.value in ("failed", "retrying", "running", "queued")]
    return {"jobs": jobs}


def _case_section(case, user):
    """The case page's archive box: its archive number and a link to its archive page."""
    if not user.can("archives.manage"):
        return None
    return {"case": case}


def _retention(case):
    """The cover's 保管期限 from the county's rule (previews of a region-less sample: none)."""
    from .queries import case_retention

    return case_retention(case) if getattr(case, "region", None) is not None else None


documents.RETENTION_SOURCES.append(_retention)
nav.register(_l("Archives"), "archives.index", "archives.manage", order=60)
nav.register(_l("Archive numbers"), "archives.settings", "archives.configure", order=61)
panels.register("archive_jobs", "archives/panel_jobs.html", COUNTY | TOWNSHIP, _panel, order=60)
sections.register("archive", "archives/_case_section.html", _case_section, order=60)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
