"""The county admin's calendar page, the home warning and the CLI."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from server.calendar.models import Holiday, HolidayKind
from server.calendar.workdays import coverage, is_working_day, official_exceptions
from server.db import db
from server.periods import local_today

from ..conftest import region


def _county_id():
    return region("220999000000").id


def test_demo_has_a_county_2027_table(demo):
    county_id = _county_id()
    assert coverage(2027, county_id) == "county"
    assert not is_working_day(date(2027, 2, 8), county_id)  # Spring Festival Monday
    assert is_working_day(date(2027, 2, 20), county_id)  # make-up Saturday
    assert coverage(2026, county_id) == "official"  # 2026 needs no rows


def test_page_shows_coverage_entries_and_official_days(login):
    page = login("admin").get("/calendar/?year=2027").get_data(as_text=True)
    assert "县级录入" in page and "国庆节调休上班" in page
    assert "2028 年节假日未录入，按周一至周五计算" in page
    page = login("admin").get("/calendar/?year=2026").get_data(as_text=True)
    assert "2026-10-10" in page and "国庆节" in page  # chinese-calendar's make-up Saturday


def test_only_the_county_admin_manages(login):
    for username in ("clerk", "supervisor", "village"):
        assert login(username).get("/calendar/").status_code == 403


def test_add_and_delete_a_day(login):
    client = login("admin")
    response = client.post("/calendar/holidays?year=2028",
                           data={"day": "2028-10-02", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 302
    assert coverage(2028, _county_id()) == "county"
    row = db.session.scalars(select(Holiday).where(Holiday.day == date(2028, 10, 2))).one()
    assert client.post(f"/calendar/holidays/{row.id}/delete").status_code == 302
    assert db.session.get(Holiday, row.id) is None
    assert coverage(2028, _county_id()) == "fallback"


def test_add_refuses_a_weekday_make_up_day(login):
    response = login("admin").post("/calendar/holidays",
                                   data={"day": "2028-10-04", "kind": "makeup_workday"})
    assert response.status_code == 400
    assert "调休上班日应为周六或周日" in response.get_data(as_text=True)


def test_import_text_and_file(login):
    client = login("admin")
    response = client.post("/calendar/import?year=2028",
                           data={"text": "2028-01-01,休,元旦\n2028-01-02,holiday,元旦"})
    assert response.status_code == 302
    upload = (io.BytesIO("\ufeff2029-10-01..2029-10-03,休,国庆节\n".encode()), "2029.csv")
    response = client.post("/calendar/import", data={"upload": upload},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert coverage(2029, _county_id()) == "county"
    response = client.post("/calendar/import", data={"text": "2029-02-30,休,x"})
    assert response.status_code == 400 and "第 1 行" in response.get_data(as_text=True)


def test_home_panel_warns_when_next_year_is_not_covered(login):
    next_year = local_today().year + 1
    for row in db.session.scalars(select(Holiday).where(Holiday.day >= date(next_year, 1, 1))):
        db.session.delete(row)
    db.session.commit()
    client = login("admin")
    page = client.get("/").get_data(as_text=True)
    if official_exceptions(next_year):  # chinese-calendar already knows next year
        assert "panel-calendar-coverage" not in page
    else:
        assert f"{next_year} 年节假日未录入，按周一至周五计算" in page
    assert client.post("/calendar/import",
                       data={"text": f"{next_year}-01-01,休,元旦"}).status_code == 302
    assert "panel-calendar-coverage" not in client.get("/").get_data(as_text=True)
    assert "panel-calendar-coverage" not in login("clerk").get("/").get_data(as_text=True)


def test_cli_import_and_coverage(app, demo, tmp_path):
    path = tmp_path / "2030.csv"
    path.write_text("date,kind,name\n2030-10-01..2030-10-07,holiday,国庆节\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["calendar", "import", str(path), "--county", "220999000000"])
    assert result.exit_code == 0, result.output
    assert "7 days added" in result.output
    assert coverage(2030, _county_id()) == "county"
    result = runner.invoke(args=["calendar", "import", str(path), "--county", "220999101000"])
    assert result.exit_code == 1
    result = runner.invoke(args=["calendar", "coverage", "--county", "220999000000"])
    assert result.exit_code == 0 and "county" in result.output


def test_a_day_outside_1900_2100_is_refused_at_input(login):
    client = login("admin")
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post("/calendar/holidays", data={"day": day, "kind": "holiday"})
        assert response.status_code == 400
        assert "日期应在 1900 年到 2100 年之间" in response.get_data(as_text=True)
    response = client.post("/calendar/import", data={"text": "9999-12-31,holiday,坏"})
    assert response.status_code == 400 and "第 1 行" in response.get_data(as_text=True)
    assert not db.session.scalars(select(Holiday).where(Holiday.day > date(2100, 12, 31))).all()


def test_a_saved_out_of_range_day_is_listed_with_its_delete_link(login):
    county = region("220999000000")
    rows = [Holiday(region=county, day=date(9999, 12, 31), kind=HolidayKind.holiday, name="坏日期"),
            Holiday(region=county, day=date(1, 1, 1), kind=HolidayKind.holiday, name="更坏")]
    db.session.add_all(rows)
    db.session.commit()
    client = login("admin")
    page = client.get("/calendar/").get_data(as_text=True)
    assert "9999-12-31" in page and "0001-01-01" in page
    for row in rows:
        assert f"/calendar/holidays/{row.id}/delete" in page
    assert client.get("/calendar/?year=2100").status_code == 200
    assert client.post(f"/calendar/holidays/{rows[0].id}/delete").status_code == 302
    assert db.session.get(Holiday, rows[0].id) is None
    assert client.get("/calendar/").status_code == 200
