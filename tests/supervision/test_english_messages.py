"""Supervision's refusals in the reader's language: English msgids on English pages and for
``Accept-Language: en`` API callers, the same Chinese text as before otherwise."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from server.demo import demo_user
from server.documents.registry import available
from server.supervision import operations

from ..archives.factories import make_case
from ..conftest import region
from ..language import asking, flashed, speak

# locale: (Accept-Language, rate refusal, _text refusal, complaint refusal, bad parameter)
TEXTS = {
    "en": ("en", "The rate must be between 30% and 100%", "Enter the complaint",
           "The person complained about is not township staff",
           "The format must be xlsx or docx"),
    "zh_CN": ("zh-CN", "抽查比例应在 30% 到 100% 之间", "请填写举报内容",
              "被举报人不是乡镇（街道）工作人员", "格式应为 xlsx 或 docx"),
}


@pytest.mark.parametrize("locale", TEXTS)
def test_page_refusals_follow_the_page_language(login, locale):
    _header, rate, content, _staff, fmt = TEXTS[locale]
    client = speak(login("supervisor"), locale)
    township = region("220999101000").id
    page = flashed(client, client.post("/supervision/draws", data={
        "township_id": township, "month": "2026-03", "rate_percent": "10"}))
    assert rate in page
    page = flashed(client, client.post("/supervision/complaints", data={
        "channel": "hotline_12345", "concerns": "staff", "content": " ",
        "staff_user_id": demo_user("clerk").id}))
    assert content in page  # a message passed through the _text helper
    response = client.get("/supervision/funding-plan/file?format=pdf")
    assert response.status_code == 400 and fmt in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", TEXTS)
def test_api_refusals_follow_accept_language(api, locale):
    header, rate, _content, staff, _fmt = TEXTS[locale]
    client, headers = asking(api, "supervisor", header)
    township = region("220999101000").id
    response = client.post("/api/v1/supervision/draws", headers=headers, json={
        "township_id": township, "month": "2026-03-01", "rate_percent": 10})
    # (the top-level message of a 422 is the API's own "check the marked fields")
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "rate_percent", "message": rate}]
    response = client.post("/api/v1/supervision/complaints", headers=headers, json={
        "channel": "visit", "concerns": "staff", "content": "x",
        "staff_user_id": demo_user("supervisor").id})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "staff_user_id", "message": staff}]


@pytest.mark.parametrize("locale, text", [
    ("en", "The county has decided no review of this case: there is no review decision to issue"),
    ("zh_CN", "该案件没有县级已作出的复核决定，不出具复核决定书")])
def test_a_document_refusal_and_a_raised_refusal_read_in_the_language_shown(demo, locale, text):
    case = make_case()
    with force_locale(locale):
        assert available("review_decision", case).reason == text
    try:
        operations.record_meeting(region("220999000000"), date(2026, 3, 1), [], [],
                                  demo_user("supervisor"))
    except operations.DrawError as exc:
        refusal = exc
    with force_locale(locale):  # the message is lazy: read in the language of the reader
        assert str(refusal) == {"en": "A consultation meeting is recorded per township",
                                "zh_CN": "会商会议以乡镇（街道）为单位"}[locale]
