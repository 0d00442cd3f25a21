"""WTForms built at runtime from a schema: rendering fields, parsing a post, placing errors."""
from __future__ import annotations

import io
from pathlib import Path

from werkzeug.datastructures import FileStorage, MultiDict

from server.schemas.engine import load_schema, validate_answers
from server.schemas.wtf import (
    answers_for_form,
    answers_from_form,
    apply_errors,
    build_form_class,
    field_path,
    template_row,
)

from .filling import APPLICANT, PNG, SPOUSE

FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_form_post_round_trip(app, demo):
    definition = load_schema((FORMS / "DB.yaml").read_text(encoding="utf-8"))
    clerk = demo.demo_user("clerk")
    data = MultiDict({
        "applicant_name": "张三", "applicant_id_number": APPLICANT, "phone": "13800138000",
        "village": "220999101201", "address": "东风村 1 号", "hukou_type": "rural",
        "reason": "生病", "deposits": "0", "has_vehicle": "no", "house_count": "1",
        "bank_name": "农商行", "bank_account": "6222021234567890123",
        "members-0-name": "张三", "members-0-id_number": APPLICANT,
        "members-0-relationship": "本人", "members-0-hukou": "rural",
        "members-0-work_ability": "有劳动能力", "members-0-is_disabled": "no",
        "members-0-has_illness": "no", "members-0-monthly_income": "600",
        "members-2-name": "李四", "members-2-id_number": SPOUSE[:-1] + "0",
        "members-2-relationship": "配偶", "members-2-hukou": "rural",
        "members-2-work_ability": "有劳动能力", "members-2-is_disabled": "yes",
        "members-2-has_illness": "no", "members-2-monthly_income": "300",
    })
    data.add("id_scan", FileStorage(io.BytesIO(PNG), filename="id.png"))
    with app.test_request_context(method="POST", data=data):
        form = build_form_class(definition, clerk)()
        assert [c.value if hasattr(c, "value") else c[0] for c in form.village.choices][1:] == [
            "220999101201", "220999101202", "220999101203"]
        answers = answers_from_form(definition, form)
        assert len(answers["members"]) == 2  # WTForms closes the gap in the row numbers
        result = validate_answers(definition, answers, clerk)
        assert result.clean["id_scan"]["kind"] == "png"
        expected = {("members[1].id_number", "身份证号码校验位错误，请核对是否输错"),
                    ("members[1].disability_grade", "此项为必填项")}
        assert expected <= set(result.errors)
        leftover = apply_errors(form, result)
        assert form.members.entries[1].form.disability_grade.errors == ["此项为必填项"]
        assert field_path(form.members.entries[1].form.id_number) == "members[1].id_number"
        assert ("members", "申请人本人必须列在家庭成员中") not in leftover
        row = template_row(form, "members")
        assert row.form.monthly_income.name == "members-__index__-monthly_income"
        assert form.per_capita_income.render_kw["readonly"] is True


def test_stored_answers_fill_the_form(app, demo):
    definition = load_schema((FORMS / "TK.yaml").read_text(encoding="utf-8"))
    stored = {"applicant_name": "王五", "is_disabled": True,
              "members": [{"name": "王五", "is_disabled": False}]}
    with app.test_request_context():
        form = build_form_class(definition)(data=answers_for_form(definition, stored))
        assert form.applicant_name.data == "王五"
        assert form.is_disabled.data == "yes"
        assert form.members.entries[0].form.is_disabled.data == "no"
