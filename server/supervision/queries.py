"""Reads for county supervision, through the region scope.

The 备案 register is a query over the cases room's recorded transitions (``CaseEvent``): every
township decision is there once, in the month of its business date, with whether it met the
clock that applied to it. Nothing is copied, so a decision cannot be missing from it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
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
from .registry import DECISION_ACTIONS, TOTAL_CLOCK_ACTIONS, actions_of


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
