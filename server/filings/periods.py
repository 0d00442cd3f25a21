"""Months: the unit of payment and filing. A month is the date of its first day."""
from __future__ import annotations

from datetime import date, datetime, timedelta

LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai has no daylight saving time


def month_of(value: date | datetime) -> date:
    return date(value.year, value.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date | None:
    """``2026-03`` → date(2026, 3, 1); None when malformed."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        return None


def utc_bounds(month: date) -> tuple[datetime, datetime]:
    """The UTC instants (naive, as stored) where the local month starts and ends."""
    start = datetime(month.year, month.month, 1) - LOCAL_OFFSET
    end = datetime.combine(add_months(month, 1), datetime.min.time()) - LOCAL_OFFSET
    return start, end


def local_today(now: datetime | None = None) -> date:
    """Today's date in China, from a naive UTC ``now`` (default: the current time)."""
    from ..db import utcnow

    return ((now or utcnow()) + LOCAL_OFFSET).date()


def label(month: date) -> str:
    return f"{month.year}年{month.month}月"
