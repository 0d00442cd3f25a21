"""Working days (工作日) for deadlines: chinese-calendar plus the county's holiday table.

Public functions (``county_id`` is the id of the county Region whose table applies; None means
the official calendar only):

- ``is_working_day(day, county_id) -> bool``
- ``add_working_days(start, n, county_id, pauses=()) -> date``: the n-th working day after
  ``start`` (``start`` itself is not counted; n=0 gives ``start``). Days inside a pause do
  not count (publicity, waiting for the applicant's materials).
- ``working_days_between(start, end, county_id, pauses=()) -> int``: working days in
  (start, end], unpaused; negative when ``end`` is before ``start`` (overdue by so many).
- ``coverage(year, county_id) -> "county" | "official" | "fallback"``
- ``warnings_for(start, end, county_id) -> list[str]``: one Chinese sentence per year of the
  range that has no holiday data and is counted Monday–Friday; pages show them.
- ``invalidate(county_id=None)``: forget cached years (the calendar operations call it).

``pauses`` is an iterable of ``(first_day, last_day)`` pairs, both inclusive; a last day of
None means the pause is still running and ends today.

Precedence for one date: a county row, else chinese-calendar (years it knows), else
Monday–Friday. An unknown year never raises. Each (county, year) is built once per request
(in ``flask.g``) as a small dict of exceptions to Monday–Friday, so a home page computing many
deadlines costs one query per county and year.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flask import g, has_app_context
from sqlalchemy import select

from ..db import db
from ..periods import as_date, local_today
from .models import Holiday, HolidayKind

COUNTY, OFFICIAL, FALLBACK = "county", "official", "fallback"
MAX_DAYS = 3660  # a deadline further than ten years away is a bug, not a deadline
ONE_DAY = timedelta(days=1)

Pauses = Iterable[tuple[date, date | None]]


@dataclass(frozen=True)
class YearTable:
    """The working-day rule of one county and year: exceptions to Monday–Friday."""

    year: int
    coverage: str
    exceptions: dict  # date -> True (working) / False (day off)

    def is_working(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)


@lru_cache(maxsize=1)
def _official() -> dict[int, dict[date, bool]]:
    """chinese-calendar's data per year (holidays off, make-up days working), built once."""
    from chinese_calendar import constants

    years: dict[int, dict[date, bool]] = {}
    for day in constants.holidays:
        years.setdefault(day.year, {})[day] = False
    for day in constants.workdays:
        years.setdefault(day.year, {})[day] = True
    first, last = min(years), max(years)
    for year in range(first, last + 1):  # a known year without any holiday is still known
        years.setdefault(year, {})
    return years


def official_exceptions(year: int) -> dict[date, bool]:
    """chinese-calendar's days of the year that differ from a plain week (empty if unknown)."""
    return dict(_official().get(year) or {})


def _cache() -> dict:
    if not has_app_context():
        return {}
    cache = getattr(g, "_workday_years", None)
    if cache is None:
        cache = g._workday_years = {}
    return cache


def invalidate(county_id: int | None = None) -> None:
    """Drop cached years (of one county, or all) after the holiday table changed."""
    cache = _cache()
    for key in [k for k in cache if county_id is None or k[0] == county_id]:
        del cache[key]


def _county_rows(county_id: int | None, year: int) -> dict[date, bool]:
    if county_id is None or not has_app_context():
        return {}
    rows = db.session.execute(
        select(Holiday.day, Holiday.kind).where(
            Holiday.region_id == county_id,
            Holiday.day >= date(year, 1, 1),
            Holiday.day < date(year + 1, 1, 1),
        )
    )
    return {day: kind == HolidayKind.makeup_workday for day, kind in rows}


def year_table(county_id: int | None, year: int) -> YearTable:
    """The (cached) rule for one county and year."""
    cache = _cache()
    key = (county_id, year)
    table = cache.get(key)
    if table is None:
        official = _official().get(year)
        county = _county_rows(county_id, year)
        exceptions = {**(official or {}), **county}
        kind = COUNTY if county else OFFICIAL if official is not None else FALLBACK
        table = cache[key] = YearTable(year, kind, exceptions)
    return table


def is_working_day(day: date, county_id: int | None) -> bool:
    day = as_date(day)
    return year_table(county_id, day.year).is_working(day)


def coverage(year: int, county_id: int | None) -> str:
    """Where the year's holidays come from: "county", "official" or "fallback" (Mon–Fri)."""
    return year_table(county_id, year).coverage


def fallback_warning(year: int) -> str:
    """The warning for a year without holiday data, in the page's (else the office's) language."""
    from flask_babel import gettext as _

    return _("%(year)s holidays are not entered: counted Monday to Friday", year=year)


def warnings_for(start: date, end: date, county_id: int | None) -> list[str]:
    """Warnings for every year of [start, end] counted Monday–Friday for lack of data."""
    start, end = sorted((as_date(start), as_date(end)))
    return [fallback_warning(year) for year in range(start.year, end.year + 1)
            if coverage(year, county_id) == FALLBACK]


def _pause_test(pauses: Pauses):
    intervals = []
    for first, last in pauses or ():
        first = as_date(first)
        last = as_date(last) if last is not None else local_today()
        if last >= first:
            intervals.append((first, last))
    if not intervals:
        return lambda day: False
    if sum((last - first).days for first, last in intervals) < MAX_DAYS:
        days = {first + timedelta(days=i) for first, last in intervals
                for i in range((last - first).days + 1)}
        return days.__contains__
    return lambda day: any(first <= day <= last for first, last in intervals)


def _counter(county_id: int | None, pauses: Pauses):
    """A test "does this day count?" that looks each year's table up once."""
    paused, tables = _pause_test(pauses), {}

    def counts(day: date) -> bool:
        table = tables.get(day.year)
        if table is None:
            table = tables[day.year] = year_table(county_id, day.year)
        return table.is_working(day) and not paused(day)

    return counts


def add_working_days(start: date, n: int, county_id: int | None, pauses: Pauses = ()) -> date:
    """The n-th working day after ``start``, not counting paused days."""
    if n < 0:
        raise ValueError("n must not be negative")
    start = as_date(start)
    counts = _counter(county_id, pauses)
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        if (day - start).days > MAX_DAYS + n:
            raise ValueError("deadline more than ten years away: check the pauses")
        if counts(day):
            counted += 1
    return day


def working_days_between(start: date, end: date, county_id: int | None,
                         pauses: Pauses = ()) -> int:
    """Working days in (start, end], unpaused; negative if ``end`` is before ``start``."""
    start, end = as_date(start), as_date(end)
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    if (end - start).days > MAX_DAYS * 3:
        raise ValueError("range too long")
    counts = _counter(county_id, pauses)
    count, day = 0, start + ONE_DAY
    while day <= end:
        count += counts(day)
        day += ONE_DAY
    return sign * count
