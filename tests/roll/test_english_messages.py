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
