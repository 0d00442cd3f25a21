"""Field roles in the schema format: the loader refuses misuse with a path; shipped forms use
the registry; check messages fill {field} placeholders as hints do."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.schemas.engine import SchemaError, load_schema, validate_answers
from server.schemas.roles import ROLES

FORMS = Path(__file__).resolve().parents[2] / "forms"
HEAD = "format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
MEMBERS = (" - name: members\n   type: group\n   label: 成员\n   role: members\n   fields:\n"
           "    - {name: name, type: text, label: 姓名, role: member_name}\n")


def _problems(source: str) -> list[str]:
    with pytest.raises(SchemaError) as info:
        load_schema(source)
    return [str(p) for p in info.value.errors]


@pytest.mark.parametrize("fields,expected", [
    (" - {name: a, type: text, label: x, role: applicant_nmae}\n",
     "fields[0].role: 未知的角色 'applicant_nmae'"),
    (" - {name: a, type: text, label: x, role: applicant_name}\n"
     " - {name: b, type: text, label: y, role: applicant_name}\n",
     "fields[1].role: 角色 'applicant_name' 已用于 fields[0]，每个表单只能用一次"),
    (" - {name: a, type: text, label: x, role: member_name}\n",
     "fields[0].role: 角色 'member_name' 只能用于家庭成员分组（role: members）中的字段"),
    (MEMBERS + "    - {name: v, type: village, label: 村, role: village}\n",
     "fields[0].fields[1].role: 角色 'village' 只能用于顶层字段"),
    (" - {name: a, type: integer, label: x, role: urban_rural}\n",
     "fields[0].role: 角色 'urban_rural' 只能用于以下类型的字段：choice"),
    (" - {name: a, type: choice, label: x, role: support_mode, choices: [集中供养, 在家]}\n",
     "fields[0].choices: 角色 'support_mode' 不认识选项 '在家'"),
    (" - {name: a, type: choice, label: x, role: ls_kind, choices: [急难, 支出型]}\n",
     "fields[0].choices: 角色 'ls_kind' 不认识选项 '急难'"),
])
def test_role_misuse_is_refused_with_its_path(fields, expected):
    problems = _problems(HEAD + fields)
    assert any(expected in p for p in problems), problems


def test_shipped_forms_declare_the_roles_the_case_needs():
    needed = {"applicant_name", "applicant_id_number", "village", "urban_rural", "members",
              "member_name", "member_id_number", "relationship", "proxy_name",
              "proxy_id_number", "proxy_relation", "phone", "bank_account"}
    extra = {"TK": {"support_mode", "care_level", "per_capita_income"},
             "LS": {"ls_kind", "requested_amount", "persons_covered"},
             "DB": {"per_capita_income", "persons_covered"}, "BY": {"per_capita_income"}}
    for code, more in extra.items():
        definition = load_schema((FORMS / f"{code}.yaml").read_text(encoding="utf-8"))
        declared = {f.get("role") for f in definition["fields"]} | {
            s.get("role") for f in definition["fields"] for s in f.get("fields") or []}
        assert needed | more <= declared, (code, (needed | more) - declared)
        assert declared - {None} <= set(ROLES)


CHECKED = HEAD + (" - {name: income, type: money, label: 收入}\n"
                  " - {name: limit, type: money, label: 上限}\n"
                  "checks:\n - {rule: 'income <= limit', field: income,"
                  " message: '收入 {income} 元超过上限 {limit} 元'}\n")


def test_check_messages_fill_placeholders():
    result = validate_answers(load_schema(CHECKED), {"income": "900", "limit": "600"})
    assert result.errors == [("income", "收入 900.00 元超过上限 600.00 元")]


def test_group_check_messages_fill_row_placeholders():
    source = HEAD + MEMBERS + ("    - {name: age, type: integer, label: 年龄}\n"
                               "   checks:\n    - {rule: 'age < 150', field: age,"
                               " message: '{name} 的年龄 {age} 不对'}\n")
    result = validate_answers(load_schema(source), {"members": [{"name": "张三", "age": 200}]})
    assert result.errors == [("members[0].age", "张三 的年龄 200 不对")]


def test_unknown_placeholder_in_a_check_message_is_refused():
    problems = _problems(CHECKED.replace("{limit} 元'", "{limt} 元'"))
    assert any("checks[0].message: 未知字段 'limt'" in p for p in problems), problems
    group = HEAD + MEMBERS + "   checks:\n    - {rule: 'true', message: '{nmae} 有误'}\n"
    assert any("fields[0].checks[0].message: 未知字段 'nmae'" in p for p in _problems(group))


def test_format_document_names_every_registered_role():
    import json

    text = json.loads((Path(__file__).resolve().parents[2] / "server" / "schemas"
                       / "format.schema.json").read_text(encoding="utf-8"))
    described = text["$defs"]["field"]["properties"]["role"]["description"]
    assert all(name in described for name in ROLES), [n for n in ROLES if n not in described]
