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
def test_an_invalid_items_file_is_refused_with_the_path(change, path, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ItemsError) as caught:
        load_items(GOOD.replace(old, new, 1))
    assert any(p == path and message in m for p, m in caught.value.problems), \
        caught.value.problems


def test_broken_yaml_and_a_missing_file_are_clear_errors(tmp_path):
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
