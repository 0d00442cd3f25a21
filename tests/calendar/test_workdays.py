"""Working days: chinese-calendar data, county overrides, unknown years and pauses."""
from __future__ import annotations

from datetime import date

import pytest

from server.calendar import workdays
from server.calendar.operations import CalendarError, add_holiday, import_holidays, parse_lines
from server.calendar.workdays import (
    add_working_days,
    coverage,
    is_working_day,
    warnings_for,
    working_days_between,
)
from server.db import db
from server.periods import local_today

from ..conftest import region


@pytest.fixture
def county(app):
    from server.demo import COUNTY
    from server.regions.models import Region, RegionLevel

    row = Region(code=COUNTY[0], name=COUNTY[1], level=RegionLevel.county)
    db.session.add(row)
    db.session.flush()
    return row


def test_national_day_2026_from_chinese_calendar(county):
    for day in range(1, 8):
        assert not is_working_day(date(2026, 10, day), county.id)
    # chinese-calendar 2026: Sunday 20 Sept and Saturday 10 Oct are make-up working days,
    # Mid-Autumn (Fri 25 Sept) is a day off
    assert is_working_day(date(2026, 9, 20), county.id)
    assert is_working_day(date(2026, 10, 10), county.id)
    assert not is_working_day(date(2026, 9, 25), county.id)
    assert not is_working_day(date(2026, 10, 11), county.id)  # an ordinary Sunday
    assert coverage(2026, county.id) == "official"
    assert warnings_for(date(2026, 9, 1), date(2026, 12, 31), county.id) == []


def test_deadline_across_national_day(county):
    # accepted on Wednesday 30 Sept 2026, the last working day before the holiday
    accepted = date(2026, 9, 30)
    assert add_working_days(accepted, 1, county.id) == date(2026, 10, 8)
    assert add_working_days(accepted, 3, county.id) == date(2026, 10, 10)  # make-up Saturday
    assert add_working_days(accepted, 4, county.id) == date(2026, 10, 12)
    assert working_days_between(accepted, date(2026, 10, 12), county.id) == 4
    assert working_days_between(date(2026, 10, 12), accepted, county.id) == -4
    assert add_working_days(accepted, 0, county.id) == accepted


def test_twenty_working_days_from_the_friday_before_national_day(county):
    friday = date(2026, 9, 18)
    deadline = add_working_days(friday, 20, county.id)
    # 21-30 Sept: 20(Sun, make-up), 21-24, 28-30 = 8; 25 Mid-Autumn off
    # Oct: 8, 9, 10(Sat, make-up), 12-16, 19-23 ... 8 + 3 + 5 = 16, then 19, 20, 21, 22 -> 20
    assert deadline == date(2026, 10, 22)
    assert working_days_between(friday, deadline, county.id) == 20


def test_county_make_up_saturday_overrides_official(county):
    saturday = date(2026, 11, 14)
    assert not is_working_day(saturday, county.id)
    add_holiday(county, saturday, "makeup_workday", "县里调休")
    assert is_working_day(saturday, county.id)
    assert coverage(2026, county.id) == "county"
    # a county holiday on a day chinese-calendar calls working
    add_holiday(county, date(2026, 10, 10), "holiday", "县级调整")
    assert not is_working_day(date(2026, 10, 10), county.id)
    # other counties (and the official calendar) are not affected
    assert is_working_day(date(2026, 10, 10), None)
    assert not is_working_day(saturday, None)


def test_county_entered_2027_table(county):
    assert coverage(2027, county.id) == "fallback"
    import_holidays(county, "date,kind,name\n2027-10-01..2027-10-07,休,国庆节\n"
                            "2027-10-09,班,国庆节调休上班\n2027-01-01,holiday,元旦\n")
    assert coverage(2027, county.id) == "county"
    assert warnings_for(date(2027, 1, 1), date(2027, 12, 31), county.id) == []
    assert not is_working_day(date(2027, 1, 1), county.id)
    assert not is_working_day(date(2027, 10, 4), county.id)
    assert is_working_day(date(2027, 10, 9), county.id)  # Saturday worked
    assert add_working_days(date(2027, 9, 30), 1, county.id) == date(2027, 10, 8)
    assert add_working_days(date(2027, 9, 30), 2, county.id) == date(2027, 10, 9)


