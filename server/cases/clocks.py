"""Working-day clocks of a case, counted with the calendar room's functions.

Deadlines are rows (``CaseDeadline``) opened and met by transitions (``workflows.DeadlineRule``).
Their due dates are recounted after every transition because the pauses (publicity, waiting
for the applicant's materials) are read from the event log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar.workdays import add_working_days, warnings_for, working_days_between
from ..periods import add_months, local_today
from .workflows import DEADLINE_LABELS, PAUSE_STATES, county_id_of

DUE_SOON_WORKING_DAYS = 3


def pauses(case) -> list[tuple[date, date | None]]:
    """(first, last) day ranges the case spent in a pausing state; last None = still there."""
    out, started = [], None
    for event in case.events:
        if started is not None and event.to_state not in PAUSE_STATES:
            out.append((started, event.effective_on - timedelta(days=1)))
            started = None
        elif started is None and event.to_state in PAUSE_STATES:
            started = event.effective_on
    if started is not None:
        out.append((started, None))
    return out


def due_date(deadline, county_id, case_pauses) -> date:
    if deadline.unit == "months":
        return add_months(deadline.started_on, deadline.length)
    if deadline.unit == "days":
        return deadline.started_on + timedelta(days=deadline.length)
    try:
        return add_working_days(deadline.started_on, deadline.length, county_id, case_pauses)
    except ValueError:  # absurd pauses: keep the unpaused count rather than fail the request
        return add_working_days(deadline.started_on, deadline.length, county_id)


def recount(case) -> None:
    """Recount the deadlines and cache the nearest open (``due_on``) and the total ones.

    A met deadline counts only the pauses that began before it was met.
    """
    county_id, case_pauses = county_id_of(case), pauses(case)
    nearest, total = None, None
    for deadline in case.deadlines:
        relevant = [p for p in case_pauses if deadline.done_on is None or p[0] <= deadline.done_on]
        deadline.due_on = due_date(deadline, county_id, relevant)
        if deadline.done_on is None:
            nearest = deadline.due_on if nearest is None else min(nearest, deadline.due_on)
        if deadline.kind == "total":
            total = deadline.due_on
    case.due_on, case.total_due_on = nearest, total


@dataclass
class DeadlineView:
    kind: str
    label: str
    started_on: date
    due_on: date
    done_on: date | None
    length: int
    unit: str
    status: str  # done / late / overdue / soon / ok / paused
    remaining: int | None  # working days left (negative: overdue by)


def status_of(due_on: date, today: date, county_id, is_paused: bool = False) -> tuple[str, int]:
    remaining = working_days_between(today, due_on, county_id)
    if today > due_on:
        return "overdue", remaining
    if is_paused:
        return "paused", remaining
    return ("soon" if remaining <= DUE_SOON_WORKING_DAYS else "ok"), remaining


def views(case, today: date | None = None) -> list[DeadlineView]:
    """Every deadline of the case with its status as of ``today`` (local date)."""
    today = today or local_today()
    county_id = county_id_of(case)
    is_paused = case.state in PAUSE_STATES
    out = []
    for d in case.deadlines:
        if d.done_on is not None:
            status, remaining = ("late" if d.done_on > d.due_on else "done"), None
        else:
            status, remaining = status_of(d.due_on, today, county_id,
                                          is_paused and d.unit == "working_days")
        out.append(DeadlineView(d.kind, DEADLINE_LABELS.get(d.kind, d.kind), d.started_on,
                                d.due_on, d.done_on, d.length, d.unit, status, remaining))
    return out


def warnings(case) -> list[str]:
    """The calendar's fallback warnings (years without holiday data) for the case's clocks."""
    county_id = county_id_of(case)
    found: list[str] = []
    for d in case.deadlines:
        for text in warnings_for(d.started_on, d.due_on, county_id):
            if text not in found:
                found.append(text)
    return found
