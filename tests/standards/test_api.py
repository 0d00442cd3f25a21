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
