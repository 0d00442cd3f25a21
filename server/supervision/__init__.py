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
sections.register("supervision", "supervision/_case_section.html", _case_section, order=70)

# check findings, rectification (整改) and complaints (举报)
nav.register(_l("Rectifications"), "supervision.rectifications", "supervision.rectifications",
             order=77)
nav.register(_l("Complaints"), "supervision.complaints", "supervision.complaints", order=78)
panels.register("supervision_rectifications", "supervision/panel_rectifications.html",
                TOWNSHIP | {Role.county_supervisor}, _rectification_panel, order=57)
panels.register("supervision_complaints", "supervision/panel_complaints.html", COUNTY,
                _complaint_panel, order=58)

from . import queries  # noqa: E402,F401  (registers this room's evaluation figures)
