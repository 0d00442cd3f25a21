"""The roll room's refusals in the reader's language (flash, mapping form, API); the Chinese
texts unchanged. The file's own Chinese headers stay what they are: only messages change."""
from __future__ import annotations

from html import unescape

import pytest

from ..language import asking, flashed, speak
from .conftest import upload

# locale: (Accept-Language, wrong file type, unknown column, bad month)
TEXTS = {
    "en": ("en", "Only a CSV or XLSX file can be imported", 'Unknown column "身份证"',
           "Write the month as 2026-11"),
    "zh_CN": ("zh-CN", "只能导入 CSV 或 XLSX 文件", "未知的列“身份证”", "月份格式应为 2026-11"),
}


@pytest.mark.parametrize("locale", TEXTS)
def test_page_refusals_follow_the_page_language(admin, locale):
    _header, wrong_type, unknown, _month = TEXTS[locale]
    speak(admin, locale)
    assert wrong_type in flashed(admin, upload(admin, b"a,b\n", name="roll.txt"))
    page = admin.post("/roll/mapping", data={"layout": "roll",
                                             "columns": "身份证 = 号码\n不存在 = x"})
    assert page.status_code == 400
    assert unknown in unescape(page.get_data(as_text=True))


@pytest.mark.parametrize("locale", TEXTS)
def test_api_refusals_follow_accept_language(api, locale):
    header, _wrong_type, unknown, month = TEXTS[locale]
    client, headers = asking(api, "admin", header)
    response = client.put("/api/v1/roll/mapping", headers=headers, json={
        "layout": "roll", "columns": [{"column": "身份证", "title": "x"},
                                      {"column": "户主身份证号", "title": "y"}]})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "columns", "message": unknown}]
    response = client.get("/api/v1/roll/exports", headers=headers,
                          query_string={"month": "1800-01"})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "month", "message": month}]


def test_a_typed_column_in_a_refusal_is_escaped_on_the_page(admin):
    """A refusal quoting what was typed is text, never markup (lazy strings count as markup)."""
    speak(admin, "en")
    page = admin.post("/roll/mapping", data={"layout": "roll", "columns": "<b>x</b> = y"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "<b>x</b>" not in text
    assert 'Unknown column "&lt;b&gt;x&lt;/b&gt;"' in text.replace("&#34;", '"')


# locale: (missing name, bad check character, village not found) as the job page shows them
ROW_PROBLEMS = {
    "en": ("Please fill in the member's name",
           "The ID number's check character is wrong: check it for a typing error",
           'There is no village (community) named "不存在村" in 太平乡'),
    "zh_CN": ("请填写成员姓名", "身份证号码校验位错误，请核对是否输错", "太平乡没有名为“不存在村”的村（社区）"),
}


def _bad_rows():
    from .conftest import flat, households

    rows = flat(households(3))
    rows[0]["name"] = ""
    number = rows[1]["id_number"]
    rows[1]["id_number"] = number[:17] + ("0" if number[17] != "0" else "1")
    rows[2].update(township="太平乡", village="不存在村")
    return rows


@pytest.mark.parametrize("locale", ROW_PROBLEMS)
def test_row_problems_follow_the_reader_language(admin, api, locale):
    """Row problems are stored in the office's language and read in the reader's, on the job
    page and in the API."""
    from .conftest import csv_file, last_job

    speak(admin, locale)
    page = admin.get(upload(admin, csv_file(_bad_rows()), name="roll.csv").headers["Location"])
    job = last_job()
    assert {p["message"] for p in job.problems} >= set(ROW_PROBLEMS["zh_CN"])  # stored: Chinese
    text = unescape(page.get_data(as_text=True))
    for message in ROW_PROBLEMS[locale]:
        assert message in text
    client, headers = asking(api, "admin", TEXTS[locale][0])
    answer = client.get(f"/api/v1/roll/imports/{job.id}", headers=headers).json
    assert set(ROW_PROBLEMS[locale]) <= {p["message"] for p in answer["problems"]}


@pytest.mark.parametrize("locale", ROW_PROBLEMS)
def test_an_unreadable_file_fails_in_the_reader_language(admin, locale):
    from .conftest import last_job

    speak(admin, locale)
    page = admin.get(upload(admin, b"PK\x03\x04 not a zip", name="roll.xlsx").headers["Location"])
    assert (last_job().status, last_job().message) == ("failed", "无法读取该 XLSX 文件")
    expected = {"en": "This XLSX file cannot be read", "zh_CN": "无法读取该 XLSX 文件"}[locale]
    assert expected in unescape(page.get_data(as_text=True))


def test_every_stored_row_problem_reads_back_in_english_with_its_values(app):
    """Each row problem, stored in Chinese with values, reads back as its own English message
    (no other message's pattern swallows it)."""
    import re

    from flask_babel import force_locale, gettext

    from server.jobs import progress_label, stored
    from server.roll import validation

    messages = [m for m in vars(validation).values() if hasattr(m, "_args")]
    assert len(messages) > 30
    with app.test_request_context():
        for message in messages:
            msgid = message._args[0]
            values = {name: f"V{i}" for i, name in enumerate(re.findall(r"%\((\w+)\)s", msgid))}
            text = stored(message, **values)
            assert not re.search(r"[A-Za-z]{4}", text.replace("jiuzhu forms sync", "")), text
            with force_locale("en"):
                assert progress_label(text) == gettext(msgid, **values)
