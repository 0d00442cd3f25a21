"""Reads for county supervision, through the region scope.

The 备案 register is a query over the cases room's recorded transitions (``CaseEvent``): every
township decision is there once, in the month of its business date, with whether it met the
clock that applied to it. Nothing is copied, so a decision cannot be missing from it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..cases import clocks
from ..cases.models import Case, CaseEvent
from ..db import db
from ..documents.models import GeneratedDocument
from ..periods import add_months
from ..regions.models import Region, RegionLevel
from ..regions.queries import scoped
from ..relief import ReliefCode
from .models import SpotCheckDraw
from .registry import DECISION_ACTIONS, TOTAL_CLOCK_ACTIONS, actions_of, metric


@dataclass
class RegisterRow:
    event: CaseEvent
    case: Case
    township: Region
    kind: str
    due_on: date | None
    is_late: bool
    decision_form_id: int | None
    decided_by: str  # the approver's display name (the event keeps the username)


def townships(user=None) -> list[Region]:
    return list(db.session.scalars(scoped(Region, user).where(
        Region.level == RegionLevel.township).order_by(Region.code)))


def _clock(event: CaseEvent, case: Case, county_id) -> date | None:
    """The due date the decision answered: the total limit for approve/refuse, else a limit it
    met that day (e.g. the 3 months after a member's death); pauses after it do not count."""
    deadline = answered_deadline(event.action, event.effective_on, case.deadlines)
    if deadline is None:
        return None
    return clocks.due_date(deadline, county_id, pauses_before(case, event.effective_on))


def answered_deadline(action: str, on: date, deadlines):
    """The first of the case's deadlines (in id order) that a decision on ``on`` answered."""
    for deadline in deadlines:
        answered = (deadline.kind == "total" if action in TOTAL_CLOCK_ACTIONS
                    else deadline.done_on == on and deadline.kind != "total")
        if answered and deadline.started_on <= on:
            return deadline
    return None


def pauses_before(case, on: date) -> list[tuple[date, date]]:
    """The case's pauses that began before ``on``, cut at the day before it."""
    last = on - timedelta(days=1)
    return [(start, min(end or last, last)) for start, end in clocks.pauses(case) if start < on]


def register(month: date, user=None, *, township: Region | None = None, relief_type: str = "",
             kind: str = "") -> list[RegisterRow]:
    """The month's township decisions the user sees, filtered, oldest first."""
    actions = actions_of(kind) if kind else list(DECISION_ACTIONS)
    stmt = (scoped(select(CaseEvent).join(Case, CaseEvent.case_id == Case.id), user)
            .where(CaseEvent.action.in_(actions), CaseEvent.effective_on >= month,
                   CaseEvent.effective_on < add_months(month, 1))
            .options(selectinload(CaseEvent.case).selectinload(Case.deadlines),
                     selectinload(CaseEvent.case).selectinload(Case.events))
            .order_by(CaseEvent.effective_on, CaseEvent.id))
    if township is not None:
        scope = select(Region.id).where(Region.code.startswith(township.prefix, autoescape=True))
        stmt = stmt.where(Case.region_id.in_(scope))
    if relief_type:
        stmt = stmt.where(Case.relief_type == ReliefCode(relief_type))
    events = list(db.session.scalars(stmt))
    by_prefix = {t.prefix: t for t in townships(user)}
    forms = _decision_forms({e.case_id for e in events})
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({e.actor_id for e in events if e.actor_id}))).all()) if events else {}
    rows = []
    for event in events:
        case = event.case
        town = by_prefix.get(case.region.code[:9]) or case.region.township
        due = _clock(event, case, town.county.id)
        rows.append(RegisterRow(event, case, town, DECISION_ACTIONS[event.action], due,
                                due is not None and event.effective_on > due,
                                forms.get(case.id),
                                names.get(event.actor_id, event.actor_name)))
    return rows


