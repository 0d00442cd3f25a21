"""The read API of standards and working days."""
from __future__ import annotations


def test_standard_versions_and_current(api):
    client, headers = api("clerk")
    rows = client.get("/api/v1/standards/", headers=headers).json
    assert rows[0]["values"]["db_urban"] == "780.00" and rows[0]["values"]["tk_basic_urban"] is None
    current = client.get("/api/v1/standards/current?urban_rural=rural&on=2026-10-09",
                         headers=headers)
    assert current.status_code == 200
    assert current.json["db_standard"] == "600.00" and current.json["care"]["全护理"] == "600.00"
    missing = client.get("/api/v1/standards/current?urban_rural=rural&on=2025-01-01",
                         headers=headers)
    assert missing.status_code == 404 and "没有生效" in missing.json["message"]
    bad = client.get("/api/v1/standards/current?urban_rural=town", headers=headers)
    assert bad.status_code == 422


def test_working_days_and_deadline(api):
    client, headers = api("village")
    result = client.get("/api/v1/calendar/deadline?start=2026-09-30&days=3", headers=headers).json
    assert result == {"deadline": "2026-10-10", "warnings": []}
    result = client.get("/api/v1/calendar/working-days?start=2027-12-30&end=2028-01-04",
                        headers=headers).json
    assert result["coverage"] == {"2027": "county", "2028": "fallback"}
    assert result["warnings"] == ["2028 年节假日未录入，按周一至周五计算"]
    assert result["working_days"] == 3  # 31 Dec, 3 and 4 Jan
    assert client.get("/api/v1/calendar/deadline?start=2026-09-30&days=-1",
                      headers=headers).status_code == 422


def _version(**changes):
    body = {"effective_from": "2027-01-01", "db_urban": "800", "db_rural": "620",
            "db_minimum": "10", "tk_basic_factor": "1.3", "care_self": "100",
            "care_partial": "300", "care_full": "600", "ls_township_multiple": "3",
            "ls_max_multiple": "12", "by_factor": "1.5", "basis": "九民发〔2026〕1号"}
    return {**body, **changes}


def test_admin_writes_a_standard_version(api):
    from sqlalchemy import select

    from server.audit.models import AuditEvent
    from server.db import db

    client, headers = api("admin")
    made = client.post("/api/v1/standards/versions", headers=headers, json=_version(
        db_method="bands", db_bands=[{"min_gap": "0", "amount": "200"},
                                     {"min_gap": "300", "amount": "500"}]))
    assert made.status_code == 201, made.json
    assert made.json["values"]["db_urban"] == "800.00" and made.json["db_method"] == "bands"
    assert made.json["db_bands"][0] == {"min_gap": "300.00", "amount": "500.00"}
    current = client.get("/api/v1/standards/current?urban_rural=urban&on=2027-02-01",
                         headers=headers).json
    assert current["db_standard"] == "800.00"
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "standards.create")).all() == ["standards.create"] * 2  # demo + this


def test_standard_write_refuses_roles_and_bad_values_with_paths(api):
    clerk, clerk_headers = api("clerk")
    refused = clerk.post("/api/v1/standards/versions", headers=clerk_headers, json=_version())
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    client, headers = api("admin")
    bad = client.post("/api/v1/standards/versions", headers=headers, json=_version(
        effective_from="2027-13-01", db_method="magic"))
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json["errors"]} == {"effective_from", "db_method"}
    band = client.post("/api/v1/standards/versions", headers=headers,
                       json=_version(db_bands=[{"min_gap": "0"}]))
    assert band.status_code == 422
    assert [e["path"] for e in band.json["errors"]] == ["db_bands[0].amount"]
    assert client.get("/api/v1/standards/", headers=headers).json[0]["values"]["db_urban"] == \
        "780.00"  # nothing saved


def test_standard_write_cross_checks_are_field_errors(api):
    client, headers = api("admin")
    low = client.post("/api/v1/standards/versions", headers=headers,
                      json=_version(tk_basic_urban="900", db_minimum="abc"))
    assert low.status_code == 422
    paths = {e["path"]: e["message"] for e in low.json["errors"]}
    assert paths["tk_basic_urban"] == "不得低于低保标准的 1.3 倍（1040.00 元）"
    assert set(paths) == {"tk_basic_urban", "db_minimum"}
