"""Writes to the county's holiday table: add, delete and import a year's list.

Every write records an audit event and drops the cached working-day tables of the county.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.operations import record
from ..db import db
from ..params import MAX_YEAR, MIN_YEAR, in_range
from ..regions.models import Region, RegionLevel
from . import workdays
from .models import Holiday, HolidayKind

KIND_WORDS = {
    "holiday": HolidayKind.holiday, "休": HolidayKind.holiday, "放假": HolidayKind.holiday,
    "假": HolidayKind.holiday, "节假日": HolidayKind.holiday,
    "makeup_workday": HolidayKind.makeup_workday, "班": HolidayKind.makeup_workday,
    "上班": HolidayKind.makeup_workday, "调休": HolidayKind.makeup_workday,
    "调休上班": HolidayKind.makeup_workday, "workday": HolidayKind.makeup_workday,
}
MAX_RANGE_DAYS = 31


class CalendarError(Exception):
    """Problems with a holiday entry or import, for the user; nothing was saved."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else errors
        super().__init__("\n".join(self.errors))


def _check_county(county: Region) -> None:
    if county.level != RegionLevel.county:
        raise CalendarError(_("Only a county keeps a holiday table"))


def check_entry(day: date, kind: HolidayKind) -> str | None:
    """Why an entry makes no sense, or None: a date within 1900–2100, and a make-up working
    day on a weekend."""
    if not in_range(day):
        return _("%(day)s is out of range: dates must be from %(first)s to %(last)s",
                 day=day.isoformat(), first=MIN_YEAR, last=MAX_YEAR)
    if kind == HolidayKind.makeup_workday and day.weekday() < 5:
        return _("%(day)s is a working day: a make-up working day must be a Saturday or Sunday",
                 day=day.isoformat())
    return None


def _put(county: Region, day: date, kind: HolidayKind, name: str, actor) -> bool:
    """Insert or replace the row of that date; True if a new row was made."""
    row = db.session.scalars(
        select(Holiday).where(Holiday.region_id == county.id, Holiday.day == day)
    ).first()
    if row is None:
        db.session.add(Holiday(region=county, day=day, kind=kind, name=name,
                               created_by_id=getattr(actor, "id", None)))
        return True
    row.kind, row.name = kind, name
    return False


def add_holiday(county: Region, day: date, kind, name: str = "", actor=None) -> None:
    """Enter one day (replacing what the county had entered for that date)."""
    _check_county(county)
    kind = HolidayKind(kind)
    problem = check_entry(day, kind)
    if problem:
        raise CalendarError(problem)
    name = (name or "").strip()[:50]
    created = _put(county, day, kind, name, actor)
    db.session.flush()
    workdays.invalidate(county.id)
    record("calendar.add" if created else "calendar.replace", county, actor=actor,
           details={"day": day.isoformat(), "kind": kind.value, "name": name})


def delete_holiday(holiday: Holiday, actor=None) -> None:
    details = {"day": holiday.day.isoformat(), "kind": holiday.kind.value, "name": holiday.name}
    county_id = holiday.region_id
    db.session.delete(holiday)
    db.session.flush()
    workdays.invalidate(county_id)
    record("calendar.delete", actor=actor, region_id=county_id, details=details)


def _parse_day(text: str) -> date:
    return date.fromisoformat(text.strip().replace("/", "-").replace(".", "-"))


def _days(text: str) -> list[date]:
    """One date or an inclusive range written ``2027-02-06..2027-02-13`` or with ``~``."""
    for separator in ("..", "~", "～", "至"):
        if separator in text:
            first, last = (_parse_day(part) for part in text.split(separator, 1))
            if last < first or (last - first).days > MAX_RANGE_DAYS:
                raise ValueError
            return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [_parse_day(text)]


def parse_lines(text: str) -> tuple[list[tuple[date, HolidayKind, str]], list[str]]:
    """Rows ``date,kind,name`` (date may be a range; kind holiday/makeup_workday or 休/班).

    Blank lines, ``#`` comments and a ``date,kind,name`` header are skipped. Returns the
    entries and every error with its line number.
    """
    entries, errors = [], []
    for lineno, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#") or cells[0].lower() == "date":
            continue
        if len(cells) < 2:
            errors.append(_("Line %(line)s: three items are needed, \"date,kind,name\"",
                            line=lineno))
            continue
        try:
            days = _days(cells[0])
        except ValueError:
            errors.append(_("Line %(line)s: write the date as 2027-01-01 or "
                            "2027-02-06..2027-02-13: %(value)s", line=lineno, value=repr(cells[0])))
            continue
        kind = KIND_WORDS.get(cells[1].lower())
        if kind is None:
            errors.append(_("Line %(line)s: the kind must be holiday or makeup_workday: "
                            "%(value)s", line=lineno, value=repr(cells[1])))
            continue
        name = (cells[2] if len(cells) > 2 else "")[:50]
        for day in days:
            problem = check_entry(day, kind)
            if problem:
                errors.append(_("Line %(line)s: %(problem)s", line=lineno, problem=problem))
            else:
                entries.append((day, kind, name))
    return entries, errors


def import_holidays(county: Region, text: str, actor=None) -> tuple[int, int]:
    """Import a list of days for the county; all or nothing. Returns (created, replaced)."""
    _check_county(county)
    entries, errors = parse_lines(text)
    if errors:
        raise CalendarError(errors)
    if not entries:
        raise CalendarError(_("There are no dates to import"))
    created = replaced = 0
    for day, kind, name in entries:
        if _put(county, day, kind, name, actor):
            created += 1
        else:
            replaced += 1
        db.session.flush()  # a date listed twice replaces its earlier line
    workdays.invalidate(county.id)
    years = sorted({day.year for day, _k, _n in entries})
    record("calendar.import", county, actor=actor,
           details={"created": created, "replaced": replaced, "years": years})
    return created, replaced
