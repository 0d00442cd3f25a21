"""Relief items as data: forms/items.yaml defines the four shipped items; a bad file is
refused with every problem and its path."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.relief import (
    ITEMS_FILE,
    RELIEF_TYPES,
    Family,
    ItemsError,
    ReliefCode,
    codes_where,
    item,
    load_items,
)

from .crawl import check_zh, parse

GOOD = ITEMS_FILE.read_text(encoding="utf-8")


def test_the_shipped_items_are_the_four_types_as_before():
    assert list(RELIEF_TYPES) == [ReliefCode.DB, ReliefCode.TK, ReliefCode.LS, ReliefCode.BY]
    # what the hard-coded table said: code, name, short name, unit, paid
    assert [(t.code, t.name, t.short_name, t.unit, t.is_paid) for t in RELIEF_TYPES.values()] == [
        (ReliefCode.DB, "最低生活保障", "低保", "household", True),
        (ReliefCode.TK, "特困人员救助供养", "特困", "person", True),
        (ReliefCode.LS, "临时救助", "临时救助", "household", True),
        (ReliefCode.BY, "低保边缘家庭认定", "低保边缘", "household", False),
    ]
    assert [t.family for t in RELIEF_TYPES.values()] == [
        Family.monthly, Family.care, Family.one_off, Family.recognition]
    assert codes_where(is_monthly=True) == ("DB", "TK")
    assert codes_where(is_one_off=True) == ("LS",) and codes_where(is_paid=False) == ("BY",)
    assert item("TK") is item(ReliefCode.TK) is RELIEF_TYPES["TK"]
    assert item("TK").has_care_levels and not item("DB").has_care_levels
    assert all(t.name_en and t.basis for t in RELIEF_TYPES.values())


def test_a_new_item_in_the_file_loads_with_its_own_code(tmp_path):
    extra = GOOD + """  - code: SW
    name: 事实无人抚养儿童基本生活补贴
    short_name: 事实无人抚养儿童
    unit: person
    family: monthly
    is_paid: true
