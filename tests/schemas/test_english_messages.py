"""English mode (issue 15 point 2): the forms room's refusals are English in English and the
same Chinese as before in Chinese: a form's answers, the schema lint, expressions, the builder,
version operations; through the engine, the builder page and the API."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from server.schemas import editing, expr, operations
from server.schemas.engine import SchemaError, client_spec, load_schema, validate_answers
from server.schemas.fields import FIELD_TYPES
from server.schemas.models import SchemaStatus, SchemaVersion

from .test_ui import _locator, _new_draft

FORM = load_schema("""
format: 1
relief_type: DB
title: 测试
fields:
  - {name: phone, type: phone, label: 电话, kind: mobile, required: true}
  - {name: born, type: date, label: 出生, not_future: true}
  - {name: id_number, type: id_number, label: 身份证}
  - {name: count, type: integer, label: 人数}
  - {name: kinds, type: multi_choice, label: 类型, choices: [甲, 乙], min_selected: 2}
  - name: members
    type: group
    label: 成员
    min_rows: 1
    fields:
      - {name: income, type: money, label: 收入}
checks:
  - {rule: "count != 3", message: 人数不能为三, message_en: The count cannot be three, field: count}
""")


def _answers(problem):
    def run():
        return dict(validate_answers(FORM, problem, today=None).errors)
    return run


def _lint(source):
    def run():
        with pytest.raises(SchemaError) as caught:
            load_schema(source)
        return {p.path: p.message for p in caught.value.errors}
    return run


def _expression(source):
    def run():
        with pytest.raises(expr.ExpressionError) as caught:
            expr.compile_expression(source, expr.Scope(names={"income"}, later={"after"}))
        return str(caught.value)
    return run


def _edit(action, refusal=editing.EditError):
    def run():
        with pytest.raises(refusal) as caught:
            action()
        return str(caught.value)
    return run


DATA = {"fields": [{"name": "a", "type": "text", "label": "甲"}]}
HEAD = "format: 1\nrelief_type: DB\ntitle: t\nfields:\n"

CASES = [
    (_answers({"phone": "", "members": [{}]}), {"phone": "This field is required"},
     {"phone": "此项为必填项"}),
    (_answers({"phone": "123", "members": []}),
     {"phone": "Enter an 11-digit mobile number", "members": "Fill in at least 1 rows"},
     {"phone": "请填写 11 位手机号码", "members": "至少填写 1 行"}),
    (_answers({"phone": "13912345678", "born": "2999-01-01", "count": "1.5",
               "kinds": ["甲", "丁"], "members": [{}], "id_number": "220102"}),
     {"born": "Must not be after today", "count": "Enter a whole number",
      "kinds": "'丁' is not one of the choices",
      "id_number": "An ID number has 18 characters: 17 digits and a last digit or X"},
     {"born": "不能晚于今天", "count": "请填写整数", "kinds": "'丁' 不是可选项",
      "id_number": "身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X"}),
    (_answers({"phone": "13912345678", "count": "3", "members": [{}]}),
     {"count": "The count cannot be three"}, {"count": "人数不能为三"}),
    (_lint(HEAD + "  - {name: a, type: nonsense, label: 甲}\n  - {name: a, type: text, label: 乙}"),
     {"fields[0].type": f"Unknown field type 'nonsense' (known: {', '.join(sorted(FIELD_TYPES))})",
      "fields[1].name": "Field name 'a' is used twice"},
     {"fields[0].type": f"未知的字段类型 'nonsense'（可用：{'、'.join(sorted(FIELD_TYPES))}）",
      "fields[1].name": "字段名 'a' 重复"}),
    (_lint(HEAD + "  - {name: a, type: text, label: 甲, required: yes_please, bogus: 1}"),
     {"fields[0]": "Unknown key 'bogus'", "fields[0].required": "The type must be true/false",
      "fields[0].bogus": "Type text has no option 'bogus'"},
     {"fields[0]": "不认识的键 'bogus'", "fields[0].required": "类型应为true/false",
      "fields[0].bogus": "类型 text 没有选项 'bogus'"}),
    (_lint("title: [unclosed"), {"": "YAML syntax error (line 1, column 17): expected ',' or ']', "
                                     "but got '<stream end>'"},
     {"": "YAML 格式错误（第 1 行第 17 列）：expected ',' or ']', but got '<stream end>'"}),
    (_expression("after + 1"), "Field 'after' is defined further down: it cannot be used here yet",
     "字段 'after' 在后面才定义，这里还不能使用"),
    (_expression("nosuch(income)"),
     f"Unknown function 'nosuch' (known: {', '.join(sorted(expr.SIGNATURES))})",
     f"未知函数 'nosuch'（可用：{'、'.join(sorted(expr.SIGNATURES))}）"),
    (_edit(lambda: editing.add_field(DATA, {"name": "a", "type": "text", "label": "乙"})),
     "A field named 'a' already exists at this level", "同一层已有名为 'a' 的字段"),
    (_edit(lambda: editing.delete_field(DATA, "0")), "A form needs at least one field",
     "表单至少要有一个字段"),
    (_edit(lambda: editing.spec_from_form({"name": "b", "type": "text", "label": "乙",
                                            "extra": "label: x"})),
     "Enter 'label' in its own input", "'label' 请在对应输入框中填写"),
    (_edit(lambda: operations.update_draft(SchemaVersion(status=SchemaStatus.published), "", None),
           operations.SchemaOperationError),
     "A published version cannot change: create a new draft", "已发布的版本不能修改，请新建草稿"),
]


@pytest.mark.parametrize("run, english, chinese", CASES)
def test_messages_are_english_in_english_and_unchanged_in_chinese(run, english, chinese):
    with force_locale("en"):
        got = run()
    assert got == english if isinstance(english, str) else (
        {k: got.get(k) for k in english} == english), got
    with force_locale("zh_CN"):
        got = run()
    assert got == chinese if isinstance(chinese, str) else (
        {k: got.get(k) for k in chinese} == chinese), got


def test_the_browser_runtime_gets_the_required_message_in_the_page_language():
    with force_locale("en"):
        assert client_spec(FORM)["messages"]["required"] == "This field is required"
    with force_locale("zh_CN"):
        assert client_spec(FORM)["messages"]["required"] == "此项为必填项"


def test_builder_refusal_is_english_on_an_english_page(login):
    """A builder edit refused (a name clash) is shown in the admin's language."""
    client = login("admin")
    draft = _new_draft(client)
    url = f"/schemas/versions/{draft.id}/builder"
    at = _locator(draft, "applicant_name")
    values = editing.form_values(editing.get_field(editing.source_data(draft.source), at))
    clash = {k: v for k, v in values.items() if v} | {"op": "add", "parent": ""}
    chinese = client.post(url, data=clash, follow_redirects=True).get_data(as_text=True)
    assert "同一层已有名为 &#39;applicant_name&#39; 的字段" in chinese
    assert client.post("/language", data={"locale": "en", "next": "/"}).status_code == 302
    english = client.post(url, data=clash, follow_redirects=True).get_data(as_text=True)
    assert "A field named &#39;applicant_name&#39; already exists at this level" in english
    assert "同一层" not in english


