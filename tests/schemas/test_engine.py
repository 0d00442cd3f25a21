"""The schema engine: loading with every error reported, field types, rules, shipped forms."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from server import idnumber, money
from server.schemas.engine import SchemaError, client_spec, load_schema, validate_answers
from server.schemas.fields import FIELD_TYPES

from .filling import APPLICANT, CHILD, PNG, SPOUSE, fill

FORMS = Path(__file__).resolve().parents[2] / "forms"
TODAY = date(2026, 3, 1)

MINI = """
format: 1
relief_type: DB
title: 测试
variables:
  standard: {type: money, default: "780.00"}
fields:
  - {name: applicant_id, type: id_number, label: 申请人身份证, required: true}
  - name: members
    type: group
    label: 成员
    min_rows: 1
    max_rows: 4
    fields:
      - {name: id_number, type: id_number, label: 身份证, required: true}
      - {name: relationship, type: choice, label: 关系, required: true, choices: [本人, 配偶, 子女, 父母]}
      - {name: income, type: money, label: 收入, min: 0}
      - {name: disabled, type: yes_no, label: 残疾}
      - {name: grade, type: choice, label: 等级, choices: [一级, 二级], show_if: disabled, required_if: disabled}
    checks:
      - {rule: "relationship != '子女' or age(id_number) < age(applicant_id)", message: 子女应比申请人年轻, field: relationship}
      - {rule: "relationship != '父母' or age(id_number) > age(applicant_id)", message: 父母应比申请人年长, field: relationship}
  - {name: scan, type: file, label: 扫描件, accept: [pdf, png], max_size: 1000}
  - {name: per_capita, type: money, label: 人均, compute: "sum(members.income) / count(members)"}
checks:
  - {rule: "applicant_id in members.id_number", message: 申请人须在成员中, field: members}
  - {rule: "unique(members.id_number)", message: 身份证号码重复, field: members}
hints:
  - {when: "per_capita < standard", message: "人均 {per_capita} 元低于标准 {standard} 元"}
