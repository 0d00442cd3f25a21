"""The public side's refusals in the reader's language: a logged-out visitor who switched the
page to English reads an objection's refusal in English; a public API caller asking for
``Accept-Language: en`` too; the office's handling refusals follow the clerk's language. The
Chinese texts are unchanged."""
from __future__ import annotations

import io
from html import unescape

import pytest

from ..language import flashed, speak
from .conftest import print_notice

# locale: (Accept-Language, empty objection, replaced phone, photo not an image)
TEXTS = {
    "en": ("en", "Content is required", 'A phone number has only digits, spaces and "-"',
           "The photo must be a JPEG or PNG image"),
    "zh_CN": ("zh-CN", "请填写内容", "联系电话只能包含数字、空格和“-”", "照片须为 JPEG 或 PNG 图片"),
}


@pytest.fixture
def posted(login, in_publicity):
    village = login("village")
    _, notice = print_notice(village)
    return village, notice


@pytest.mark.parametrize("locale", TEXTS)
def test_an_objection_refused_on_the_public_page_reads_in_the_page_language(app, posted,
                                                                            locale):
    _header, empty, phone, _photo = TEXTS[locale]
    _, notice = posted
    visitor = speak(app.test_client(), locale)  # logged out: the session's language
    response = visitor.post(f"/n/{notice.token}", data={"row": "1", "text": " "})
    assert response.status_code == 422 and empty in response.get_data(as_text=True)
    response = visitor.post(f"/n/{notice.token}", data={"row": "1", "text": "x",
                                                          "phone": "call me"})
    assert response.status_code == 422 and phone in unescape(response.get_data(as_text=True))
    long = visitor.post(f"/n/{notice.token}", data={"row": "1", "text": "x" * 1001})
    assert {"en": "Content cannot be longer than 1000 characters",
            "zh_CN": "内容不能超过 1000 个字"}[locale] in long.get_data(as_text=True)


@pytest.mark.parametrize("locale", TEXTS)
def test_public_api_refusals_follow_accept_language(app, posted, locale):
    header, empty, phone, _photo = TEXTS[locale]
    _, notice = posted
    client = app.test_client()
    response = client.post(f"/api/v1/public/notices/{notice.token}/submissions",
                           headers={"Accept-Language": header},
                           json={"row": 1, "text": "", "phone": "call me"})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "text", "message": empty},
                                       {"path": "phone", "message": phone}]
    response = client.post("/api/v1/public/reports", headers={"Accept-Language": header},
                           json={"county": "nowhere", "text": "x"})
    assert response.json["errors"] == [{"path": "county", "message": {
        "en": "Unknown county", "zh_CN": "未知的县(市、区)"}[locale]}]


@pytest.mark.parametrize("locale", TEXTS)
def test_a_refused_photo_is_flashed_in_the_clerks_language(posted, locale):
    village, notice = posted
    speak(village, locale)
    response = village.post(f"/notices/posted/{notice.id}/photo",
                            data={"photo": (io.BytesIO(b"%PDF-1.4 x"), "a.jpg")})
    assert TEXTS[locale][3] in flashed(village, response)
