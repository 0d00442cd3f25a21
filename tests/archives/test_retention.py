"""Retention (保管期限): a rule per class of file set by the county, printed on the archive
cover, and the archive list filtered to files whose retention has run out."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from server.archives.operations import assign_archive_number
from server.audit.models import AuditEvent
from server.db import db
from server.documents.registry import KINDS

from .factories import make_case


@pytest.fixture(autouse=True)
def no_pdf(app):
    app.config["ARCHIVE_PDF"] = "0"


def cover_retention(case) -> str:
    return KINDS["archive_cover"].build_context(case, {})["archive"]["retention"]


def test_cover_prints_the_county_rule_not_always_long_term(login, demo):
    served = make_case()
    stopped = make_case(end=date(2026, 8, 1), state="stopped")
    db.session.commit()
    assert cover_retention(served) == "3年（救助终止后起算）"  # the default floor, not 长期
    assert cover_retention(stopped) == "3年（救助终止后起算，至2029年8月31日）"
    admin = login("admin")
    response = admin.post("/archives/settings/retention",
                          data={"approval": "10", "monthly_report": "5", "annual_report": ""})
    assert response.status_code == 302
    assert cover_retention(stopped) == "3年（救助终止后起算，至2029年8月31日）".replace(
        "3年", "10年").replace("2029", "2036")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "archive.retention")).one()
    assert event.details["after"] == {"approval": 10, "monthly_report": 5, "annual_report": None}
    page = admin.get("/archives/settings").get_data(as_text=True)
    assert "保管期限" in page and 'name="approval" min="3" max="100" value="10"' in page


def test_settings_refuse_below_the_floor_and_keep_the_old_rule(login, demo):
    admin = login("admin")
    response = admin.post("/archives/settings/retention",
                          data={"approval": "2", "monthly_report": "x", "annual_report": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "审核确认档案的保管年限须在 3–100 年之间或永久" in page
    assert "月度报表的保管年限须为整数年或永久" in page
    case = make_case(end=date(2026, 8, 1))
    assert cover_retention(case).startswith("3年")
    assert login("clerk").post("/archives/settings/retention",
                               data={"approval": "9"}).status_code == 403


def test_archive_list_filters_files_whose_retention_ran_out(login, demo):
    old = make_case(end=date(2020, 6, 1), state="stopped", name="旧户")
    recent = make_case(end=date(2025, 6, 1), state="stopped", name="新户")
    served = make_case(name="在保户")
    refused = make_case(decision="refuse", decided_at=datetime(2021, 3, 1, 2), start=None,
                        state="refused", name="不予户")
    other = make_case(village_code="220999201201", end=date(2020, 6, 1), name="太平旧户")
    for case in (old, recent, served, refused, other):
        assign_archive_number(case)
    db.session.commit()
    client = login("clerk")
    everything = client.get("/archives/").get_data(as_text=True)
    assert all(name in everything for name in ("旧户", "新户", "在保户", "不予户"))
    assert "太平旧户" not in everything
    expired = client.get("/archives/?expired=1").get_data(as_text=True)
    assert "旧户" in expired and "不予户" in expired
    assert "新户" not in expired and "在保户" not in expired and "太平旧户" not in expired
    assert "2020-06-30" in expired
    login("admin").post("/archives/settings/retention",
                        data={"approval": "", "monthly_report": "5", "annual_report": ""})
    permanent = client.get("/archives/?expired=1").get_data(as_text=True)
    assert "旧户" not in permanent and "永久" not in permanent


def test_retention_api(api, demo):
    old = make_case(end=date(2020, 6, 1), state="stopped")
    make_case(end=date(2025, 6, 1), state="stopped")
    assign_archive_number(old)
    db.session.commit()
    web, headers = api("admin")
    rules = web.get("/api/v1/archives/retention", headers=headers)
    assert rules.status_code == 200
    assert {r["doc_class"]: r["years"] for r in rules.json} == {
        "approval": 3, "monthly_report": 5, "annual_report": None}
    saved = web.put("/api/v1/archives/retention", json={"approval": 4}, headers=headers)
    assert saved.status_code == 200 and saved.json[0]["years"] == 4
    assert saved.json[2]["years"] is None  # left out: kept
    bad = web.put("/api/v1/archives/retention", json={"approval": 1, "nope": 3}, headers=headers)
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "nope"
    bad = web.put("/api/v1/archives/retention", json={"approval": 1}, headers=headers)
    assert bad.status_code == 422 and bad.json["errors"] == [
        {"path": "approval", "message": "审核确认档案的保管年限须在 3–100 年之间或永久"}]
    clerk, clerk_headers = api("clerk")
    refused = clerk.put("/api/v1/archives/retention", json={"approval": 9}, headers=clerk_headers)
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    files = clerk.get("/api/v1/archives/files?expired=true", headers=clerk_headers)
    assert [f["case_id"] for f in files.json] == [old.id]
    assert files.json[0]["stopped_on"] == "2020-06-30"
    assert files.json[0]["retention"] == "4年（救助终止后起算，至2024年6月30日）"
    other, other_headers = api("clerk2")
    assert other.get("/api/v1/archives/files?expired=true", headers=other_headers).json == []


def test_monthly_reports_whose_retention_ran_out_are_listed(login, api, demo):
    from server.filings.models import Filing, FilingStatus

    from ..conftest import region

    township = region("220999101000")
    old = Filing(region=township, region_id=township.id, month=date(2019, 5, 1),
                 status=FilingStatus.accepted, submitted_at=datetime(2019, 6, 18, 2))
    recent = Filing(region=township, region_id=township.id, month=date(2024, 5, 1),
                    status=FilingStatus.accepted, submitted_at=datetime(2024, 6, 18, 2))
    draft = Filing(region=township, region_id=township.id, month=date(2018, 5, 1),
                   status=FilingStatus.draft)
    db.session.add_all([old, recent, draft])
    db.session.commit()
    page = login("clerk").get("/archives/?expired=1").get_data(as_text=True)
    reports = page.split('id="expired-reports"')[1].split("</table>")[0]
    assert "2019-05" in reports and "5年（报送后起算，至2024年6月18日）" in reports
    assert "2024-05" not in reports and "2018-05" not in reports
    assert "2019-05" not in login("clerk2").get("/archives/?expired=1").get_data(as_text=True)
    web, headers = api("clerk")
    listed = web.get("/api/v1/archives/expired-reports", headers=headers).json
    assert [r["filing_id"] for r in listed] == [old.id]
    assert listed[0]["retention"] == "5年（报送后起算，至2024年6月18日）"
    login("admin").post("/archives/settings/retention",
                        data={"approval": "3", "monthly_report": "", "annual_report": ""})
    page = login("clerk").get("/archives/?expired=1").get_data(as_text=True)
    assert "2019-05" not in page
