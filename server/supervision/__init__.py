"""County supervision (联管联评): the 备案 register of township decisions and the monthly
spot-check draw. The highest room: it reads cases, documents and filings; none imports it."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY, TOWNSHIP, Role
from ..cases import sections
from ..home import nav, panels


def _case_section(case, user):
    """The case page's spot-check box: the draws the case is in, for county staff only."""
    if not user.can("supervision.view"):
        return None
    from .queries import checks_of_case, pending_complaints_of_case

    checks = checks_of_case(case, user)
    complained = pending_complaints_of_case(case, user) if user.can("supervision.complaints") \
        else []
    if not (checks or complained):
        return None
    from .registry import CORRECT_LABEL, FINDINGS, RECTIFICATION_STATES

    return {"checks": checks, "complained": complained, "findings": FINDINGS,
            "correct": CORRECT_LABEL, "states": RECTIFICATION_STATES}


def _rectification_panel(user):
    """Overdue rectifications (county supervisor: all of the county; a township: its own,
    with those waiting for its answer)."""
    from .queries import is_overdue, rectifications

    rows = rectifications(user)
    overdue = [r for r in rows if is_overdue(r)]
    waiting = [r for r in rows if r.state in ("open", "returned") and not is_overdue(r)] \
        if user.can("supervision.answer") else []
    return {"overdue": overdue, "waiting": waiting}


def _complaint_panel(user):
    from .queries import complaints, is_overdue

    return {"overdue": [c for c in complaints(user, answered=False) if is_overdue(c)]}


nav.register(_l("Decision register"), "supervision.register", "supervision.view", order=75)
nav.register(_l("Spot checks"), "supervision.draws", "supervision.view", order=76)
nav.register(_l("Township evaluation"), "supervision.evaluation", "supervision.view", order=79)
sections.register("supervision", "supervision/_case_section.html", _case_section, order=70)


# --- 复核, meetings and the reserve fund (points 4 and 8) ---------------------------------

from ..cases.operations import AFTER_TRANSITION  # noqa: E402
from . import documents  # noqa: E402,F401  (registers the 复核决定书 and 资金发放计划 kinds)


def _review_section(case, user):
    """The case page's 复核 box: the case's reviews (a township sees its own), and for the
    county the button that opens one."""
    if not user.can("supervision.township"):
        return None
    from .queries import reviews_of_case

    rows = reviews_of_case(case, user)
    can_open = user.can("supervision.review")
    return {"reviews": rows, "can_open": can_open} if rows or can_open else None


def _review_panel(user):
    from .queries import low_reserves, recent_decisions, reviews

    return {"decided": recent_decisions(user), "open": reviews(user, open_only=True)[:10],
            "low": low_reserves(user)}


def _draw_on_reserve(case, event, step, actor):
    from .operations import draw_emergency_aid

    draw_emergency_aid(case, event, step, actor)


AFTER_TRANSITION.append(_draw_on_reserve)
sections.register("supervision_reviews", "supervision/_case_reviews.html", _review_section,
                  order=71)
panels.register("supervision_reviews", "supervision/panel_reviews.html", COUNTY | TOWNSHIP,
                _review_panel, order=40)
nav.register(_l("Reviews"), "supervision.reviews", "supervision.township", order=77)
nav.register(_l("Reserve fund"), "supervision.reserve", "supervision.township", order=78)
nav.register(_l("Joint decisions"), "supervision.meetings", "supervision.township", order=79)
nav.register(_l("Funding plan"), "supervision.funding_plan", "supervision.view", order=80)

# check findings, rectification (整改) and complaints (举报)
nav.register(_l("Rectifications"), "supervision.rectifications", "supervision.rectifications",
             order=81)
nav.register(_l("Complaints"), "supervision.complaints", "supervision.complaints", order=82)
panels.register("supervision_rectifications", "supervision/panel_rectifications.html",
                TOWNSHIP | {Role.county_supervisor}, _rectification_panel, order=57)
panels.register("supervision_complaints", "supervision/panel_complaints.html", COUNTY,
                _complaint_panel, order=58)

# registers the room's evaluation figures and the audit trail's labels
from . import evaluation, labels, queries  # noqa: E402,F401
