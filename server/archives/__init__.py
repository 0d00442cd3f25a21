"""Archives: archive numbers and the dual-copy household bundles."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY, TOWNSHIP
from ..home import nav, panels


def _panel(user):
    from .queries import recent_jobs

    jobs = [j for j in recent_jobs(user, limit=5) if j.status.value in ("failed", "retrying", "running", "queued")]
    return {"jobs": jobs}


nav.register(_l("Archives"), "archives.index", "archives.manage", order=60)
nav.register(_l("Archive numbers"), "archives.settings", "archives.configure", order=61)
panels.register("archive_jobs", "archives/panel_jobs.html", COUNTY | TOWNSHIP, _panel, order=60)