def _decision_forms(case_ids: set[int]) -> dict[int, int]:
    """case id -> its newest 审核确认书 (decision_form) document id."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(GeneratedDocument.case_id, GeneratedDocument.id).where(
        GeneratedDocument.case_id.in_(case_ids), GeneratedDocument.kind == "decision_form")
        .order_by(GeneratedDocument.id))
    return {case_id: doc_id for case_id, doc_id in rows}


def register_summary(rows: list[RegisterRow], towns: list[Region]) -> list[dict]:
    """Per township: decided, on time and late (every township listed, even with none)."""
    counts = defaultdict(lambda: {"decided": 0, "on_time": 0, "late": 0})
    for row in rows:
        c = counts[row.township.id]
        c["decided"] += 1
        c["late" if row.is_late else "on_time"] += 1
    return [{"township": t, **counts[t.id]} for t in towns]


def current_draws(month: date, user=None) -> dict[int, SpotCheckDraw]:
    """township id -> its current draw of the month, for the townships the user sees."""
    rows = db.session.scalars(scoped(SpotCheckDraw, user).where(
        SpotCheckDraw.month == month, SpotCheckDraw.is_current.is_(True)))
    return {row.region_id: row for row in rows}


def draws_like(draw: SpotCheckDraw) -> list[SpotCheckDraw]:
    """Every draw of the same township and month, first to last (the redraw history)."""
    return list(db.session.scalars(select(SpotCheckDraw).where(
        SpotCheckDraw.region_id == draw.region_id, SpotCheckDraw.month == draw.month)
        .order_by(SpotCheckDraw.number)))


def checks_of_case(case: Case, user=None) -> list:
    """The case's spot checks in current draws the user sees, newest month first."""
    from .models import SpotCheck

    stmt = (scoped(select(SpotCheck).join(SpotCheckDraw), user)
            .where(SpotCheck.case_id == case.id, SpotCheckDraw.is_current.is_(True))
            .order_by(SpotCheckDraw.month.desc()))
    return list(db.session.scalars(stmt))


# --- 复核 reviews (point 4) --------------------------------------------------------------


def reviews(user=None, *, township: Region | None = None, open_only: bool = False) -> list:
    """Reviews the user sees (a township only its own), newest first."""
    from .models import Review

    stmt = scoped(Review, user).order_by(Review.id.desc())
    if township is not None:
        stmt = stmt.where(Review.region_id == township.id)
    if open_only:
        stmt = stmt.where(Review.outcome.is_(None))
    return list(db.session.scalars(stmt))


def reviews_of_case(case: Case, user=None) -> list:
    from .models import Review

    return list(db.session.scalars(scoped(Review, user).where(Review.case_id == case.id)
                                   .order_by(Review.id.desc())))


def recent_decisions(user=None, limit: int = 10) -> list:
    """The newest decided reviews the user sees (the township's home panel)."""
    from .models import Review

    return list(db.session.scalars(scoped(Review, user).where(Review.outcome.is_not(None))
                                   .order_by(Review.decided_on.desc(), Review.id.desc())
                                   .limit(limit)))


def corrections(township_ids, start: date, end: date) -> dict:
    """township id -> reviews decided in the period whose decision is not uphold; None for a
    township with no review decided (nothing to measure, not a perfect record)."""
    from sqlalchemy import func

    from .models import Review

    corrected = func.sum(case((Review.outcome != "uphold", 1), else_=0))
    rows = {t: (n, c) for t, n, c in db.session.execute(
        select(Review.region_id, func.count(Review.id), corrected).where(
            Review.region_id.in_(list(township_ids)), Review.outcome.is_not(None),
            Review.decided_on >= start, Review.decided_on <= end)
        .group_by(Review.region_id)).all()}
    return {t: int(rows[t][1]) if t in rows else None for t in township_ids}


# --- meetings, the reserve fund and the funding plan (point 8) ---------------------------


def meetings(user=None, limit: int = 50) -> list:
    from .models import Meeting

    return list(db.session.scalars(scoped(Meeting, user).order_by(
        Meeting.held_on.desc(), Meeting.id.desc()).limit(limit)))


def county_queue(user=None) -> list[Case]:
    """Cases waiting for the county's 一事一议 decision, as the user sees them."""
    return list(db.session.scalars(scoped(Case, user).where(Case.state == "county_review")
                                   .order_by(Case.id)))


