"""Archive bundles over the API as on the archive pages: download a copy, bundle a month."""
from __future__ import annotations

import pytest

from server.archives.models import ArchiveJob
from server.db import db

from ..conftest import region
from .factories import make_case


@pytest.fixture(autouse=True)
def no_pdf(app):
    app.config["ARCHIVE_PDF"] = "0"


def test_download_a_copy_and_bundle_a_month(api, demo):
    case = make_case()
    db.session.commit()
    client, headers = api("clerk")
    before = client.get(f"/api/v1/archives/cases/{case.id}/download?copy=county&fmt=zip",
                        headers=headers)
    assert before.status_code == 404 and before.json["code"] == "not_found"
    batch = client.post("/api/v1/archives/batches", headers=headers,
                        json={"township_id": region("220999101000").id, "month": "2026-03-01"})
    assert batch.status_code == 202, batch.json
    job = client.get(f"/api/v1/archives/jobs/{batch.json['id']}", headers=headers).json
    assert job["status"] == "done"
    zipped = client.get(f"/api/v1/archives/cases/{case.id}/download?copy=county&fmt=zip",
                        headers=headers)
    assert zipped.status_code == 200 and zipped.data[:2] == b"PK"
    zipped.close()


def test_bundle_api_refuses_bad_input_roles_and_other_regions(api, demo):
    case = make_case()
    db.session.commit()
    client, headers = api("clerk")
    bad = client.get(f"/api/v1/archives/cases/{case.id}/download?copy=attic", headers=headers)
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "copy"
    other, other_headers = api("clerk2")
    assert other.get(f"/api/v1/archives/cases/{case.id}/download?copy=county",
                     headers=other_headers).status_code == 404
    elsewhere = other.post("/api/v1/archives/batches", headers=other_headers,
                           json={"township_id": region("220999101000").id, "month": "2026-03-01"})
    assert elsewhere.status_code == 422 and elsewhere.json["errors"][0]["path"] == "township_id"
    village, village_headers = api("village")
    refused = village.post("/api/v1/archives/batches", headers=village_headers, json={})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert db.session.query(ArchiveJob).count() == 0


def test_number_pattern_over_the_api(api, demo):
    client, headers = api("admin")
    assert client.get("/api/v1/archives/settings", headers=headers).json == {
        "number_pattern": "{county}-{year}-{type}-A{seq:06d}"}
    bad = client.put("/api/v1/archives/settings", headers=headers,
                     json={"number_pattern": "{county}-{year}-{type}-{seq:06d}"})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "number_pattern"
    ok = client.put("/api/v1/archives/settings", headers=headers,
                    json={"number_pattern": "JZ-{type}-{seq:05d}"})
    assert ok.status_code == 200 and ok.json["number_pattern"] == "JZ-{type}-{seq:05d}"
    clerk, clerk_headers = api("clerk")
    refused = clerk.put("/api/v1/archives/settings", headers=clerk_headers,
                        json={"number_pattern": "X-{seq}"})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
