"""Dates and months: today in the office's time zone, month arithmetic, dates and ages.

Ground floor: imports nothing from the rooms. Datetimes are stored naive in UTC; a business
date is the date in ``JIUZHU_TIMEZONE`` (default Asia/Shanghai), so ``local_today`` and
``as_date`` of a stored datetime never give the UTC date after 16:00 UTC. A month is the date
of its first day. Ages are whole years (周岁); someone born on 29 February turns a year older
on 1 March in common years.
"""
from __future__ import annotations

import calendar
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .db import utcnow
from .i18n import is_english

DEFAULT_ZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    """The offices' time zone: the app's setting, else ``JIUZHU_TIMEZONE``, else Shanghai."""
    name = None
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            name = current_app.config.get("BABEL_DEFAULT_TIMEZONE")
    except ImportError:  # pragma: no cover - Flask is always installed with the server
        pass
    return ZoneInfo(name or os.environ.get("JIUZHU_TIMEZONE") or DEFAULT_ZONE)


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) or aware datetime as naive local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone()).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """A naive local datetime as stored (naive UTC)."""
    return local.replace(tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def local_today(now: datetime | None = None) -> date:
    """Today's date in the offices' zone, from a naive UTC ``now`` (default: the current time)."""
    return to_local(now or utcnow()).date()


def local_noon_utc(day: date) -> datetime:
    """The stored instant of a business date given without a time: noon local time."""
    return to_utc(datetime.combine(day, time(12)))


def as_date(value) -> date | None:
    """A date from a date, a stored datetime (its local date) or ISO text; None otherwise."""
    if isinstance(value, datetime):
        return to_local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def month_of(value: date | datetime) -> date:
    """The month (its first day) of a date or a stored datetime."""
    day = as_date(value)
    return date(day.year, day.month, 1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), at the month's end when it is shorter:
    31 January + 1 month = 28 (or 29) February; a month's first day stays a first day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_label(month: date) -> str:
    """``2026年11月``; ``2026-11`` on an English page."""
    return f"{month:%Y-%m}" if is_english() else f"{month.year}年{month.month}月"


def first_of_next_month(day: date) -> date:
    return add_months(day.replace(day=1), 1)


def age_on(born: date | None, on: date) -> int | None:
    """Whole years (周岁) on ``on`` of someone born on ``born``; None without a birth date."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# -- evaluation periods: a month, a quarter or a year --------------------------------------

PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """A month, quarter or year from its first day; text ``2026-03``, ``2026-Q1`` or ``2026``
    (``key``, what ``params.to_period`` parses), ``label`` in Chinese."""

    kind: str
    start: date

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        return add_months(self.start, self.months) - timedelta(days=1)

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        """As people write it (also printed, so a Chinese/English pair rather than a msgid)."""
        if is_english():
            return self.key
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return month_label(self.start)

    def month_starts(self) -> list[date]:
        return [add_months(self.start, n) for n in range(self.months)]

    def shifted(self, steps: int) -> Period:
        return Period(self.kind, add_months(self.start, steps * self.months))


def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year that holds ``day``."""
    if kind == "year":
        return Period(kind, date(day.year, 1, 1))
    if kind == "quarter":
        return Period(kind, date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
    return Period("month", date(day.year, day.month, 1))