def balances(user=None) -> dict[int, int]:
    """township id -> its reserve fund balance (fen): the sum of its ledger lines."""
    from sqlalchemy import func

    from .models import ReserveEntry

    rows = dict(db.session.execute(scoped(select(ReserveEntry.region_id, func.sum(
        ReserveEntry.amount_fen)), user).group_by(ReserveEntry.region_id)).all())
    return {t.id: int(rows.get(t.id) or 0) for t in townships(user)}


def ledger(township: Region, limit: int = 100) -> list:
    from .models import ReserveEntry

    return list(db.session.scalars(select(ReserveEntry).where(
        ReserveEntry.region_id == township.id).order_by(ReserveEntry.on.desc(),
                                                         ReserveEntry.id.desc()).limit(limit)))


DEFAULT_RESERVE_LOW_YUAN = "2000"


def low_threshold_fen() -> int:
    """Below this balance a township's reserve shows as low (``JIUZHU_RESERVE_LOW_YUAN``)."""
    from flask import current_app

    from ..money import MoneyError, yuan_to_fen

    try:  # a mistyped setting falls back to the default rather than breaking home pages
        fen = yuan_to_fen(str(current_app.config.get("RESERVE_LOW_YUAN", "2000")))
    except MoneyError:
        fen = None
    return fen if fen is not None else yuan_to_fen(DEFAULT_RESERVE_LOW_YUAN)


def low_reserves(user=None) -> list[dict]:
    """Townships the user sees whose reserve fund is below the threshold."""
    threshold = low_threshold_fen()
    by_id = {t.id: t for t in townships(user)}
    return [{"township": by_id[t], "balance_fen": fen, "threshold_fen": threshold}
            for t, fen in balances(user).items() if fen < threshold]


def _filed(stats: dict, code: str) -> tuple[int, int]:
    """(households or cases, amount fen) of one relief type in a filing's statistics: the
    monthly types' total row, or the one-off type's own section (keyed by its code)."""
    monthly = (stats.get("types") or {}).get(code)
    if monthly:
        return int(monthly["total"]["households"]), int(monthly["total"]["amount_fen"])
    own = (stats.get(code.lower()) or {}).get("total")
    if own:
        return int(own["cases"]), int(own["amount_fen"])
    return 0, 0


def funding_plan(county: Region, month: date) -> dict:
    """The 资金发放计划 for the finance bureau: per township (accepted filings only) and paid
    relief type, households and amount as filed, with the month's spot-check results (cases
    checked, visits recorded, visits that found a problem)."""
    from ..filings.models import Filing, FilingStatus
    from ..relief import RELIEF_TYPES

    towns = list(db.session.scalars(select(Region).where(
        Region.code.startswith(county.prefix, autoescape=True),
        Region.level == RegionLevel.township).order_by(Region.code)))
    filings = {f.region_id: f for f in db.session.scalars(select(Filing).where(
        Filing.region_id.in_([t.id for t in towns]), Filing.month == month))}
    draws = {d.region_id: d for d in db.session.scalars(select(SpotCheckDraw).where(
        SpotCheckDraw.month == month, SpotCheckDraw.is_current.is_(True)))}
    types = [(code, t.short_name) for code, t in RELIEF_TYPES.items() if t.is_paid]
    rows, totals = [], {code: [0, 0] for code, _ in types}
    for town in towns:
        filing = filings.get(town.id)
        accepted = filing is not None and filing.status == FilingStatus.accepted
        figures = {code: _filed(filing.stats, code) if accepted else (0, 0) for code, _ in types}
        for code, (count, fen) in figures.items():
            totals[code][0] += count
            totals[code][1] += fen
        draw = draws.get(town.id)
        findings = [c.finding for c in draw.checks if c.finding is not None] if draw else []
        rows.append({"township": town, "accepted": accepted, "figures": figures,
                     "total_fen": sum(fen for _, fen in figures.values()),
                     "checked": len(draw.checks) if draw else 0, "visited": len(findings),
                     "problems": sum(1 for f in findings if f.problems)})
    return {"county": county, "month": month, "types": types, "rows": rows,
            "totals": {code: tuple(v) for code, v in totals.items()},
            "total_fen": sum(v[1] for v in totals.values())}


