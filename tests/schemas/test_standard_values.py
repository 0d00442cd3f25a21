"""A schema's rules and formulas refer to the county's named standard values by name: the
version in force on the evaluation date supplies them, or the version a decision pinned."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from server import idnumber
from server.db import db
from server.schemas.engine import SchemaError, client_spec, load_schema, validate_answers
from server.standards.demo import DEMO_2026
from server.standards.operations import create_version

from ..conftest import region

CHILD_STANDARD = "事实无人抚养儿童保障标准"
KID = idnumber.make("220999", date(2015, 4, 1), 12)
ADULT = idnumber.make("220999", date(2000, 4, 1), 13)

ITEM = f"""
format: 1
relief_type: LS
title: 事实无人抚养儿童基本生活补贴
standard_values:
  {CHILD_STANDARD}: {{label: 保障标准（元/人/月）}}
fields:
  - name: children
    type: group
    label: 儿童
    min_rows: 1
    fields:
      - {{name: id_number, type: id_number, label: 身份证, required: true}}
    checks:
      - {{rule: "age(id_number) < 18", message: 须未满 18 周岁, field: id_number}}
  - {{name: amount, type: money, label: 每月补贴, compute: "{CHILD_STANDARD} * count(children)"}}
checks:
  - {{rule: "amount <= {CHILD_STANDARD} * 2", message: "补贴超过 {{{CHILD_STANDARD}}} 的两倍"}}
"""


def _versions():
    county = region("220999000000")
    v1 = create_version(county, {**DEMO_2026, "effective_from": "2026-02-01",
                                 "named_values": [{"name": CHILD_STANDARD, "amount": "1200"}]})
    v2 = create_version(county, {**DEMO_2026, "effective_from": "2026-07-01",
                                 "named_values": [{"name": CHILD_STANDARD, "amount": "1300"}]})
    db.session.commit()
    return v1, v2


def test_a_formula_and_a_rule_use_the_named_value_in_force(demo, user):
    definition = load_schema(ITEM)
    v1, _v2 = _versions()
    clerk = user("clerk")
    answers = {"children": [{"id_number": KID}, {"id_number": KID}]}
    march = validate_answers(definition, answers, clerk, today=date(2026, 3, 1))
    assert march.ok, march.errors
    assert march.computed["amount"] == "2400.00"
    august = validate_answers(definition, answers, clerk, today=date(2026, 8, 1))
    assert august.computed["amount"] == "2600.00"
    # a decision made in March keeps its version after July
    pinned = validate_answers(definition, answers, clerk, today=date(2026, 8, 1),
                              context={"standard_version_id": v1.id})
    assert pinned.computed["amount"] == "2400.00"
    adult = validate_answers(definition, {"children": [{"id_number": ADULT}]}, clerk,
                             today=date(2026, 3, 1))
    assert ("children[0].id_number", "须未满 18 周岁") in adult.errors
    spec = client_spec(definition, clerk, today=date(2026, 3, 1))
    assert spec["variables"][CHILD_STANDARD] == "1200"
    assert spec["variable_types"][CHILD_STANDARD] == "money"


def test_a_name_the_version_lacks_is_an_error_with_a_path(demo, user):
    definition = load_schema(ITEM)
    result = validate_answers(definition, {"children": [{"id_number": KID}]}, user("clerk"),
                              today=date(2026, 1, 15))  # the demo version has no named values
    paths = dict(result.errors)
    assert not result.ok
    assert f"没有名为“{CHILD_STANDARD}”的标准值" in paths[f"standard_values.{CHILD_STANDARD}"]
    early = validate_answers(definition, {"children": [{"id_number": KID}]}, user("clerk"),
                             today=date(2025, 6, 1))
    assert "没有生效的救助标准" in dict(early.errors)[f"standard_values.{CHILD_STANDARD}"]


def test_context_supplies_values_without_a_county():
    definition = load_schema(ITEM)
    result = validate_answers(definition, {"children": [{"id_number": KID}]},
                              context={CHILD_STANDARD: D("1000")}, today=date(2026, 3, 1))
    assert result.ok and result.computed["amount"] == "1000.00"


def test_an_undeclared_name_is_refused_at_load_with_its_path():
    source = ITEM.replace(f"compute: \"{CHILD_STANDARD} * count(children)\"",
                          "compute: \"上年度居民人均可支配收入 / 12\"")
    with pytest.raises(SchemaError) as caught:
        load_schema(source)
    (problem,) = caught.value.errors
    assert problem.path == "fields[1].compute"
    assert "未知名称 '上年度居民人均可支配收入'" in problem.message and "standard_values" in problem.message
    bad = ITEM.replace(f"  {CHILD_STANDARD}: {{label", "  1号标准: {label")
    with pytest.raises(SchemaError) as caught:
        load_schema(bad)
    assert "standard_values.1号标准" in {p.path for p in caught.value.errors}
