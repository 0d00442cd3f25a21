"""Named standard values: a version holds values the county names itself; they follow the
version's effective date, and a decision keeps the version (and so the values) it used."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from server import money
from server.db import db
from server.periods import local_today
from server.standards.demo import DEMO_2026
from server.standards.models import StandardValue
from server.standards.operations import StandardError, create_version, validate
from server.standards.queries import (
    NoStandard,
    UnknownStandardValue,
    standard_by_id,
    standard_for,
    standard_value,
)

from ..conftest import region

CHILD = "事实无人抚养儿童保障标准"
INCOME = "上年度居民人均可支配收入"


def _county():
    return region("220999000000")


def _named(*rows):
    return [dict(zip(("name", "amount", "unit"), row)) for row in rows]


def test_named_values_resolve_by_date_and_by_pinned_version(demo):
    county = _county()
    v1 = create_version(county, {**DEMO_2026, "effective_from": "2026-02-01", "named_values": _named(
        (CHILD, "1200", "元/人/月"), (INCOME, "３６,５００元", "元/年"))})
    v2 = create_version(county, {**DEMO_2026, "effective_from": "2026-07-01",
                                 "named_values": _named((CHILD, "1300", "元/人/月"))})
    db.session.commit()
    assert standard_value(CHILD, on=date(2026, 3, 1), region=county) == D("1200.00")
    assert standard_value(INCOME, on=date(2026, 3, 1), region=county.id) == D("36500.00")
    assert standard_value(CHILD, on=date(2026, 7, 1), region=county) == D("1300.00")
    # a decision made in March stored v1: it keeps 1200 after v2 is in force
    assert standard_value(CHILD, version=v1.id) == D("1200.00")
    assert standard_by_id(v1.id, "urban").named == {CHILD: D("1200.00"), INCOME: D("36500.00")}
    assert standard_for(county.id, "rural", date(2026, 8, 1)).named == {CHILD: D("1300.00")}
    with pytest.raises(UnknownStandardValue, match=f"版本 {v2.id}）中没有名为“{INCOME}”"):
        standard_value(INCOME, on=date(2026, 8, 1), region=county)
    with pytest.raises(UnknownStandardValue, match="已有：无"):  # the demo version has none
        standard_value(CHILD, on=date(2026, 1, 15), region=county)
    with pytest.raises(NoStandard):
        standard_value(CHILD, on=date(2025, 1, 1), region=county)
    assert [v.unit for v in v1.named_values] == ["元/人/月", "元/年"]


def test_named_values_are_part_of_the_immutable_version(demo):
    create_version(_county(), {**DEMO_2026, "named_values": _named((CHILD, "1200", ""))})
    db.session.commit()
    value = db.session.scalars(select(StandardValue)).one()
    assert value.unit == "元/人/月"  # the default unit
    value.amount = D("1")
    with pytest.raises(ValueError, match="不可修改"):
        db.session.flush()
    db.session.rollback()


def test_named_value_errors_are_keyed_by_row_and_field(app):  # messages: the catalogs
    with pytest.raises(StandardError) as caught:
        validate({**DEMO_2026, "named_values": [
            {"name": CHILD, "amount": "1200"},
            {"name": "", "amount": ""},  # an empty row is skipped
            {"name": CHILD, "amount": "-5"},
            {"name": "1号标准", "amount": "abc"},
            {"name": "removed", "amount": "x", "remove": True},
        ]})
    errors = caught.value.errors
    assert set(errors) == {"named_values[2].name", "named_values[2].amount",
                           "named_values[3].name", "named_values[3].amount"}
    assert errors["named_values[2].name"] == f"名称“{CHILD}”与第 1 项重复"
    assert "汉字、字母、数字和下划线" in errors["named_values[3].name"]
    assert validate({**DEMO_2026, "named_values": [{"name": CHILD, "amount": "1,200.005"}]}
                    )["named_values"][0]["amount"] == D("1200.01")  # the one money rule


def test_api_writes_and_reads_named_values(api):
    client, headers = api("admin")
    body = {"effective_from": "2027-01-01", "db_urban": "800", "db_rural": "620",
            "db_minimum": "10", "tk_basic_factor": "1.3", "care_self": "100",
            "care_partial": "300", "care_full": "600", "ls_township_multiple": "3",
            "ls_max_multiple": "12", "by_factor": "1.5"}
    bad = client.post("/api/v1/standards/versions", headers=headers, json={
        **body, "named_values": [{"name": CHILD, "amount": "1200"},
                                 {"name": CHILD, "amount": "abc"}]})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json["errors"]} == {"named_values[1].name",
                                                      "named_values[1].amount"}
    made = client.post("/api/v1/standards/versions", headers=headers, json={
        **body, "named_values": [{"name": CHILD, "amount": "1200", "unit": "元/人/月",
                                  "note": "九民发〔2026〕3号"}]})
    assert made.status_code == 201, made.json
    assert made.json["named_values"] == [{"name": CHILD, "amount": "1200.00", "unit": "元/人/月",
                                          "note": "九民发〔2026〕3号"}]
    current = client.get("/api/v1/standards/current?urban_rural=rural&on=2027-02-01",
                         headers=headers).json
    assert current["named"] == {CHILD: "1200.00"}
    spec = client.get("/api/v1/openapi.json", headers=headers).json
    assert "named_values" in spec["components"]["schemas"]["StandardVersionIn"]["properties"]


def test_admin_adds_edits_and_removes_named_values_in_the_form(login):
    client = login("admin")
    today = local_today()
    form = {**DEMO_2026, "effective_from": today.isoformat(), "csrf_token": "",
            "named_values-0-name": CHILD, "named_values-0-amount": "1200",
            "named_values-0-unit": "元/人/月", "named_values-1-name": INCOME,
            "named_values-1-amount": "36500", "named_values-1-unit": "元/年"}
    more = client.post("/standards/new", data={**form, "add_row": "1"})
    assert more.status_code == 200 and 'name="named_values-2-name"' in more.get_data(as_text=True)
    assert client.post("/standards/new", data=form).status_code == 302
    county = _county()
    assert standard_for(county.id, "urban", today).named == {
        CHILD: D("1200.00"), INCOME: D("36500.00")}
    page = client.get("/standards/").get_data(as_text=True)
    assert CHILD in page and "36500.00" in page and "元/年" in page
    new = client.get("/standards/new").get_data(as_text=True)
    assert f'value="{CHILD}"' in new  # the next version starts from these values
    edited = {**form, "effective_from": "2027-03-01", "named_values-0-amount": "1300",
              "named_values-1-remove": "y"}
    assert client.post("/standards/new", data=edited).status_code == 302
    assert standard_for(county.id, "urban", date(2027, 3, 1)).named == {CHILD: D("1300.00")}
    wrong = client.post("/standards/new", data={**form, "named_values-1-name": CHILD,
                                                 "named_values-1-amount": "abc"})
    assert wrong.status_code == 400
    page = wrong.get_data(as_text=True)
    row = page[page.index('name="named_values-1-name"'):]
    assert f"名称“{CHILD}”与第 1 项重复" in row[:1500] and str(money.BAD) in row[:3000]