def review_document(review):
    """The 复核决定书 made when the review was decided (newest), if any."""
    if review.outcome is None:
        return None
    return db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.case_id == review.case_id,
        GeneratedDocument.kind == "review_decision").order_by(
        GeneratedDocument.id.desc())).first()


# --- check findings, rectification (整改) and complaints (举报) ---------------------------


def is_overdue(row, today: date | None = None) -> bool:
    """A rectification not closed, or a complaint not answered, after its due date."""
    from ..periods import local_today

    today = today or local_today()
    done = row.state == "closed" if hasattr(row, "state") else row.answered_on is not None
    return not done and today > row.due_on


def rectifications(user=None, *, state: str = "", overdue_only: bool = False) -> list:
    """The rectifications the user sees (a township: its own), overdue first, then by due."""
    from ..periods import local_today
    from .models import Rectification

    stmt = scoped(Rectification, user).options(
        selectinload(Rectification.case), selectinload(Rectification.region))
    if state:
        stmt = stmt.where(Rectification.state == state)
    if overdue_only:
        stmt = stmt.where(Rectification.state != "closed", Rectification.due_on < local_today())
    rows = list(db.session.scalars(stmt.order_by(Rectification.due_on, Rectification.id)))
    return sorted(rows, key=lambda r: (not is_overdue(r), r.state == "closed"))


def complaints(user=None, *, answered: bool | None = None) -> list:
    """The complaints the user sees (county staff only), overdue ones first, then by due."""
    from .models import Complaint

    stmt = scoped(Complaint, user).options(selectinload(Complaint.township))
    if answered is not None:
        stmt = stmt.where(Complaint.answered_on.is_not(None) if answered
                          else Complaint.answered_on.is_(None))
    rows = list(db.session.scalars(stmt.order_by(Complaint.due_on, Complaint.id)))
    return sorted(rows, key=lambda c: (not is_overdue(c), c.answered_on is not None))


def mask_name(name: str) -> str:
    """A complainant's name in lists: the first character, the rest starred (张**)."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """A complainant's phone in lists: 138****5678 (short numbers fully starred)."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def complaint_status(complaint) -> str:
    """received / checking / answered (a key of ``registry.COMPLAINT_STATUS``)."""
    if complaint.answered_on is not None:
        return "answered"
    return "checking" if complaint.handler_id or complaint.findings else "received"


def public_status(reference: str) -> dict | None:
    """What a complainant may know by the reference number: the status, and the reply once
    answered. Never who was complained about, the findings or the handler."""
    from .models import Complaint

    row = db.session.scalars(select(Complaint).where(
        Complaint.reference == (reference or "").strip().upper())).first()
    return None if row is None else complaint_public_view(row)


def complaint_public_view(row) -> dict:
    """``public_status`` of a complaint row already loaded (a public receipt's complaint)."""
    from .registry import COMPLAINT_STATUS

    status = complaint_status(row)
    return {"reference": row.reference, "received_on": row.received_on, "status": status,
            "status_label": str(COMPLAINT_STATUS[status]),
            "reply": row.reply if status == "answered" else "",
            "answered_on": row.answered_on}


def pending_complaints_of_case(case: Case, user=None) -> list:
    """The case's complaints the user sees that still await its 100% home visit."""
    from .models import Complaint
    from .registry import MUST_VISIT

    condition = MUST_VISIT["complaint"][1]
    if not db.session.scalar(select(Case.id).where(Case.id == case.id, condition())):
        return []
    return list(db.session.scalars(scoped(Complaint, user).where(Complaint.case_id == case.id)
                                   .order_by(Complaint.id)))


def rectifications_of_case(case: Case, user=None) -> list:
    from .models import Rectification

    return list(db.session.scalars(scoped(Rectification, user).where(
        Rectification.case_id == case.id).order_by(Rectification.id)))


