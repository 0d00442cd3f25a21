"""Standard versions: effective dates, immutability, validation and the pages."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from server import money
from server.db import db
from server.standards.amounts import NoStandard, calculate, calculate_for
from server.standards.demo import DEMO_2026
from server.standards.models import StandardSet
from server.standards.operations import StandardError, create_version, validate
from server.standards.queries import standard_by_id, standard_for, versions

from ..conftest import region


def _county():
    return region("220999000000")


def test_demo_standard_in_force(demo):
    county = _county()
    urban = standard_for(county.id, "urban", date(2026, 10, 9))
    rural = standard_for(county.id, "rural", date(2026, 10, 9))
    assert urban.db_standard == D("780.00") and rural.db_standard == D("600.00")
    assert urban.tk_basic == D("1014.00") and rural.tk_basic == D("780.00")
    assert urban.care["全护理"] == D("600.00") and urban.by_factor == D("1.5000")
    assert standard_for(county.id, "urban", date(2025, 12, 31)) is None
    with pytest.raises(NoStandard):
        calculate_for("DB", county.id, "urban", date(2025, 12, 31), per_capita_income=0, persons=1)
    assert calculate_for("DB", county.id, "rural", date(2026, 3, 1), per_capita_income="100.40",
                         persons=2).amount == D("999.00")  # 499.60 × 2 = 999.20 → 999


def test_new_version_never_changes_past_decisions(demo):
    county = _county()
    v1 = standard_for(county.id, "urban", date(2026, 6, 30))
    decided = calculate("DB", v1, per_capita_income="200", persons=2)  # a decision stores v1.id
    v2 = create_version(county, {**DEMO_2026, "effective_from": "2026-07-01", "db_urban": "820"})
    db.session.commit()
    db.session.expire_all()
    assert standard_for(county.id, "urban", date(2026, 6, 30)).id == v1.id
    assert standard_for(county.id, "urban", date(2026, 7, 1)).id == v2.id
    again = calculate("DB", standard_by_id(decided.standard_id, "urban"),
                      per_capita_income="200", persons=2)
    assert again.amount == decided.amount == D("1160.00")
    assert again.formula == decided.formula
    assert [row.id for row in versions(county.id)] == [v2.id, v1.id]


def test_versions_are_immutable(demo):
    row = db.session.scalars(select(StandardSet)).first()
    row.db_urban = D("1")
    with pytest.raises(ValueError, match="不可修改"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(StandardSet, row.id).db_urban == D("780.00")


def test_a_correction_on_the_same_date_wins(demo):
    county = _county()
    fixed = create_version(county, {**DEMO_2026, "db_rural": "610"})
    assert standard_for(county.id, "rural", date(2026, 2, 1)).id == fixed.id


def test_money_round_trips_exactly(demo):
    county = _county()
    row = create_version(county, {**DEMO_2026, "db_urban": "1999.89",
                                  "tk_basic_factor": "1.3333", "tk_basic_rural": "780.01"})
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(StandardSet, row.id)
    assert row.db_urban == D("1999.89") and row.tk_basic_factor == D("1.3333")
    assert standard_by_id(row.id, "rural").tk_basic == D("780.01")
    assert standard_by_id(row.id, "urban").tk_basic == D("2666.45")  # 1999.89 × 1.3333


@pytest.mark.parametrize("changes,field,message", [
    ({"db_urban": "-5"}, "db_urban", "不能为负数"),
    ({"db_urban": "abc"}, "db_urban", money.BAD),
    ({"db_urban": "7.8e2"}, "db_urban", money.BAD),
    ({"tk_basic_factor": "x"}, "tk_basic_factor", "请输入数字"),
    ({"db_urban": ""}, "db_urban", "必填"),
    ({"tk_basic_factor": "1.33333"}, "tk_basic_factor", "四位小数"),
    ({"db_rural": "99999"}, "db_rural", "不能大于"),
    ({"tk_basic_factor": "1.2"}, "tk_basic_factor", "不能小于 1.3"),
    ({"tk_basic_urban": "1000"}, "tk_basic_urban", "1.3 倍"),
    ({"ls_max_multiple": "2"}, "ls_max_multiple", "不能低于"),
    ({"by_factor": "1"}, "by_factor", "不能小于"),
    ({"db_minimum": "700"}, "db_minimum", "不能高于低保标准"),
    ({"db_method": "bands"}, "db_bands", "至少一档"),
    ({"db_method": "bands", "db_bands": "300,abc"}, "db_bands", "第 1 行：金额格式不正确"),
    ({"db_method": "bands", "db_bands": "300,900"}, "db_bands", "不能高于低保标准"),
    ({"db_bands": "300,400\n300,500"}, "db_bands", "重复"),
    ({"rounding_unit": "wan"}, "rounding_unit", "有效的选项"),
    ({"effective_from": "2026-02-30"}, "effective_from", "执行日期"),
    ({"effective_from": "1999-01-01"}, "effective_from", "2000"),
])
def test_validation_messages(app, changes, field, message):  # messages: the catalogs
    with pytest.raises(StandardError) as info:
        validate({**DEMO_2026, **changes})
    assert str(message) in info.value.errors[field]


def test_validation_accepts_friendly_input():
    values = validate({**DEMO_2026, "db_urban": "１,014.5 元", "tk_basic_factor": "1.5倍",
                       "db_method": "bands", "db_bands": "0.01，200\n500,600\n# note\n"})
    assert values["db_urban"] == D("1014.50") and values["tk_basic_factor"] == D("1.5")
    assert values["db_bands"] == [{"min_gap": "500.00", "amount": "600.00"},
                                  {"min_gap": "0.01", "amount": "200.00"}]


def test_money_values_round_half_up_to_the_fen():
    """The one money rule: 780.125 is 780.13 (half-even would say 780.12)."""
    values = validate({**DEMO_2026, "db_urban": "780.125", "db_bands": "0.005,199.995"})
    assert values["db_urban"] == D("780.13")
    assert values["db_bands"] == [{"min_gap": "0.01", "amount": "200.00"}]


def test_only_a_county_sets_standards(demo):
    with pytest.raises(StandardError):
        create_version(region("220999101000"), DEMO_2026)


def test_everyone_sees_the_county_standards(login):
    for username in ("clerk", "village", "supervisor", "admin"):
        page = login(username).get("/standards/").get_data(as_text=True)
        assert "780.00" in page and "2026-01-01" in page
    assert "/standards/new" not in login("clerk").get("/standards/").get_data(as_text=True)
    assert login("clerk").get("/standards/new").status_code == 403


def test_admin_adds_a_version_from_the_form(login):
    client = login("admin")
    page = client.get("/standards/new").get_data(as_text=True)
    assert 'value="780.00"' in page  # prefilled from the version in force
    form = {**DEMO_2026, "effective_from": "2027-01-01", "db_urban": "810", "csrf_token": ""}
    response = client.post("/standards/new", data=form)
    assert response.status_code == 302
    county = _county()
    assert standard_for(county.id, "urban", date(2027, 1, 1)).db_standard == D("810.00")
    page = client.get("/standards/").get_data(as_text=True)
    assert "810.00" in page and "2027-01-01" in page


def test_form_shows_chinese_errors_and_saves_nothing(login):
    client = login("admin")
    before = len(versions(_county().id))
    response = client.post("/standards/new", data={**DEMO_2026, "db_urban": "-1",
                                                   "care_full": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "不能为负数" in page and str(money.BAD) in page
    assert len(versions(_county().id)) == before
