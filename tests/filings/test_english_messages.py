"""Refusals of the filings room are English in English mode and unchanged in Chinese; a
message a build stores on the filing's row is read back in the reader's language (issue 15
point 2)."""
from __future__ import annotations

import html
import io
from datetime import date

import pytest
from flask_babel import force_locale

from server import jobs
from server.db import db
from server.filings.operations import LOCKED, filing_for

from ..conftest import region

TOWNSHIP = "220999101000"
ACCEPT = {"en": "en", "zh_CN": "zh-CN"}


@pytest.fixture
def filing(demo):
    row = filing_for(region(TOWNSHIP), date(2026, 3, 1))
    db.session.commit()
    return row


@pytest.mark.parametrize("locale,expected", [
    ("en", "Build this month's table and roster first"), ("zh_CN", "请先生成本月统计表和花名册"),
])
def test_ui_submit_before_building_is_refused_in_the_page_language(login, filing, locale,
                                                                   expected):
    clerk = login("clerk")
    if locale == "en":
        clerk.post("/language", data={"locale": "en", "next": "/"})
    page = html.unescape(clerk.post(f"/filings/{filing.id}/submit", data={"confirm": "1"},
                                    follow_redirects=True).get_data(as_text=True))
    assert expected in page
    if locale == "en":
        assert "请先生成" not in page
        clerk.post("/language", data={"locale": "zh_CN"})


@pytest.mark.parametrize("locale,data,expected", [
    ("en", b"\n\n", "The file is empty"), ("zh_CN", b"\n\n", "文件为空"),
    ("en", "姓名,身份证号,账号\n".encode(), "Missing column: 金额"),
    ("zh_CN", "姓名,身份证号,账号\n".encode(), "缺少列：金额"),
    ("en", "姓名,身份证号,账号,金额\n张三,x,1,\n".encode(),
     "Row 2, column “金额”: the amount is missing"),
    ("zh_CN", "姓名,身份证号,账号,金额\n张三,x,1,\n".encode(), "第2行“金额”列：请填写金额"),
])
def test_api_roster_refusals(api, filing, locale, data, expected):
    client, headers = api("clerk")
    response = client.post(f"/api/v1/filings/{filing.id}/reconcile",
                           headers={**headers, "Accept-Language": ACCEPT[locale]},
                           data={"roster": (io.BytesIO(data), "bank.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "roster", "message": expected}]


@pytest.mark.parametrize("locale,expected", [
    ("en", "Choose a township (subdistrict) in your area"), ("zh_CN", "请选择本辖区内的乡镇（街道）"),
])
def test_api_build_outside_the_region(api, demo, locale, expected):
    client, headers = api("clerk")
    response = client.post("/api/v1/filings/",
                           headers={**headers, "Accept-Language": ACCEPT[locale]},
                           json={"township_id": region("220999201000").id,
                                 "month": "2026-03-01"})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "township_id", "message": expected}]


def test_a_stored_build_error_is_read_back_in_the_readers_language(app):
    with app.test_request_context():
        with force_locale("en"):
            error = jobs.stored(LOCKED)
        assert error == "本月备案已提交锁定，如需修改请先申请重新打开"
        assert jobs.progress_label(error) == error
        with force_locale("en"):
            assert jobs.progress_label(error) == str(LOCKED)


@pytest.mark.parametrize("locale,expected", [
    ("en", "Table and roster built: 0 households, 0.00 yuan."),
    ("zh_CN", "已生成报表和花名册：0 户，0.00 元。"),
])
def test_build_outcome_in_the_readers_language(login, filing, locale, expected):
    """Leftover (a): what a build says when done is composed when read (nothing Chinese is
    stored for it), so each reader gets their language."""
    clerk = login("clerk")
    assert clerk.post("/filings/build", data={"township_id": filing.region_id,
                                              "month": "2026-03"}).status_code == 302
    if locale == "en":
        clerk.post("/language", data={"locale": "en", "next": "/"})
    status = clerk.get(f"/filings/{filing.id}/build-status").json
    assert (status["status"], status["message"]) == ("done", expected)
    if locale == "en":
        clerk.post("/language", data={"locale": "zh_CN"})
