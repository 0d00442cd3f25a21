"""Working days: chinese-calendar plus the county's holiday and make-up-day table.

Other rooms import from ``server.calendar.workdays``: ``is_working_day``,
``add_working_days``, ``working_days_between``, ``coverage``, ``warnings_for`` (see its
docstring). The county admin maintains the table on the calendar page.
"""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..home import nav, panels
from ..periods import local_today
from . import demo  # noqa: F401  (registers the demo step)


def _coverage_panel(user) -> dict:
    """Warn the county admin while this year or next is counted Monday–Friday."""
    from .workdays import FALLBACK, coverage, fallback_warning

    this_year, county_id = local_today().year, user.region.county.id
    missing = [y for y in (this_year, this_year + 1) if coverage(y, county_id) == FALLBACK]
    return {"warnings": [fallback_warning(y) for y in missing],
            "year": missing[0] if missing else this_year}


nav.register(_l("Calendar"), "calendar.index", "calendar.manage", order=60)
panels.register("calendar_coverage", "calendar/panel_coverage.html", {Role.county_admin},
                _coverage_panel, order=20)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