def test_unknown_year_falls_back_with_a_warning(county):
    assert coverage(2031, county.id) == "fallback"
    assert is_working_day(date(2031, 10, 1), county.id)  # a Wednesday: counted Mon-Fri
    assert not is_working_day(date(2031, 10, 4), county.id)  # Saturday
    assert add_working_days(date(2031, 9, 30), 3, county.id) == date(2031, 10, 3)
    assert warnings_for(date(2026, 12, 1), date(2031, 1, 5), county.id) == [
        "2027 年节假日未录入，按周一至周五计算", "2028 年节假日未录入，按周一至周五计算",
        "2029 年节假日未录入，按周一至周五计算", "2030 年节假日未录入，按周一至周五计算",
        "2031 年节假日未录入，按周一至周五计算"]
    # a deadline spanning the boundary of known data never raises
    assert add_working_days(date(2026, 12, 28), 30, county.id) > date(2027, 1, 1)


def test_pauses_stop_the_clock(county):
    start = date(2026, 11, 2)  # Monday
    assert add_working_days(start, 5, county.id) == date(2026, 11, 9)
    # publicity 4-10 Nov (inclusive): 4, 5, 6, 9, 10 do not count
    publicity = [(date(2026, 11, 4), date(2026, 11, 10))]
    assert add_working_days(start, 5, county.id, publicity) == date(2026, 11, 16)
    assert working_days_between(start, date(2026, 11, 16), county.id, publicity) == 5
    # two pauses, one of them reversed (ignored) and a datetime start
    from datetime import datetime
    pauses = publicity + [(date(2026, 11, 12), date(2026, 11, 12)), (date(2026, 12, 2), date(2026, 12, 1))]
    assert add_working_days(datetime(2026, 11, 2, 15, 30), 5, county.id, pauses) == date(2026, 11, 17)


def test_open_pause_runs_until_today(county):
    today = local_today()
    assert add_working_days(today, 1, county.id, [(today, None)]) == add_working_days(today, 1, county.id)
    assert working_days_between(today, today, county.id, [(date(2020, 1, 1), None)]) == 0


def test_bad_arguments(county):
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1, county.id)


def test_cache_is_per_year_and_invalidated(county):
    from server.calendar.models import Holiday, HolidayKind

    assert workdays.year_table(county.id, 2027).coverage == "fallback"

    db.session.add(Holiday(region=county, day=date(2027, 1, 1), kind=HolidayKind.holiday))
    db.session.flush()
    assert is_working_day(date(2027, 1, 1), county.id)  # cached until invalidated
    workdays.invalidate(county.id)
    assert not is_working_day(date(2027, 1, 1), county.id)


@pytest.mark.parametrize("text,message", [
    ("2027-13-01,holiday,x", "日期格式"),
    ("2027-01-04,makeup_workday,x", "调休上班日应为周六或周日"),
    ("2027-01-01,vacation,x", "类型应为"),
    ("2027-01-01", "三项"),
    ("2027-02-13..2027-02-06,休,春节", "日期格式"),
])
def test_bad_import_lines(county, text, message):
    entries, errors = parse_lines(text)
    assert errors and message in errors[0] and "第 1 行" in errors[0]
    with pytest.raises(CalendarError):
        import_holidays(county, text)


def test_import_is_all_or_nothing_and_replaces(county):
    with pytest.raises(CalendarError):
        import_holidays(county, "2027-01-01,holiday,元旦\n2027-01-04,班,x\n")
    assert coverage(2027, county.id) == "fallback"
    assert import_holidays(county, "2027-01-01,holiday,元旦\n") == (1, 0)
    assert import_holidays(county, "2027-01-01,holiday,新年\n2027-01-01,holiday,元旦\n") == (0, 2)
    with pytest.raises(CalendarError, match="没有可导入"):
        import_holidays(county, "# nothing\n")


def test_only_a_county_keeps_a_table(demo):
    with pytest.raises(CalendarError):
        add_holiday(region("220999101000"), date(2027, 1, 1), "holiday")