def evidence_or_none(evidence_id: int, user=None):
    """An evidence row if the user sees the check or the rectification it is attached to."""
    from .models import CheckFinding, Evidence, RectificationStep

    row = db.session.get(Evidence, evidence_id)
    if row is None:
        return None
    owner = (db.session.scalars(scoped(CheckFinding, user).where(
        CheckFinding.id == row.finding_id)).first() if row.finding_id is not None else
        db.session.scalars(scoped(RectificationStep, user).where(
            RectificationStep.id == row.step_id)).first())
    return row if owner is not None else None


def township_staff(user=None) -> list[User]:
    """The township and village staff of the user's region, for naming the one complained
    about (ordered by region code, then name)."""
    from ..auth.roles import TOWNSHIP, Role

    roles = TOWNSHIP | {Role.village_assistant}
    return list(db.session.scalars(scoped(select(User).join(Region, User.region_id == Region.id),
                                          user).where(User.role.in_(roles))
                                   .order_by(Region.code, User.display_name)))


def case_id_by_number(case_number: str, user=None) -> int | None:
    """The id of the case with this number the user sees (None: no such case for them)."""
    return db.session.scalar(scoped(Case, user).with_only_columns(Case.id).where(
        Case.case_number == (case_number or "").strip())) if case_number else None


# --- evaluation figures of this room (registered in registry.METRICS) --------------------


def _per_township(township_ids, rows) -> dict:
    """{township id: [numerator, denominator]} from (township id, hit) rows."""
    out = {t: [0, 0] for t in township_ids}
    for township_id, hit in rows:
        if township_id in out:
            out[township_id][0] += bool(hit)
            out[township_id][1] += 1
    return out


def _percent(counts: dict) -> dict:
    return {t: (round(100 * hit / total, 1) if total else None)
            for t, (hit, total) in counts.items()}


@metric("spot_check_problem_rate", _l("Spot checks with a problem"), better="lower",
        unit="percent", order=30)
def problem_rate(township_ids, start: date, end: date) -> dict:
    """Percent of the checks visited in the period (current draws) that found a problem."""
    from .models import CheckFinding, SpotCheck

    rows = db.session.execute(
        select(SpotCheckDraw.region_id, CheckFinding.problems)
        .join(SpotCheck, CheckFinding.check_id == SpotCheck.id)
        .join(SpotCheckDraw, SpotCheck.draw_id == SpotCheckDraw.id)
        .where(SpotCheckDraw.region_id.in_(township_ids), SpotCheckDraw.is_current.is_(True),
               CheckFinding.visited_on >= start, CheckFinding.visited_on <= end))
    return _percent(_per_township(township_ids, ((t, bool(p)) for t, p in rows)))


@metric("rectifications_on_time", _l("Rectifications closed on time"), better="higher",
        unit="percent", order=40)
def rectifications_on_time(township_ids, start: date, end: date) -> dict:
    """Percent of the rectifications due in the period that were closed by their due date
    (one still open and not yet due is not counted)."""
    from ..periods import local_today
    from .models import Rectification

    today = local_today()
    rows = db.session.execute(select(Rectification.region_id, Rectification.closed_on,
                                     Rectification.due_on).where(
        Rectification.region_id.in_(township_ids), Rectification.due_on >= start,
        Rectification.due_on <= end))
    return _percent(_per_township(township_ids, (
        (t, closed is not None and closed <= due) for t, closed, due in rows
        if closed is not None or due < today)))


@metric("substantiated_complaints", _l("Substantiated complaints"), better="lower",
        unit="count", order=50)
def substantiated_complaints(township_ids, start: date, end: date) -> dict:
    """Complaints answered in the period and found substantiated, per township concerned;
    None for a township with no complaint answered (nothing to measure, as with reviews)."""
    from sqlalchemy import func

    from .models import Complaint

    found = func.sum(case((Complaint.outcome == "substantiated", 1), else_=0))
    counts = {t: int(n) for t, n in db.session.execute(
        select(Complaint.township_id, found).where(
            Complaint.township_id.in_(township_ids), Complaint.answered_on.is_not(None),
            Complaint.answered_on >= start, Complaint.answered_on <= end)
        .group_by(Complaint.township_id)).all()}
    return {t: counts.get(t) for t in township_ids}
