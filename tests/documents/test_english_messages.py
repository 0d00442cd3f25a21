"""Refusals, template checks and print-pack progress of the documents room are English in
English mode and unchanged in Chinese (issue 15 point 2)."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from server import jobs
from server.documents.errors import RenderLimit
from server.documents.operations import GENERATED_ONE
from server.documents.pdf import NOT_FOUND, timed_out
from server.documents.sandbox import TOO_BIG
from server.relief import ReliefCode

from .conftest import docx_with

LANGUAGES = {"en": "en", "zh_CN": "zh-CN"}  # UI locale -> Accept-Language


def _english(client) -> None:
    client.post("/language", data={"locale": "en", "next": "/"})


@pytest.mark.parametrize("locale,expected", [
    ("en", "Unknown document kind"), ("zh_CN", "未知的文书类型"),
])
def test_api_unknown_kind(api, cases, locale, expected):
    client, headers = api("clerk")
    response = client.post(f"/api/v1/documents/cases/{cases[ReliefCode.DB].id}",
                           headers={**headers, "Accept-Language": LANGUAGES[locale]},
                           json={"kind": "nope"})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "kind", "message": expected}]
    # a template of an unknown kind: 404 naming it
    admin, admin_headers = api("admin")
    missing = admin.get("/api/v1/documents/templates/nope",
                        headers={**admin_headers, "Accept-Language": LANGUAGES[locale]})
    assert (missing.status_code, missing.json["message"]) == (
        404, {"en": "Unknown document kind: nope", "zh_CN": "未知的文书类型：nope"}[locale])


@pytest.mark.parametrize("locale,expected", [
    ("en", "The case is “{state}” now; “Refusal notice” can only be issued once "
           "assistance is refused"),
    ("zh_CN", "案件当前为“{state}”，不予救助告知书只能在作出不予救助决定后出具"),
])
def test_api_refusal_of_a_kind_the_case_does_not_call_for(api, cases, locale, expected):
    client, headers = api("clerk")
    case = cases[ReliefCode.DB]
    response = client.post(f"/api/v1/documents/cases/{case.id}",
                           headers={**headers, "Accept-Language": LANGUAGES[locale]},
                           json={"kind": "refusal_notice"})
    assert response.status_code == 409, response.json
    assert response.json["message"] == expected.format(state=_state(case, locale))


def _state(case, locale):
    from server.cases.workflows import STATE_LABELS

    with force_locale(locale):
        return str(STATE_LABELS[case.state])


@pytest.mark.parametrize("locale,filename,text,expected", [
    ("en", "x.txt", "", "Only .docx files can be uploaded"),
    ("zh_CN", "x.txt", "", "只能上传 .docx 文件"),
    ("en", "t.docx", "{{ undefined_thing }}", "Undefined variable undefined_thing (in the "
                                             "paragraph “{{ undefined_thing }}”)"),
    ("zh_CN", "t.docx", "{{ undefined_thing }}", "未定义的变量 undefined_thing（所在段落："
                                                "“{{ undefined_thing }}”）"),
    ("en", "t.docx", "{{ case.number }", "Template syntax error: "),
    ("zh_CN", "t.docx", "{{ case.number }", "模板语法错误："),
    ("en", "t.docx", "{{ 'a' * 100000000 }}", "The template repeats something too many times"),
    ("zh_CN", "t.docx", "{{ 'a' * 100000000 }}", "模板中的重复次数过多（如 'a' * 很大的数）（"),
])
def test_api_template_upload_refusals(api, demo, locale, filename, text, expected):
    client, headers = api("admin")
    response = client.post("/api/v1/documents/templates/application",
                           headers={**headers, "Accept-Language": LANGUAGES[locale]},
                           data={"file": (io.BytesIO(docx_with(text)), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    messages = [e["message"] for e in response.json["errors"]]
    assert any(m.startswith(expected) for m in messages), messages


def test_ui_template_page_shows_lint_errors_in_english(login, demo):
    client = login("admin")
    _english(client)
    bad = client.post("/documents/templates/application", data={
        "file": (io.BytesIO(docx_with("{{ applicant.nmae }}")), "bad.docx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "No such field: nmae" in bad.get_data(as_text=True)
    client.post("/language", data={"locale": "zh_CN"})


@pytest.mark.parametrize("locale,expected", [
    ("en", "Acceptance slip generated."), ("zh_CN", "受理回执"),
])
def test_ui_generate_flash_names_the_kind_in_the_page_language(login, cases, locale, expected):
    client = login("clerk")
    if locale == "en":
        _english(client)
    page = client.post(f"/documents/cases/{cases[ReliefCode.DB].id}/generate",
                       data={"kind": "acceptance_slip"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert expected in text
    if locale == "en":
        assert "受理回执 generated" not in text
        client.post("/language", data={"locale": "zh_CN"})


@pytest.mark.parametrize("locale,message,expected", [
    ("en", lambda: RenderLimit(TOO_BIG), "A number in the template is too large; stopped"),
    ("zh_CN", lambda: RenderLimit(TOO_BIG), "模板中的数值过大，已停止"),
])
def test_render_limits_in_the_readers_language(app, locale, message, expected):
    with app.test_request_context(), force_locale(locale):
        assert str(message()) == expected


def test_print_pack_progress_and_pdf_errors_are_stored_chinese_and_read_back(app):
    """(c): the document's title in a stored progress message is shown in English on English
    pages; PDF errors stored on the job row are read back too."""
    with app.test_request_context():
        with force_locale("en"):
            generated = jobs.stored(GENERATED_ONE, document="受理回执")
            timeout = jobs.stored(timed_out(30))
            missing = jobs.stored(NOT_FOUND)
        assert generated == "已生成 受理回执"
        assert timeout == "LibreOffice 转换超过 30 秒未完成，已终止"
        assert missing.startswith("未找到 LibreOffice，暂不能生成 PDF")
        assert [jobs.progress_label(m) for m in (generated, timeout, missing)] == \
            [generated, timeout, missing]
        with force_locale("en"):
            assert jobs.progress_label(generated) == "Generated: Acceptance slip"
            assert jobs.progress_label(timeout) == \
                "LibreOffice did not finish converting within 30 seconds and was stopped"
            assert jobs.progress_label(missing) == str(NOT_FOUND)


@pytest.mark.parametrize("locale,expected", [
    ("en", "County archive copy written"), ("zh_CN", "县级存档已写入"),
])
def test_bundle_copy_written_in_the_readers_language(app, locale, expected):
    """(b): the bundle's "<copy> written" progress names the copy in the reader's language."""
    with app.test_request_context(), force_locale(locale):
        assert jobs.progress_label("县级存档 written") == expected


@pytest.mark.parametrize("locale,expected", [
    ("en", "LibreOffice was not found, so no PDF can be made for now"),
    ("zh_CN", "未找到 LibreOffice，暂不能生成 PDF"),
])
def test_print_pack_without_soffice_says_why_in_the_readers_language(app, login, cases, locale,
                                                                      expected):
    """The job row stores the reason in Chinese (the pack ran inside an English request
    here); the status shows it in the reader's language."""
    from server.db import db
    from server.documents.models import PrintJob

    app.config["SOFFICE"] = "/nonexistent/soffice"
    case = cases[ReliefCode.DB]
    client = login("clerk")
    if locale == "en":
        _english(client)
    response = client.post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"})
    status = client.get(response.headers["Location"] + "/status").json
    assert status["status"] == "done" and status["error"].startswith(expected)
    job = db.session.get(PrintJob, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.error.startswith("未找到 LibreOffice")
    if locale == "en":
        client.post("/language", data={"locale": "zh_CN"})