"""
    path = tmp_path / "items.yaml"
    path.write_text(extra, encoding="utf-8")
    items = load_items(path)
    assert items["SW"].code == "SW" and items["SW"].unit == "person" and items["SW"].is_monthly
    assert items[ReliefCode.DB] == RELIEF_TYPES[ReliefCode.DB]


@pytest.mark.parametrize("change, path, message", [
    (("unit: person\n    family: care", "unit: people\n    family: care"), "items[1].unit",
     "应为以下之一：household、person"),
    (("    short_name: 低保\n", ""), "items[0]", "缺少必填项：short_name"),
    (("code: LS", "code: DB"), "items[2].code", "代码 DB 与 items[0] 重复"),
    (("family: recognition\n    is_paid: false", "family: recognition\n    is_paid: true"),
     "items[3].is_paid", "仅认定的项目不发放"),
    (("unit: person\n    family: care", "unit: household\n    family: care"), "items[1].unit",
     "按人"),
    (("code: BY", "code: by"), "items[3].code", "大写字母"),
    (("    is_paid: true\n    basis: 《社会救助暂行办法》第四十七条",
      "    is_paid: true\n    colour: red\n    basis: 《社会救助暂行办法》第四十七条"),
     "items[2]", "未知的项"),
])
def test_an_invalid_items_file_is_refused_with_the_path(office_language, change, path, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ItemsError) as caught:
        load_items(GOOD.replace(old, new, 1))
    assert any(p == path and message in str(m) for p, m in caught.value.problems), \
        caught.value.problems


def test_broken_yaml_and_a_missing_file_are_clear_errors(office_language, tmp_path):
    with pytest.raises(ItemsError, match="YAML 格式错误（第 3 行）"):
        load_items("format: 1\nitems: [\n  {code: DB")
    with pytest.raises(ItemsError, match="items.yaml: 无法读取救助项目文件"):
        load_items(Path(tmp_path / "items.yaml"))
    with pytest.raises(ItemsError) as caught:
        load_items("format: 2\nitems: []")
    assert {p for p, _m in caught.value.problems} == {"format", "items"}


def test_the_procedure_defaults_come_from_the_items(app):
    """(The app: the refusals are rendered in the office's language.)"""
    from dataclasses import replace

    from server.cases.workflows import DEFAULT_SETTINGS, Settings, SettingsError, item_settings

    # the values the hard-coded table gave
    assert DEFAULT_SETTINGS == {
        ReliefCode.DB: Settings(),
        ReliefCode.TK: Settings(has_termination_publicity=True),
        ReliefCode.LS: Settings(has_publicity=False, has_emergency_aid=True,
                                has_county_review=True, is_one_off=True),
        ReliefCode.BY: Settings(is_paid=False),
    }
    bad = replace(RELIEF_TYPES["TK"], settings={"publicity_dayz": 7, "is_paid": False,
                                                "publicity_days": 99})
    with pytest.raises(SettingsError) as caught:
        item_settings(bad)
    assert caught.value.problems == [
        "救助项目 TK 的 settings：“is_paid”由救助项目的 family / is_paid 决定，不能在 settings 中设置",
        "救助项目 TK 的 settings：未知的设置项“publicity_dayz”",
        "救助项目 TK 的 settings：“publicity_days”应在 1 到 60 之间",
    ]


# -- items as rows (relief_item) ----------------------------------------------------------------

SW = {"code": "SW", "name": "事实无人抚养儿童基本生活补贴", "short_name": "事实无人抚养儿童",
      "unit": "person", "family": "monthly", "is_paid": True,
      "settings": {"publicity_days": 5}}


def _publish(code):
    """Publishing is a later slice; until then a test marks the row in force itself."""
    from server.db import db
    from server.items.models import ReliefItem

    db.session.get(ReliefItem, code).is_active = True
    db.session.commit()


def test_the_shipped_items_are_rows_equal_to_the_file(app):
    from server.items.models import ReliefItem
    from server.items.queries import rows

    stored = rows()
    assert [r.code for r in stored] == ["DB", "TK", "LS", "BY"]
    assert all(isinstance(r, ReliefItem) and r.is_shipped and r.is_active for r in stored)
    assert {r.code: r.as_type() for r in stored} == dict(load_items())
    assert dict(RELIEF_TYPES) == dict(load_items())  # what the app serves: the rows


def test_upgrade_brings_the_shipped_rows_back_to_the_file_and_keeps_county_items(app, api):
    from server.db import db
    from server.items.models import ReliefItem
    from server.items.operations import sync_shipped_items

    client, headers = api("admin")
    assert client.post("/api/v1/items/", json=SW, headers=headers).status_code == 201
    db.session.get(ReliefItem, "TK").short_name = "旧名"
    db.session.commit()
    assert sync_shipped_items() == ["TK"]
    db.session.commit()
    assert db.session.get(ReliefItem, "TK").short_name == "特困"
    assert db.session.get(ReliefItem, "SW").name == SW["name"]
    assert sync_shipped_items() == []  # nothing differs any more


def test_a_county_item_is_served_once_published_from_the_cache(app, api):
    from sqlalchemy import event

    from server.db import db

    client, headers = api("admin")
    response = client.post("/api/v1/items/", json=SW, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["is_active"] is False and response.json["is_shipped"] is False
    assert "SW" not in RELIEF_TYPES  # a draft is not in force
    _publish("SW")
    assert list(RELIEF_TYPES) == ["DB", "TK", "LS", "BY", "SW"]
    assert item("SW").is_monthly and item("SW").unit == "person"
    assert item("SW").settings == {"publicity_days": 5} and item("SW").label == SW["name"]
    assert codes_where(is_monthly=True) == ("DB", "TK", "SW")
    seen = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    for _ in range(50):
        item("SW"), codes_where(is_paid=True), list(RELIEF_TYPES)
    assert seen == []  # the cache: no query per look-up


def test_outside_an_app_the_file_items_serve():
    assert list(RELIEF_TYPES) == ["DB", "TK", "LS", "BY"]


def test_the_workflow_of_a_county_item_uses_its_settings(app, api):
    from server.cases.workflows import settings_for

    client, headers = api("admin")
    client.post("/api/v1/items/", json=SW, headers=headers)
    _publish("SW")
    settings = settings_for("SW", None)
    assert settings.publicity_days == 5 and settings.is_paid and not settings.is_one_off


@pytest.mark.parametrize("change, path, message", [
    ({"unit": "people"}, "unit", "应为以下之一"),
    ({"family": "recognition"}, "is_paid", "仅认定的项目不发放"),
    ({"code": "sw"}, "code", "大写字母"),
    ({"code": "DB"}, "code", "已被其他救助项目使用"),
    ({"name": "长" * 61}, "name", ""),
    ({"settings": {"publicity_dayz": 7}}, "settings.publicity_dayz", "未知的设置项"),
    ({"settings": {"publicity_days": 99}}, "settings.publicity_days", "应在 1 到 60 之间"),
    ({"settings": {"is_paid": False}}, "settings.is_paid", "由救助项目的 family"),
    ({"colour": "red"}, "colour", ""),
])
def test_a_bad_item_is_refused_with_the_path(app, api, change, path, message):
    from server.items.queries import rows

    client, headers = api("admin")
    response = client.post("/api/v1/items/", json={**SW, **change}, headers=headers)
    assert response.status_code == 422, response.json
    assert any(e["path"] == path and message in e["message"] for e in response.json["errors"]), \
        response.json
    assert [r.code for r in rows()] == ["DB", "TK", "LS", "BY"]  # nothing half-written


def test_the_admin_changes_a_draft_item_audited_and_only_their_own(app, api):
    from sqlalchemy import select

    from server.audit.models import AuditEvent
    from server.db import db

    client, headers = api("admin")
    client.post("/api/v1/items/", json=SW, headers=headers)
    body = {k: v for k, v in SW.items() if k != "code"}
    response = client.put("/api/v1/items/SW", json={**body, "short_name": "无人抚养儿童"},
                          headers=headers)
    assert response.status_code == 200 and response.json["short_name"] == "无人抚养儿童"
    assert client.get("/api/v1/items/SW", headers=headers).json["short_name"] == "无人抚养儿童"
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("item.%")))] == ["item.create", "item.update"]
    assert client.put("/api/v1/items/DB", json=body, headers=headers).status_code == 422
    assert client.put("/api/v1/items/NONE", json=body, headers=headers).status_code == 404
    _publish("SW")
    refused = client.put("/api/v1/items/SW", json=body, headers=headers)
    assert refused.status_code == 422 and refused.json["errors"][0]["path"] == "code"
    listed = client.get("/api/v1/items/", headers=headers).json
    assert [i["code"] for i in listed] == ["DB", "TK", "LS", "BY", "SW"]


def test_the_items_api_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/items/"])
    assert {"get", "put"} <= set(spec["paths"]["/api/v1/items/{code}"])


def test_the_admin_lists_the_items_in_chinese(app, api, login):
    client, headers = api("admin")
    client.post("/api/v1/items/", json=SW, headers=headers)
    page = login("admin").get("/items/").get_data(as_text=True)
    assert "最低生活保障" in page and "按人按月发放（含照料护理等级）" in page
    row = page.split('id="item-SW"')[1].split("</tr>")[0]
    assert "事实无人抚养儿童基本生活补贴" in row and "按人" in row and "草稿" in row
    assert "monthly" not in row and "person" not in row
    assert check_zh(parse(page)[0], data={"SW"}) == []  # what the crawl checks
    assert login("clerk").get("/items/").status_code == 403