"""


@pytest.fixture(scope="module")
def mini():
    return load_schema(MINI)


def _household(**extra):
    answers = {"applicant_id": APPLICANT, "members": [
        {"id_number": APPLICANT, "relationship": "本人", "income": "1000"},
        {"id_number": SPOUSE, "relationship": "配偶", "income": "200.50"},
        {"id_number": CHILD, "relationship": "子女", "income": "0"}]}
    answers.update(extra)
    return answers


def test_valid_household_computes_and_hints(mini):
    result = validate_answers(mini, _household(), today=TODAY)
    assert result.ok, result.errors
    assert result.computed == {"per_capita": "400.17"}  # 1200.50 / 3, half-up
    assert result.clean["members"][1]["income"] == "200.50"
    assert result.warnings == ["人均 400.17 元低于标准 780.00 元"]
    assert result.derived["members[2].id_number"] == {"birth_date": "1990-01-02", "sex": "M"}


def test_context_variable_overrides_schema_default(mini):
    result = validate_answers(mini, _household(), today=TODAY, context={"standard": "300"})
    assert result.warnings == []


def test_show_if_and_required_if(mini):
    answers = _household()
    answers["members"][1]["disabled"] = "yes"
    result = validate_answers(mini, answers, today=TODAY)
    assert result.errors == [("members[1].grade", "此项为必填项")]
    answers["members"][1]["grade"] = "二级"
    answers["members"][2]["grade"] = "一级"  # hidden: dropped, not an error
    result = validate_answers(mini, answers, today=TODAY)
    assert result.ok
    assert result.clean["members"][1]["grade"] == "二级"
    assert "grade" not in result.clean["members"][2]


@pytest.mark.parametrize("change,path,message", [
    (lambda a: a["members"][2].update(id_number=idnumber.make("220999", date(1940, 1, 1), 1)),
     "members[2].relationship", "子女应比申请人年轻"),
    (lambda a: a["members"][1].update(relationship="父母"), "members[1].relationship",
     "父母应比申请人年长"),
    (lambda a: a["members"].pop(0), "members", "申请人须在成员中"),
    (lambda a: a["members"][1].update(id_number=CHILD), "members", "身份证号码重复"),
    (lambda a: a["members"][1].update(id_number=SPOUSE[:-1] + ("0" if SPOUSE[-1] != "0" else "1")),
     "members[1].id_number", "身份证号码校验位错误，请核对是否输错"),
    (lambda a: a.update(unknown="x"), "unknown", "未知字段"),
    (lambda a: a["members"][0].update(nickname="x"), "members[0].nickname", "未知字段"),
    (lambda a: a.pop("applicant_id"), "applicant_id", "此项为必填项"),
    (lambda a: a.update(members=[]), "members", "至少填写 1 行"),
    (lambda a: a.update(members=a["members"] * 2), "members", "最多填写 4 行"),
    (lambda a: a["members"][0].update(income="1e999999"), "members[0].income", money.BAD),
    (lambda a: a["members"][0].update(income="-1"), "members[0].income", money.NEGATIVE),
    (lambda a: a["members"][0].update(income=True), "members[0].income", money.BAD),
    (lambda a: a["members"][0].update(relationship="邻居"), "members[0].relationship", "请从列表中选择"),
    (lambda a: a.update(members="not rows"), "members", "应为多行列表"),
])
def test_bad_answers_are_refused_with_paths(mini, change, path, message):
    answers = _household()
    change(answers)
    result = validate_answers(mini, answers, today=TODAY)
    assert (path, message) in result.errors, result.errors


@pytest.mark.parametrize("upload,ok", [
    (PNG, True),
    (b"%PDF-1.7\n...", False),  # starts like a PDF but does not parse
    (None, True),  # a one-page PDF that parses (made by pypdf below)
    (b"\xff\xd8\xff\xe0JFIF", False),  # JPEG not accepted by this field
    (b"MZ\x90\x00 this is an exe named scan.png", False),
    (b"<html>not a pdf</html>", False),
    (PNG + b"\0" * 2000, False),  # over max_size
])
def test_upload_checked_by_content(mini, upload, ok):
    from werkzeug.datastructures import FileStorage

    if upload is None:
        from pypdf import PdfWriter

        writer, buffer = PdfWriter(), io.BytesIO()
        writer.add_blank_page(width=3, height=3)
        writer.write(buffer)
        upload = buffer.getvalue()
    storage = FileStorage(io.BytesIO(upload), filename="scan.png", content_type="image/png")
    result = validate_answers(mini, _household(scan=storage), today=TODAY)
    assert result.ok is ok, result.errors
    if ok:
        meta = result.clean["scan"]
        assert result.uploads[meta["sha256"]] == upload
        assert meta["size"] == len(upload)


def test_answers_must_be_a_mapping(mini):
    assert validate_answers(mini, ["x"]).errors == [("", "答卷应为键值映射")]


BIG = "format: 1\nrelief_type: DB\ntitle: t\nfields:\n" + \
    "".join(f"  - {{name: f{i}, type: text, label: 字段{i}}}\n" for i in range(60000))


@pytest.mark.parametrize("source,expected", [
    ("format: 1\nrelief_type: DB\ntitle: [unclosed\n", "YAML 格式错误（第 4 行第 1 列）"),
    ("!!python/object/apply:os.system ['true']\n", "不支持的 YAML 标签"),
    ("a: &a [1, 2]\nb: *a\n", "不支持 YAML 别名"),
    ("{\"format\": 1,", "JSON 格式错误"),
    ("- just\n- a list\n", "顶层应为键值映射"),
    ("", "表单定义是空的"),
    (BIG, "表单定义过大"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields: [{name: a, type: rocket, label: x}]",
     "fields[0].type: 未知的字段类型 'rocket'"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n - {name: a, type: integer, label: x}\n"
     " - {name: b, type: text, label: y, show_if: 'a.__class__'}",
     "fields[1].show_if: 表达式中不允许使用双下划线名称"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n - {name: a, type: integer, label: x}\n"
     " - {name: b, type: text, label: y, show_if: 'a.real > 1'}",
     "fields[1].show_if: 不允许访问属性 '.real'"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
     " - {name: b, type: integer, label: y, compute: '__import__(\"os\").system(\"id\")'}",
     "fields[0].compute: 表达式中不允许使用双下划线名称"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
     " - {name: b, type: integer, label: y, compute: 'open(\"/etc/passwd\")'}",
     "fields[0].compute: 未知函数 'open'"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
     " - {name: b, type: integer, label: y, compute: '9 ** 9999999'}",
     "fields[0].compute: 乘方的指数只能是 0 到 10 的整数"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
     " - {name: b, type: integer, label: y, compute: '[x for x in range(10**9)]'}",
     "fields[0].compute: 不支持 lambda 或推导式"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
     " - {name: b, type: integer, label: y, compute: '" + "1+" * 300 + "1'}",
     "fields[0].compute: 表达式过长"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n - {name: income, type: money, label: x}\n"
     " - {name: b, type: text, label: y, show_if: 'incme > 1'}",
     "fields[1].show_if: 未知字段 'incme'"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
     " - {name: b, type: text, label: y, show_if: 'c > 1'}\n - {name: c, type: integer, label: z}",
     "fields[0].show_if: 字段 'c' 在后面才定义"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n - {name: a, type: text, label: x, min_rows: 2}",
     "fields[0].min_rows: 类型 text 没有选项 'min_rows'"),
    ("format: 1\nrelief_type: DB\ntitle: t\nfields:\n - {name: a, type: text, label: x}\n"
     " - {name: a, type: text, label: y}", "fields[1].name: 字段名 'a' 重复"),
    ("format: 1\nrelief_type: ZZ\ntitle: t\nfields:\n - {name: a, type: text}",
     "relief_type: 取值应为"),
])
def test_bad_schemas_are_refused_with_paths(source, expected):
    with pytest.raises(SchemaError) as info:
        load_schema(source)
    assert any(expected in str(problem) for problem in info.value.errors), \
        info.value.errors


def test_every_error_is_reported_at_once():
    source = ("format: 1\nrelief_type: ZZ\ntitle: t\nfields:\n"
              " - {name: a, type: rocket, label: x}\n"
              " - {name: b, type: text, label: y, show_if: 'incme > 1'}\n"
              " - {name: c, type: group, label: z, fields: [{name: d, type: text, label: w,"
              " show_if: 'nope'}]}\n")
    with pytest.raises(SchemaError) as info:
        load_schema(source)
    paths = [p.path for p in info.value.errors]
    assert paths == ["relief_type", "fields[0].type", "fields[1].show_if",
                     "fields[2].fields[0].show_if"]
    assert "Traceback" not in str(info.value)


def test_registry_has_every_type():
    assert set(FIELD_TYPES) >= {"text", "long_text", "integer", "money", "date", "choice",
                                "multi_choice", "yes_no", "id_number", "phone", "village",
                                "bank_account", "file", "group"}


@pytest.mark.parametrize("raw,ok", [("13800138000", True), ("0431-85551234", True),
                                    ("043185551234", True), ("+86 138 0013 8000", True),
                                    ("12345", False), ("23800138000", False)])
def test_phone(raw, ok):
    definition = load_schema("format: 1\nrelief_type: LS\ntitle: t\nfields:\n"
                             " - {name: p, type: phone, label: 电话}")
    assert validate_answers(definition, {"p": raw}).ok is ok


@pytest.mark.parametrize("code", ["DB", "TK", "LS", "BY"])
def test_shipped_form_filled_completely_has_no_errors(app, demo, code):
    definition = load_schema((FORMS / f"{code}.yaml").read_text(encoding="utf-8"))
    assert definition["relief_type"] == code
    answers = fill(definition)
    result = validate_answers(definition, answers, demo.demo_user("clerk"), today=TODAY)
    assert result.ok, result.errors
    assert result.computed["household_size"] == 3
    assert result.computed["per_capita_income"] is not None
    assert client_spec(definition, demo.demo_user("clerk"))["fields"]


def test_village_choices_are_limited_to_the_user_region(app, demo):
    definition = load_schema((FORMS / "DB.yaml").read_text(encoding="utf-8"))
    answers = fill(definition, village="220999201201")  # 太平村, not under 东风镇
    result = validate_answers(definition, answers, demo.demo_user("clerk"), today=TODAY)
    assert ("village", "请选择您辖区内的村（社区）") in result.errors
    assert validate_answers(definition, answers, demo.demo_user("clerk2"), today=TODAY).ok


def test_db_per_capita_income_subtracts_exempt_items():
    definition = load_schema((FORMS / "DB.yaml").read_text(encoding="utf-8"))
    answers = fill(definition)
    for member, income in zip(answers["members"], ("1000", "500", "0")):
        member["monthly_income"] = income
    answers["incomes"] = [
        {"kind": "转移净收入", "amount": "300", "is_exempt": True},
        {"kind": "财产净收入", "amount": "101", "is_exempt": False}]
    result = validate_answers(definition, answers, today=TODAY)
    assert result.ok, result.errors
    assert result.computed["income_total"] == "1901.00"
    assert result.computed["exempt_total"] == "300.00"
    assert result.computed["per_capita_income"] == "533.67"  # 1601 / 3
    assert any("低于低保标准 780.00 元" in w for w in result.warnings)


@pytest.mark.parametrize("unable,level", [(0, "全自理"), (1, "半护理"), (3, "半护理"),
                                          (4, "全护理"), (6, "全护理")])
def test_tk_care_level_from_six_items(unable, level):
    definition = load_schema((FORMS / "TK.yaml").read_text(encoding="utf-8"))
    answers = fill(definition)
    items = ["care_eating", "care_dressing", "care_bed", "care_toilet", "care_walking",
             "care_bathing"]
    for i, item in enumerate(items):
        answers[item] = "1" if i < unable else "0"
    result = validate_answers(definition, answers, today=TODAY)
    assert result.ok, result.errors
    assert result.computed["unable_items"] == unable
    assert result.computed["care_level"] == level
    assert result.clean["care_level"] == level


def test_ls_spending_fields_show_only_for_spending_type():
    definition = load_schema((FORMS / "LS.yaml").read_text(encoding="utf-8"))
    answers = fill(definition)
    answers.update(ls_kind="spending", spending_total="5000", spending_reimbursed="1200",
                   amount_requested="9000")
    answers.pop("is_urgent")
    result = validate_answers(definition, answers, today=TODAY)
    assert result.ok, result.errors
    assert result.computed["net_spending"] == "3800.00"
    assert "is_urgent" in result.hidden
    assert any("一事一议" in w for w in result.warnings)
    answers["ls_kind"] = "emergency"
    result = validate_answers(definition, answers, today=TODAY)
    assert ("is_urgent", "此项为必填项") in result.errors
    assert "spending_total" not in result.clean
