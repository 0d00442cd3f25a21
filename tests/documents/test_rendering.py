"""Every shipped template renders for every relief type it serves, with the expected text."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError

from server.db import db
from server.documents import operations, rendering
from server.documents.context import CASE_CONTRACT
from server.documents.errors import RenderError
from server.documents.queries import builtin_path
from server.documents.registry import KINDS, STEP_DOCUMENTS, kinds_for_step
from server.relief import ReliefCode

from .conftest import docx_text, docx_with, docx_xml

CASE_KINDS = [name for name, kind in KINDS.items() if kind.scope == "case"]


def test_every_kind_has_a_shipped_template_and_a_step_or_scope():
    stepped = {k for kinds in STEP_DOCUMENTS.values() for k in kinds}
    for name, kind in KINDS.items():
        assert builtin_path(name).exists(), name
        assert name in stepped or kind.scope != "case", name
    assert len(KINDS) == 19  # with supervision's 复核决定书 and 资金发放计划


def test_contract_names_do_not_shadow_dict_methods():
    """Jinja reads ``x.items`` as the dict method: no contract may use such a name."""

    def names(shape):
        if isinstance(shape, dict):
            for key, value in shape.items():
                yield key
                yield from names(value)
        elif isinstance(shape, list):
            yield from names(shape[0])

    for kind in KINDS.values():
        clash = set(names(kind.contract())) & set(dir(dict))
        assert not clash, (kind.name, clash)


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_case_template_renders_for_every_relief_type_it_serves(cases, kind):
    for code in sorted(KINDS[kind].relief_types):
        _check_rendered(kind, code, cases[code])


def _check_rendered(kind, code, case):
    data = operations.render_kind(kind, case)
    text = docx_text(data)
    assert case.applicant_name in text
    assert "None" not in text and "{{" not in text and "{%" not in text
    if kind in {"acceptance_slip", "application", "decision_form", "refusal_notice",
                "confirmation_notice", "household_survey", "one_time_notice"}:
        assert case.case_number in text
    if kind == "acceptance_slip":
        assert "2026年11月2日" in text
    if kind == "application":
        assert all(m.name in text for m in case.members)
        assert "糖尿病" in text if code == ReliefCode.DB else True


def test_decision_form_amounts_in_figures_and_capitals(cases):
    text = docx_text(operations.render_kind("decision_form", cases[ReliefCode.DB]))
    assert "¥1,120.00" in text
    assert "壹仟壹佰贰拾元整" in text
    assert "2026年12月" in text and "2026年11月20日" in text
    ls = docx_text(operations.render_kind("decision_form", cases[ReliefCode.LS]))
    assert "¥3,000.00" in ls and "叁仟元整" in ls


def test_household_survey_lists_income_and_members(cases):
    text = docx_text(operations.render_kind("household_survey", cases[ReliefCode.DB]))
    assert "残疾人两项补贴" in text and "豁免" in text
    assert "¥3,200.00" in text and "李建国" in text and "残疾二级" in text


def test_ampersand_survives_autoescape(cases):
    case = cases[ReliefCode.DB]
    case.answers = {**case.answers, "reason": "A&B <医疗> 支出", "address": "东风村&红旗村交界"}
    db.session.flush()
    data = operations.render_kind("application", case)
    text = docx_text(data)
    assert "A&B <医疗> 支出" in text and "东风村&红旗村交界" in text
    assert "A&amp;B &lt;医疗&gt;" in docx_xml(data)


def test_placeholder_is_configurable(app, cases):
    text = docx_text(operations.render_kind("appraisal_minutes", cases[ReliefCode.DB]))
    assert "评议地点" in text and "主持人" in text and "/" in text
    app.config["DOCUMENT_PLACEHOLDER"] = "（空）"
    text = docx_text(operations.render_kind("appraisal_minutes", cases[ReliefCode.DB]))
    assert "（空）" in text and "None" not in text


def test_one_time_notice_lists_missing_materials(cases):
    text = docx_text(operations.render_kind("one_time_notice", cases[ReliefCode.DB]))
    assert "1. 李建国的残疾证复印件" in text and "2. 近6个月医疗费用票据" in text


def test_refusal_notice_states_rights(cases):
    case = cases[ReliefCode.DB]
    case.state, case.decision, case.refusal_reason = "refused", "refuse", "家庭人均收入高于低保标准"
    text = docx_text(operations.render_kind("refusal_notice", case))
    assert "家庭人均收入高于低保标准" in text
    assert "60日内" in text and "行政复议" in text and "6个月内" in text and "行政诉讼" in text


def test_kinds_for_step_follow_the_case(cases):
    db_case, tk_case = cases[ReliefCode.DB], cases[ReliefCode.TK]
    assert kinds_for_step("acceptance", db_case) == [
        "acceptance_slip", "one_time_notice", "application", "authorization", "commitment"]
    assert "proxy_letter" in kinds_for_step("acceptance", tk_case)
    assert "one_time_notice" not in kinds_for_step("acceptance", tk_case)
    assert kinds_for_step("archiving", db_case) == ["archive_cover", "file_inventory"]
    assert kinds_for_step("publicity") == ["publicity_notice"]


def test_regenerating_gives_the_same_bytes(cases, user):
    case = cases[ReliefCode.DB]
    first = operations.generate("decision_form", case, user("clerk"))
    second = operations.generate("decision_form", case, user("clerk"))
    assert first.sha256 == second.sha256 and first.text_sha256 == second.text_sha256
    assert first.path == second.path
    assert first.schema_version_id == case.schema_version_id
    assert first.template_version_id is None and len(first.template_sha256) == 64
    archive_a = operations.render_kind("archive_cover", case)
    assert archive_a == operations.render_kind("archive_cover", case)


def test_sandbox_refuses_private_attributes_at_render_time(cases):
    """Even a template that skipped the lint cannot reach Python internals."""
    template = docx_with("{{ applicant.name.__class__.__mro__ }}")
    with pytest.raises(RenderError, match="不安全的属性 __class__") as info:
        operations.render_kind("application", cases[ReliefCode.DB], template=template)
    assert isinstance(info.value.__cause__, SecurityError)


def test_rendering_uses_strict_undefined(cases):
    from jinja2 import UndefinedError

    with pytest.raises(RenderError, match="没有这个字段：nickname") as info:
        operations.render_kind("application", cases[ReliefCode.DB],
                               template=docx_with("{{ applicant.nickname }}"))
    assert isinstance(info.value.__cause__, UndefinedError)


def test_shipped_templates_are_a4_with_official_margins_and_cjk_fonts():
    from docx.shared import Mm

    for name in KINDS:
        data = builtin_path(name).read_bytes()
        section = DocxTemplate(io.BytesIO(data)).get_docx().sections[0]
        assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
        assert abs(section.top_margin - Mm(37)) < Mm(1) and abs(section.bottom_margin - Mm(35)) < Mm(1)
        assert abs(section.left_margin - Mm(28)) < Mm(1) and abs(section.right_margin - Mm(26)) < Mm(1)
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            styles = archive.read("word/styles.xml").decode()
            fonts = archive.read("word/fontTable.xml").decode()
        assert 'w:eastAsia="仿宋"' in styles and 'w:eastAsia="方正小标宋简体"' in styles
        assert 'w:altName w:val="FangSong"' in fonts
        assert re.search(r"签字|盖章|专用章|立卷人", rendering.document_text(data)), name


def test_base_contract_is_complete_for_case_kinds(cases):
    """The builders produce exactly the names the contract declares (lint and render agree)."""
    for name, kind in KINDS.items():
        if kind.scope != "case":
            continue
        context = kind.build_context(cases[sorted(kind.relief_types)[0]])
        assert set(context) == set(kind.contract()), name
        for key, shape in CASE_CONTRACT.items():
            if isinstance(shape, dict):
                assert set(context[key]) == set(shape), (name, key)


@pytest.mark.parametrize("kind", ["acceptance_slip", "decision_form"])
def test_single_pass_save_equals_save_then_normalise(cases, kind):
    """Writing fixed zip entries directly gives the bytes of docxtpl's save + stable_zip."""
    case = cases[ReliefCode.DB]
    context = KINDS[kind].build_context(case, {})
    template = builtin_path(kind).read_bytes()
    env = rendering.environment()
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(rendering._images(tpl, context), jinja_env=env, autoescape=True)
    saved = io.BytesIO()
    tpl.save(saved)
    assert rendering.save_stable(tpl) == rendering.stable_zip(saved.getvalue())
    data = operations.render_kind(kind, case)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {rendering.FIXED_ZIP_TIME}
    assert data == rendering.stable_zip(data)


def test_template_parts_compile_once_per_environment(cases):
    case = cases[ReliefCode.DB]
    env = rendering.environment(operations.placeholder())
    first = operations.render_kind("application", case)
    compiled = len(env.compiled)
    assert operations.render_kind("application", case) == first
    assert len(env.compiled) == compiled
