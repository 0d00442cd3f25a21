"""Who may import and export the roll: only the county admin imports and edits layouts; county
staff export the county or any township; township staff their own township only; village
assistants nothing. The web pages and the API answer alike."""
from __future__ import annotations

import io

import pytest

from ..conftest import region
from .conftest import csv_file, flat, households

NOVEMBER = {"month": "2026-11", "format": "csv"}


def _file():
    return {"file": (io.BytesIO(csv_file(flat(households(2)))), "roll.csv")}


@pytest.mark.parametrize("username,status", [("admin", 302), ("supervisor", 403),
                                             ("clerk", 403), ("approver", 403),
                                             ("village", 403)])
def test_only_the_county_admin_imports(login, api, username, status):
    response = login(username).post("/roll/imports", data=_file(),
                                    content_type="multipart/form-data")
    assert response.status_code == status
    client, headers = api(username)
    response = client.post("/api/v1/roll/imports", headers=headers, data=_file(),
                           content_type="multipart/form-data")
    assert response.status_code == (202 if status == 302 else 403)
    if status == 302:
        assert response.json["is_dry_run"] and response.json["status"] == "done"
        job = client.get(f"/api/v1/roll/imports/{response.json['id']}", headers=headers)
        assert job.status_code == 200 and job.json["problem_count"] == 0


@pytest.mark.parametrize("username,code,status", [
    ("admin", "220999000000", 200), ("supervisor", "220999000000", 200),
    ("supervisor", "220999201000", 200), ("clerk", "220999101000", 200),
    ("approver", "220999101000", 200), ("clerk", "220999201000", 404),
    ("clerk", "220999000000", 404), ("clerk2", "220999201000", 200),
    ("village", "220999101201", 403), ("admin", "220999101201", 404)])
def test_export_scope(login, api, username, code, status):
    region_id = region(code).id
    response = login(username).get("/roll/export", query_string={**NOVEMBER,
                                                                 "region_id": region_id})
    assert response.status_code == status
    client, headers = api(username)
    response = client.get("/api/v1/roll/exports", headers=headers,
                          query_string={**NOVEMBER, "region_id": region_id})
    assert response.status_code == status
    if status == 200:
        assert response.data.decode("utf-8-sig").startswith("救助类别,")


def test_a_township_exports_its_own_township_by_default(login):
    page = login("clerk").get("/roll/").get_data(as_text=True)
    assert "东风镇" in page and "太平乡" not in page and "导入现有在册名单" not in page
    response = login("clerk").get("/roll/export", query_string=NOVEMBER)
    assert response.status_code == 200
    assert "%E4%B8%9C%E9%A3%8E%E9%95%87" in response.headers["Content-Disposition"]  # 东风镇


@pytest.mark.parametrize("username,status", [("admin", 200), ("supervisor", 403),
                                             ("clerk", 403)])
def test_only_the_county_admin_edits_the_columns(login, api, username, status):
    assert login(username).get("/roll/mapping").status_code == status
    client, headers = api(username)
    response = client.put("/api/v1/roll/mapping", headers=headers,
                          json={"layout": "changes", "columns": []})
    assert response.status_code == status


def test_another_countys_import_is_not_found(login, api):
    from server.db import db
    from server.regions.models import Region, RegionLevel
    from server.roll.models import RollImport

    other = Region(code="220998000000", name="邻县", level=RegionLevel.county)
    db.session.add(other)
    db.session.flush()
    job = RollImport(region_id=other.id, filename="x.csv", sha256="0" * 64, path="roll/x.csv")
    db.session.add(job)
    db.session.commit()
    assert login("admin").get(f"/roll/imports/{job.id}").status_code == 404
    client, headers = api("admin")
    assert client.get(f"/api/v1/roll/imports/{job.id}", headers=headers).status_code == 404
