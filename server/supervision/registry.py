"""What the county supervises, as registries: which case transitions are township decisions
filed in the 备案 register, and which sources make a case a 100% home visit in a draw.

A new decision kind or must-visit source (complaints, later) is one entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

# workflow action -> decision kind shown and filtered in the register
DECISION_ACTIONS = {
    "approve": "approve",
    "refuse": "refuse",
    "stop": "stop",
    "dishonesty_stop": "stop",
    "terminate": "terminate",
    "increase": "amount_change",
    "decrease": "amount_change",
}
DECISION_LABELS = {
    "approve": _l("Approved"),
    "refuse": _l("Refused"),
    "stop": _l("Stopped"),
    "terminate": _l("Terminated"),
    "amount_change": _l("Amount changed"),
}
# decisions whose clock is the case's total time limit (审核确认办结时限)
TOTAL_CLOCK_ACTIONS = frozenset({"approve", "refuse"})


def actions_of(kind: str) -> list[str]:
    return [action for action, k in DECISION_ACTIONS.items() if k == kind]


# must-visit source name -> (label, condition on the Case table, or None while not built)
MUST_VISIT: dict[str, tuple[object, Callable | None]] = {}


def must_visit(name: str, label, condition: Callable | None) -> None:
    """Register a source of 100% home visits: ``condition()`` gives a SQL condition on Case."""
    MUST_VISIT[name] = (label, condition)


def _relatives():
    from ..cases.models import Case

    return Case.is_relative_case.is_(True)


def _major_doubt():
    from sqlalchemy import String, cast

    from ..cases.models import Case

    # flags is a JSON list; its text form holds the quoted flag name on SQLite and PostgreSQL
    return cast(Case.flags, String).like('%"doubt"%')


must_visit("relative", _l("Relative of staff (近亲属备案)"), _relatives)
must_visit("doubt", _l("Flagged as major doubt"), _major_doubt)


def _complained():
    """Cases with a complaint received after their last current draw: visited in full in the
    next draw of their township, and not again for the same complaint."""
    from sqlalchemy import and_, exists, select

    from ..cases.models import Case
    from .models import Complaint, SpotCheck, SpotCheckDraw

    visited = exists(select(SpotCheck.id).join(SpotCheckDraw).where(
        SpotCheck.case_id == Case.id, SpotCheckDraw.is_current.is_(True),
        SpotCheckDraw.created_at >= Complaint.created_at))
    return exists(select(Complaint.id).where(and_(Complaint.case_id == Case.id, ~visited)))


must_visit("complaint", _l("Complaint about the case"), _complained)


# --- township evaluation (联评) ---------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One figure of the township evaluation.

    ``compute(township_ids, start, end)`` returns ``{township_id: value or None}`` for the
    period ``start <= day <= end`` (None: nothing to measure, e.g. no checks that period).
    ``better`` is "higher" or "lower" and decides the ranking direction; ``unit`` is one of
    "percent" (0–100), "days", "count" or "score".
    """

    key: str
    label: object
    better: str
    unit: str
    compute: Callable
    order: int = 100


METRICS: dict[str, Metric] = {}


def metric(key: str, label, *, better: str, unit: str, order: int = 100):
    """Decorator registering an evaluation figure; the room owning the data registers it."""
    if better not in ("higher", "lower"):
        raise ValueError(f"metric {key}: better must be 'higher' or 'lower'")

    def register(compute: Callable) -> Callable:
        METRICS[key] = Metric(key, label, better, unit, compute, order)
        return compute

    return register


# --- 复核 outcomes (point 4) ----------------------------------------------------------------

# what opened a review -> label
REVIEW_SOURCES = {
    "objection": _l("Objection"),
    "complaint": _l("Complaint"),
    "finding": _l("Spot-check finding"),
    "register": _l("Decision register"),
    "other": _l("Other"),
}
# outcome -> (label, the cases workflow action it takes, or None when nothing changes)
REVIEW_OUTCOMES = {
    "uphold": (_l("Uphold"), None),
    "correct_amount": (_l("Correct the amount from next month"), "county_correct"),
    "revoke": (_l("Revoke"), "county_revoke"),
    "reinvestigate": (_l("Order re-investigation"), "county_reinvestigate"),
}


@metric("review_corrections", _l("Review corrections"), better="lower", unit="count", order=70)
def _review_corrections(township_ids, start, end):
    """Reviews decided in the period whose decision is not uphold (corrected, revoked or sent
    back for investigation)."""
    from .queries import corrections

    return corrections(township_ids, start, end)


# --- check findings, rectification (整改) and complaints (举报) -----------------------

# finding key -> label; a check with none of them found the case correct
FINDINGS = {
    "income_understated": _l("Income understated"),
    "not_eligible": _l("Not eligible"),
    "wrong_amount": _l("Wrong amount"),
    "missing_material": _l("Missing material"),
    "procedure_error": _l("Procedure error"),
    "other": _l("Other problem"),
}
CORRECT_LABEL = _l("Correct")
RECTIFICATION_STATES = {
    "open": _l("Waiting for the township"),
    "answered": _l("Answered, waiting for the county"),
    "returned": _l("Returned to the township"),
    "closed": _l("Closed"),
}
RECTIFICATION_STEPS = {
    "answer": _l("Township answer"),
    "close": _l("Closed by the county"),
    "return": _l("Returned by the county"),
}
CHANNELS = {
    "hotline_12345": _l("Hotline 12345"),
    "hotline_12349": _l("Hotline 12349"),
    "letter": _l("Letter"),
    "visit": _l("Visit in person"),
    "online": _l("Online"),
}
CONCERNS = {
    "case": _l("A household or case"),
    "staff": _l("Township staff"),
    "township": _l("A township"),
}
OUTCOMES = {
    "substantiated": _l("Substantiated"),
    "unsubstantiated": _l("Not substantiated"),
}
# public status of a complaint -> label (what a complainant is told)
COMPLAINT_STATUS = {
    "received": _l("Received"),
    "checking": _l("Being checked"),
    "answered": _l("Answered"),
}
