"""The one window (一门受理、协同办理): the township window registers any request (Jiuzhu case
or another department's matter), refers it within 2 working days, passes the department's
result to the applicant within 2 days of completion and records satisfaction.

Above supervision: it registers the evaluation figure "satisfaction" there.
"""
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY, TOWNSHIP
from ..home import nav, panels
from ..supervision.registry import metric
from . import demo  # noqa: F401  (registers the demo step)


def _clocks_panel(user) -> dict:
    from .queries import open_clocks

    clocks = open_clocks(user)
    return {"clocks": clocks[:20], "overdue": sum(1 for c in clocks if c["is_overdue"]),
            "total": len(clocks)}


@metric("satisfaction", _l("Satisfaction at the window"), better="higher", unit="percent",
        order=80)
def satisfaction(township_ids, start, end) -> dict:
    from .queries import satisfaction_share

    return satisfaction_share(township_ids, start, end)


nav.register(_l("Window"), "window.index", "window.view", order=35)
panels.register("window_clocks", "window/panel_clocks.html", COUNTY | TOWNSHIP, _clocks_panel,
                order=30)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
