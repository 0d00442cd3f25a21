"""One date/month module: today in the office's zone, month arithmetic, dates, ages, the masker."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from server import idnumber, periods
from server.documents import formatting
from server.documents.context import member_context
from server.filings.periods import utc_bounds
from server.schemas.expr import make_age

SERVER = Path(__file__).resolve().parent.parent / "server"


@pytest.mark.parametrize("now,today", [
    (datetime(2026, 3, 31, 15, 59), date(2026, 3, 31)),  # 23:59 in Shanghai
    (datetime(2026, 3, 31, 16, 0), date(2026, 4, 1)),  # midnight in Shanghai
    (datetime(2026, 12, 31, 16, 30), date(2027, 1, 1)),
])
def test_local_today_crosses_midnight_in_the_office_zone(now, today):
    assert periods.local_today(now) == today


def test_the_zone_follows_the_setting(app, monkeypatch):
    with app.app_context():
        app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
        assert periods.local_today(datetime(2026, 3, 31, 16)) == date(2026, 3, 31)
    monkeypatch.setenv("JIUZHU_TIMEZONE", "Asia/Urumqi")
    assert periods.local_today(datetime(2026, 3, 31, 16)) == date(2026, 3, 31)


@pytest.mark.parametrize("day,months,expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 1, 1), -1, date(2025, 12, 1)),
    (date(2026, 11, 1), 14, date(2028, 1, 1)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
])
def test_add_months_keeps_the_day_or_the_month_end(day, months, expected):
    assert periods.add_months(day, months) == expected


def test_a_local_month_in_utc():
    assert utc_bounds(date(2026, 3, 1)) == (datetime(2026, 2, 28, 16), datetime(2026, 3, 31, 16))


def test_stored_datetimes_give_the_local_date_everywhere():
    evening = datetime(2026, 11, 24, 17, 0)  # UTC: already 25 November in the office
    assert periods.as_date(evening) == date(2026, 11, 25)
    assert formatting.cn_date(evening) == "2026年11月25日"
    assert periods.month_of(datetime(2026, 11, 30, 16, 0)) == date(2026, 12, 1)
    assert periods.as_date("2026-02-30") is None and periods.as_date(None) is None
    assert periods.as_date(" 2026-03-01T08:00 ") == date(2026, 3, 1)


LEAP = date(2000, 2, 29)
LEAP_ID = idnumber.make("220102", LEAP, 123)


@pytest.mark.parametrize("on,years", [
    (date(2001, 2, 28), 0), (date(2001, 3, 1), 1), (date(2004, 2, 28), 3), (date(2004, 2, 29), 4),
    (date(2018, 2, 28), 17), (date(2018, 3, 1), 18),
])
def test_one_age_formula_for_29_february(on, years):
    assert periods.age_on(LEAP, on) == years
    assert make_age(on)(LEAP_ID) == Decimal(years)  # form expressions: age(id_number)
    assert make_age(on)(LEAP.isoformat()) == Decimal(years)
    member = SimpleNamespace(name="王小", relationship_="子女", is_applicant=False, sex="M",
                             birth_date=LEAP, id_number=LEAP_ID, details={})
    assert member_context(member, 1, on)["age"] == years  # documents: the member table


def test_one_masker():
    assert idnumber.mask("220102199001011234") == "220102********1234"
    assert idnumber.mask(" 22010219900101123x ") == "220102********123X"
    assert idnumber.mask("12345") == "*****"
    assert not hasattr(formatting, "mask_id")


def test_no_room_keeps_its_own_copy():
    """One as_date, local_today, add_months, age formula and masker; no fixed UTC offset and
    no date.today() (the server's zone is not the offices': the zone is a setting)."""
    patterns = [r"def _?as_date\(", r"def local_today\(", r"def add_months\(", r"def _?age(_on)?\(",
                r"timedelta\(hours=8\)", r"date\.today\(\)", r"def mask(_id)?\("]
    found = {p: sorted(str(f.relative_to(SERVER)) for f in SERVER.rglob("*.py")
                       if re.search(p, f.read_text(encoding="utf-8"))) for p in patterns}
    home = {"def mask(_id)?\\(": ["idnumber.py"], "timedelta\\(hours=8\\)": [],
            "date\\.today\\(\\)": []}  # the server's own zone is not the offices'
    assert found == {p: home.get(p, ["periods.py"]) for p in patterns}


def test_evaluation_periods_parse_and_bound():
    from server.params import BadParameter, to_period

    year, quarter, month = (to_period("period", t) for t in ("2026", "2026-q4", "2026-02"))
    assert (year.kind, year.start, year.end, year.key, year.label) == (
        "year", date(2026, 1, 1), date(2026, 12, 31), "2026", "2026年")
    assert (quarter.start, quarter.end, quarter.key, quarter.label) == (
        date(2026, 10, 1), date(2026, 12, 31), "2026-Q4", "2026年第4季度")
    assert (month.end, month.key, len(month.month_starts())) == (date(2026, 2, 28), "2026-02", 1)
    assert quarter.shifted(1) == to_period("p", "2027-Q1") and year.shifted(-1).key == "2025"
    assert periods.period_of("quarter", date(2026, 8, 31)).key == "2026-Q3"
    assert to_period("p", "2028-02").end == date(2028, 2, 29)
    for bad in ("", "26", "2026-Q0", "2026-Q5", "2026-13", "9999", "2026-Q1x", "２０２６"):
        with pytest.raises(BadParameter):
            to_period("period", bad)
