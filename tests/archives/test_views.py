"""Archive pages and API: bundle from the case page, downloads, barcode lookup, scoping."""
from __future__ import annotations

import pytest

from server.archives.operations import assign_archive_number
from server.db import db

from .factories import make_case


@pytest.fixture(autouse=True)
def no_pdf(app):
    app.config["ARCHIVE_PDF"] = "0"


def test_case_page_builds_bundle_and_offers_downloads(login, demo):
    case = make_case()
    db.session.commit()
    client = login("clerk")
    assert client.post(f"/archives/cases/{case.id}/bundle").status_code == 302
    page = client.get(f"/archives/cases/{case.id}").get_data(as_text=True)
    assert "220999-2026-DB-A000001" in page and "data-progress-done=\"done\"" in page
    response = client.get(f"/archives/cases/{case.id}/download?copy=county&fmt=zip")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    response.close()
    assert client.get(f"/archives/cases/{case.id}/download?copy=nope&fmt=zip").status_code == 404
    job_id = page.split("/archives/jobs/")[1].split('"')[0]
    assert client.get(f"/archives/jobs/{job_id}").json["status"] == "done"


def test_undecided_case_is_refused(login, demo):
    case = make_case(decided_at=None)
    db.session.commit()
    client = login("clerk")
    assert client.post(f"/archives/cases/{case.id}/bundle").status_code == 302
    from server.archives.models import ArchiveJob

    assert db.session.query(ArchiveJob).count() == 0


def test_lookup_opens_case_and_hides_other_regions(login, api, demo):
    mine, other = make_case(), make_case(village_code="220999201201")
    assign_archive_number(mine), assign_archive_number(other)
    db.session.commit()
    client = login("clerk")
    response = client.get(f"/archives/lookup?number={mine.archive_number}")
    assert response.status_code == 302 and f"/{mine.id}" in response.headers["Location"]
    assert client.get(f"/archives/lookup?number={other.archive_number}").status_code == 404
    assert client.get("/archives/lookup?number=").status_code == 302
    web, headers = api("clerk")
    found = web.get(f"/api/v1/archives/lookup?number={mine.archive_number}", headers=headers)
    assert found.status_code == 200 and found.json["case_id"] == mine.id
    missing = web.get(f"/api/v1/archives/lookup?number={other.archive_number}", headers=headers)
    assert missing.status_code == 404
    county = login("supervisor")
    assert county.get(f"/archives/lookup?number={other.archive_number}").status_code == 302


def test_api_bundle_and_poll(api, demo):
    case = make_case()
    db.session.commit()
    web, headers = api("clerk")
    job = web.post(f"/api/v1/archives/cases/{case.id}/bundle", headers=headers)
    assert job.status_code == 202, job.json
    status = web.get(f"/api/v1/archives/jobs/{job.json['id']}", headers=headers)
    assert status.json["status"] == "done" and status.json["result"]["archive_number"]


def test_settings_only_for_county_admin(login, demo):
    assert login("clerk").get("/archives/settings").status_code == 403
    admin = login("admin")
    assert admin.post("/archives/settings", data={"number_pattern": "{year}"}).status_code == 400
    assert admin.post("/archives/settings",
                      data={"number_pattern": "JZ-{type}-{seq:05d}"}).status_code == 302
    assert make_case() and assign_archive_number(make_case()) == "JZ-DB-00001"


def test_batch_form(login, demo):
    from ..conftest import region

    make_case()
    db.session.commit()
    client = login("clerk")
    township = region("220999101000")
    assert client.post("/archives/batch", data={"township_id": township.id,
                                                 "month": "2026-03"}).status_code == 302
    page = client.get("/archives/").get_data(as_text=True)
    assert "东风镇 2026-03" in page
    assert client.post("/archives/batch", data={"township_id": region("220999201000").id,
                                                 "month": "2026-03"}).status_code == 404
