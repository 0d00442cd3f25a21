"""Refusals of the archives room are English in English mode and unchanged in Chinese; what a
bundle job stores on its row is read back in the reader's language (issue 15 point 2)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from server import jobs
from server.archives.sources import PDF_RETRY
from server.archives.tasks import BATCH_STOPPED, BATCHED, BUNDLED, NOTHING_DECIDED

ACCEPT = {"en": "en", "zh_CN": "zh-CN"}


@pytest.mark.parametrize("locale,expected", [
    ("en", {"approval": "Approval files: the retention must be 3–100 years or permanent",
            "monthly_report": "Monthly reports: the retention must be whole years or permanent",
            "nope": "Unknown class of files"}),
    ("zh_CN", {"approval": "审核确认档案的保管年限须在 3–100 年之间或永久",
               "monthly_report": "月度报表的保管年限须为整数年或永久",
               "nope": "未知的档案类别"}),
])
def test_api_retention_refusals(api, demo, locale, expected):
    client, headers = api("admin")
    headers = {**headers, "Accept-Language": ACCEPT[locale]}
    unknown = client.put("/api/v1/archives/retention", headers=headers, json={"nope": 3})
    assert unknown.status_code == 422 and unknown.json["errors"] == [
        {"path": "nope", "message": expected["nope"]}]
    bad = client.put("/api/v1/archives/retention", headers=headers,
                     json={"approval": 2, "monthly_report": "x"})
    assert bad.status_code == 422
    assert {e["path"]: e["message"] for e in bad.json["errors"]} == {
        k: v for k, v in expected.items() if k != "nope"}


@pytest.mark.parametrize("locale,expected", [
    ("en", "The archive number pattern must contain {seq} and may only use "
           "{county} {year} {type} {seq}"),
    ("zh_CN", "档案号格式必须包含 {seq}，且只能使用 {county} {year} {type} {seq}"),
])
def test_ui_number_pattern_refusal(login, demo, locale, expected):
    admin = login("admin")
    if locale == "en":
        admin.post("/language", data={"locale": "en", "next": "/"})
    page = admin.post("/archives/settings", data={"number_pattern": "{year}"})
    assert page.status_code == 400 and expected in page.get_data(as_text=True)
    if locale == "en":
        admin.post("/language", data={"locale": "zh_CN"})


def test_job_outcomes_are_stored_chinese_and_read_back(app):
    with app.test_request_context():
        with force_locale("en"):  # a job run inside an English request stores Chinese too
            stored = [jobs.stored(BUNDLED, number="DA-2026-DB-A000001"),
                      jobs.stored(BATCHED, count=3), jobs.stored(NOTHING_DECIDED),
                      jobs.stored(BATCH_STOPPED, count=2, reason="数据目录空间已满"),
                      jobs.stored(PDF_RETRY)]
        assert stored == ["已生成档案 DA-2026-DB-A000001（两套）", "已归档 3 件",
                          "本月没有已决定的案件，未归档任何案件", "已归档 2 件；数据目录空间已满",
                          "LibreOffice 转换 PDF 失败或超时，稍后自动重试。"]
        assert [jobs.progress_label(m) for m in stored] == stored
        with force_locale("en"):
            assert [jobs.progress_label(m) for m in stored] == [
                "Archive DA-2026-DB-A000001 made (both copies)", "3 files archived",
                "No case was decided this month; nothing was archived",
                "2 files archived; 数据目录空间已满", str(PDF_RETRY)]
