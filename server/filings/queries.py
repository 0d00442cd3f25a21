"""Reads for filings, through the region scope."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db import db
from ..regions.models import Region, RegionLevel
from ..regions.queries import scoped
from .models import LOCKED, Filing, Reminder


def townships(user=None) -> list[Region]:
    return list(db.session.scalars(scoped(Region, user).where(
        Region.level == RegionLevel.township).order_by(Region.code)))


def filings_of_month(month: date, user=None) -> dict[int, Filing]:
    """township id -> filing, for the townships the user sees."""
    rows = db.session.scalars(scoped(Filing, user).where(Filing.month == month))
    return {row.region_id: row for row in rows}


def is_month_locked(region: Region, month: date) -> bool:
    """True when the month of the region's township is filed (submitted or accepted).

    For other rooms: a change to a paid case in a locked month needs an audited reopen first.
    """
    township = region.township
    if township is None:
        return False
    return db.session.scalar(select(Filing.id).where(
        Filing.region_id == township.id, Filing.month == month,
        Filing.status.in_(LOCKED))) is not None


def open_reminders(user=None, limit: int = 20) -> list[Reminder]:
    return list(db.session.scalars(scoped(Reminder, user).where(Reminder.is_resolved.is_(False))
                                   .order_by(Reminder.due_on.desc(), Reminder.id).limit(limit)))


def waiting_for_review(user=None, limit: int = 20) -> list[Filing]:
    from .models import FilingStatus

    return list(db.session.scalars(scoped(Filing, user).where(Filing.status == FilingStatus.submitted)
                                   .order_by(Filing.month, Filing.id).limit(limit)))


def filed_figures(first: date, last: date, user=None) -> list[tuple]:
    """(township id, month, recipients, amount in fen, submitted at) of the filed (submitted or
    accepted) filings from month ``first`` to ``last``, for the home page and consolidation charts."""
    return list(db.session.execute(
        scoped(Filing, user).with_only_columns(
            Filing.region_id, Filing.month, Filing.roster_count, Filing.roster_total_fen,
            Filing.submitted_at)
        .where(Filing.month >= first, Filing.month <= last, Filing.status.in_(LOCKED))
        .order_by(Filing.month)))
