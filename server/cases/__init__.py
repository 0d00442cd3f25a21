"""Cases: households, members, the workflow with its working-day clocks, registers.

Other rooms use ``operations.check_acceptance`` (before creating a case),
``workflows.workflow_for`` and the case columns filled by the workflow.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY, Role
from ..home import nav, panels
from . import demo  # noqa: F401  (registers the demo step)


def _deadlines(user):
    from .queries import deadlines_panel
    from .workflows import STATE_LABELS

    return {"panel": deadlines_panel(user), "states": STATE_LABELS}


def _county(user):
    from .. import charts
    from ..calendar.workdays import warnings_for
    from ..periods import local_today
    from .queries import overdue_by_township, soon_limit

    today = local_today()
    county_id = user.region.county.id
    townships = overdue_by_township(user, today)
    chart = charts.bar_chart(_("Overdue cases per township"), [r["township"].name for r in townships],
                             [r["overdue"] for r in townships], unit=_("cases"), digits=0)
    return {"townships": townships, "chart": chart,
            "warnings": warnings_for(today, soon_limit(today, county_id), county_id)}


def _county_queue(user):
    """Cases waiting for the county's decision: above the township cap or not delegated."""
    from ..db import db
    from ..regions.queries import scoped
    from .models import Case

    cases = db.session.scalars(scoped(Case, user).where(Case.state == "county_review")
                               .order_by(Case.id).limit(50)).all()
    return {"cases": cases}


nav.register(_l("Cases"), "cases.index", "cases.view", order=20)
nav.register(_l("Re-checks due"), "cases.rechecks", "cases.process", order=25)
nav.register(_l("Registers"), "cases.relatives", "registers.manage", order=70)
panels.register("case_deadlines", "cases/panel_deadlines.html",
                {Role.township_clerk, Role.township_approver, Role.village_assistant},
                _deadlines, order=20)
panels.register("case_county_overdue", "cases/panel_county.html", COUNTY, _county, order=20)
panels.register("case_county_queue", "cases/panel_county_queue.html", COUNTY, _county_queue,
                order=15)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
