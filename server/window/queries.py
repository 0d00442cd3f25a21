"""Reads of the one window: the request list, the open clocks, the satisfaction figure."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db import db
from ..periods import local_today
from ..regions.queries import scoped
from .models import WindowDepartment, WindowRequest


def requests(user=None, limit: int = 200) -> list[WindowRequest]:
    return list(db.session.scalars(scoped(WindowRequest, user).order_by(
        WindowRequest.id.desc()).limit(limit)))


def departments(county_id: int, active_only: bool = False) -> list[WindowDepartment]:
    stmt = select(WindowDepartment).where(WindowDepartment.region_id == county_id)
    if active_only:
        stmt = stmt.where(WindowDepartment.is_active.is_(True))
    return list(db.session.scalars(stmt.order_by(WindowDepartment.name)))


def open_clocks(user=None, today: date | None = None) -> list[dict]:
    """Every running clock under the user's region, soonest first: the referral (转办, 2
    working days) and the feedback to the applicant (反馈, 2 days after completion)."""
    today = today or local_today()
    rows = []
    waiting = scoped(WindowRequest, user).where(WindowRequest.referred_on.is_(None))
    for request in db.session.scalars(waiting):
        rows.append({"request": request, "clock": "referral", "due_on": request.referral_due_on})
    feedback = scoped(WindowRequest, user).where(WindowRequest.completed_on.is_not(None),
                                                 WindowRequest.fed_back_on.is_(None))
    for request in db.session.scalars(feedback):
        rows.append({"request": request, "clock": "feedback", "due_on": request.feedback_due_on})
    for row in rows:
        row["is_overdue"] = row["due_on"] < today
    return sorted(rows, key=lambda r: (r["due_on"], r["request"].id))


def satisfaction_share(township_ids, start: date, end: date) -> dict:
    """Percent of the satisfaction answers recorded in the period that are "satisfied", per
    township (None where nobody answered)."""
    answers = db.session.execute(select(WindowRequest.region_id, WindowRequest.satisfaction).where(
        WindowRequest.region_id.in_(list(township_ids)),
        WindowRequest.satisfaction.is_not(None),
        WindowRequest.satisfaction_on >= start, WindowRequest.satisfaction_on <= end)).all()
    result = {}
    for township_id in township_ids:
        mine = [answer for region_id, answer in answers if region_id == township_id]
        result[township_id] = (round(100 * mine.count("satisfied") / len(mine), 1)
                               if mine else None)
    return result
