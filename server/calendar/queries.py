"""Reads for the calendar pages: a county's entered days and each year's coverage."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..db import db
from ..params import FIRST_DAY, LAST_DAY
from ..periods import local_today
from . import workdays
from .models import Holiday

COVERAGE_LABELS = {workdays.COUNTY: _l("Entered by the county"),
                   workdays.OFFICIAL: _l("State Council arrangement (chinese-calendar)"),
                   workdays.FALLBACK: _l("Not entered: Monday to Friday")}


@dataclass(frozen=True)
class YearCoverage:
    year: int
    coverage: str
    entries: int

    @property
    def label(self) -> str:
        return COVERAGE_LABELS[self.coverage]

    @property
    def warning(self) -> str | None:
        return workdays.fallback_warning(self.year) if self.coverage == workdays.FALLBACK else None


def holidays_of(county_id: int, year: int) -> list[Holiday]:
    stmt = select(Holiday).where(
        Holiday.region_id == county_id, Holiday.day >= date(year, 1, 1),
        Holiday.day < date(year + 1, 1, 1),
    ).order_by(Holiday.day)
    return list(db.session.scalars(stmt))


def entry_counts(county_id: int) -> dict[int, int]:
    """Entered days per year for the county."""
    year = func.extract("year", Holiday.day)
    rows = db.session.execute(
        select(year, func.count(Holiday.id)).where(Holiday.region_id == county_id).group_by(year)
    )
    return {int(y): n for y, n in rows}


def overview(county_id: int, around: int | None = None) -> list[YearCoverage]:
    """Coverage of last year to two years ahead, plus every year the county has entries for."""
    around = around or local_today().year
    counts = {y: n for y, n in entry_counts(county_id).items()
              if FIRST_DAY.year <= y <= LAST_DAY.year}
    years = sorted(set(range(around - 1, around + 3)) | set(counts))
    return [YearCoverage(y, workdays.coverage(y, county_id), counts.get(y, 0)) for y in years]


def out_of_range(county_id: int) -> list[Holiday]:
    """Rows dated outside 1900–2100 (saved before input was checked): listed so they can be
    deleted, never counted."""
    stmt = select(Holiday).where(Holiday.region_id == county_id,
                                 (Holiday.day < FIRST_DAY) | (Holiday.day > LAST_DAY))
    return list(db.session.scalars(stmt.order_by(Holiday.day)))


def official_days(year: int) -> list[tuple[date, bool, str]]:
    """chinese-calendar's exceptions to Monday–Friday for the year: (day, is_working, name);
    the statutory holiday's name in the page's language (chinese-calendar has both)."""
    from chinese_calendar import Holiday as Official
    from chinese_calendar import constants

    from ..i18n import is_english

    chinese = {h.value: h.value if is_english() else h.chinese for h in Official}
    out = []
    for day, is_working in sorted(workdays.official_exceptions(year).items()):
        if is_working == (day.weekday() < 5):
            continue  # a weekend inside a holiday changes nothing
        name = (constants.workdays if is_working else constants.holidays).get(day) or ""
        out.append((day, is_working, chinese.get(name, name)))
    return out
