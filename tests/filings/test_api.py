"""Filings over the API: build (a background job polled on the filing), files, reconcile,
explain, submit, reopen and review, with the pages' roles, scoping and refusals."""
from __future__ import annotations

import io

from server.db import db
from server.filings.models import Filing, FilingStatus

from ..conftest import region
from .test_workflow import bank_csv, cases


def _roster(client, headers, filing_id, data: bytes, name="bank.csv"):
    return client.post(f"/api/v1/filings/{filing_id}/reconcile", headers=headers,
                       data={"roster": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_clerk_files_a_month_and_the_county_reviews_it(api, demo):
    rows = cases()
    client, headers = api("clerk")
    township = region("220999101000")
    built = client.post("/api/v1/filings/", headers=headers,
                        json={"township_id": township.id, "month": "2026-03-01"})
    assert built.status_code == 202, built.json
    filing_id = built.json["id"]
    polled = client.get(f"/api/v1/filings/{filing_id}", headers=headers).json
    assert polled["build_status"] == "done" and polled["roster_count"] == 3
    assert polled["files"] == ["roster_xlsx", "statistics_docx", "statistics_xlsx"]
    table = client.get(f"/api/v1/filings/{filing_id}/files/statistics_xlsx", headers=headers)
    assert table.status_code == 200 and table.data[:2] == b"PK"
    table.close()
    not_ready = client.post(f"/api/v1/filings/{filing_id}/submit", headers=headers)
    assert not_ready.status_code == 409 and "核对" in not_ready.json["message"]
    data = bank_csv(rows, {"李四": ("李四", rows[1].applicant_id_number, 45000)})
    reconciled = _roster(client, headers, filing_id, data)
    assert reconciled.status_code == 200 and len(reconciled.json["differences"]) == 1
    difference = reconciled.json["differences"][0]
    assert difference["id_number"] != rows[1].applicant_id_number  # masked
    explained = client.put(f"/api/v1/filings/differences/{difference['id']}/explanation",
                           headers=headers, json={"note": "银行扣除手续费0.50元"})
    assert explained.status_code == 200 and explained.json["is_explained"]
    submitted = client.post(f"/api/v1/filings/{filing_id}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    listed = client.get("/api/v1/filings/?month=2026-03-15", headers=headers).json
    assert [f["id"] for f in listed] == [filing_id]
    locked = client.post("/api/v1/filings/", headers=headers,
                         json={"township_id": township.id, "month": "2026-03-01"})
    assert locked.status_code == 409

    county, county_headers = api("supervisor")
    no_comment = county.post(f"/api/v1/filings/{filing_id}/review", headers=county_headers,
                             json={"accept": False})
    assert no_comment.status_code == 422 and no_comment.json["errors"][0]["path"] == "comment"
    returned = county.post(f"/api/v1/filings/{filing_id}/review", headers=county_headers,
                           json={"accept": False, "comment": "请补充说明"})
    assert returned.json["status"] == "returned"
    client.post(f"/api/v1/filings/{filing_id}/submit", headers=headers)
    accepted = county.post(f"/api/v1/filings/{filing_id}/review", headers=county_headers,
                           json={"accept": True})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    approver, approver_headers = api("approver")
    reopened = approver.post(f"/api/v1/filings/{filing_id}/reopen", headers=approver_headers,
                             json={"reason": "补录一户停发"})
    assert reopened.status_code == 200 and reopened.json["status"] == "draft"


def test_filings_api_refuses_role_region_and_bad_input(api, demo):
    cases()
    client, headers = api("clerk")
    township = region("220999101000")
    filing_id = client.post("/api/v1/filings/", headers=headers,
                            json={"township_id": township.id, "month": "2026-03-01"}).json["id"]
    other, other_headers = api("clerk2")
    assert other.get(f"/api/v1/filings/{filing_id}", headers=other_headers).status_code == 404
    assert other.post(f"/api/v1/filings/{filing_id}/submit",
                      headers=other_headers).status_code == 404
    elsewhere = other.post("/api/v1/filings/", headers=other_headers,
                           json={"township_id": township.id, "month": "2026-03-01"})
    assert elsewhere.status_code == 422 and elsewhere.json["errors"][0]["path"] == "township_id"
    county, county_headers = api("supervisor")
    refused = county.post(f"/api/v1/filings/{filing_id}/submit", headers=county_headers)
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    clerk_review = client.post(f"/api/v1/filings/{filing_id}/review", headers=headers,
                               json={"accept": True})
    assert clerk_review.status_code == 403
    bad = client.post("/api/v1/filings/", headers=headers,
                      json={"township_id": "x", "month": "2026-13-01"})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json["errors"]} == {"township_id", "month"}
    unreadable = _roster(client, headers, filing_id, b"not a workbook", "bank.xlsx")
    assert unreadable.status_code == 422 and unreadable.json["errors"][0]["path"] == "roster"
    missing = client.post(f"/api/v1/filings/{filing_id}/reconcile", headers=headers)
    assert missing.status_code == 422 and missing.json["errors"][0]["path"] == "roster"
    blank = client.post(f"/api/v1/filings/{filing_id}/reopen",
                        headers=api("approver")[1], json={"reason": "  "})
    assert blank.status_code == 422 and blank.json["errors"][0]["path"] == "reason"
    assert client.get(f"/api/v1/filings/{filing_id}/files/nope",
                      headers=headers).status_code == 404
    assert db.session.get(Filing, filing_id).status == FilingStatus.draft


def test_county_builds_the_month(api, demo):
    cases()
    county, headers = api("supervisor")
    queued = county.post("/api/v1/filings/county-builds", headers=headers,
                         json={"month": "2026-03-01"})
    assert queued.status_code == 202 and queued.json == {"month": "2026-03-01", "queued": True}
    built = county.get("/api/v1/filings/?month=2026-03-01", headers=headers).json
    assert {f["township"] for f in built} >= {"东风镇", "太平乡"}
    assert all(f["build_status"] == "done" for f in built)
    bad = county.post("/api/v1/filings/county-builds", headers=headers, json={"month": "x"})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "month"
    clerk, clerk_headers = api("clerk")
    refused = clerk.post("/api/v1/filings/county-builds", headers=clerk_headers,
                         json={"month": "2026-03-01"})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"


def test_filing_calendar_over_the_api(api, demo):
    client, headers = api("admin")
    assert client.get("/api/v1/filings/settings", headers=headers).json == {
        "adjust_day": 15, "filing_day": 20, "remind_days": 3}
    bad = client.put("/api/v1/filings/settings", headers=headers,
                     json={"adjust_day": 25, "filing_day": 20, "remind_days": 3})
    assert bad.status_code == 422 and "adjust_day" in {e["path"] for e in bad.json["errors"]}
    ok = client.put("/api/v1/filings/settings", headers=headers,
                    json={"adjust_day": 10, "filing_day": 18, "remind_days": 2})
    assert ok.status_code == 200 and ok.json["filing_day"] == 18
    clerk, clerk_headers = api("clerk")
    assert clerk.get("/api/v1/filings/settings", headers=clerk_headers).status_code == 403