@pytest.mark.parametrize("language, message", [
    ("en", "Unknown field 'is_disabld'"), ("zh-CN", "未知字段 'is_disabld'")])
def test_api_lint_problems_follow_accept_language(api, language, message):
    client, headers = api("admin")
    bad = HEAD + "  - {name: x, type: text, label: x, show_if: is_disabld}\n"
    response = client.post("/api/v1/schemas/versions", json={"relief_type": "DB", "source": bad},
                           headers=headers | {"Accept-Language": language})
    assert response.status_code == 422
    assert {"path": "fields[0].show_if", "message": message} in response.json["errors"]


@pytest.mark.parametrize("value", ["220102", "220102199902300011", "220102299901010011",
                                   "220102199001010011"])
def test_the_browser_checks_id_numbers_with_the_servers_english(value):
    """The intake page's own ID check (static/js/schema-form.js) shows the server's message in
    the page's language: the spec carries it."""
    from server import idnumber

    from .test_agreement import run_node

    with force_locale("en"):
        messages = client_spec(FORM)["messages"]
        with pytest.raises(idnumber.InvalidIdNumber) as caught:
            idnumber.validate(value, today=date(2026, 3, 1))
        python = str(caught.value)
    assert python.isascii()
    job = {"ids": [{"value": value, "today": "2026-03-01", "messages": messages}]}
    assert run_node(job)["ids"] == [{"error": python}]
