"""The registers over the API: relatives (list, add, remove) and the 失信 procedure (warn,
correct or list, lift, export), with the pages' roles, scoping and refusals."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.cases.models import DishonestyWarning, RelativeRegisterEntry
from server.db import db
from server.idnumber import make as make_id
from server.periods import local_today


def test_relatives_register_through_the_api(api, demo):
    client, headers = api("clerk")
    relative = make_id("220999", date(1985, 6, 1), 31)
    added = client.post("/api/v1/cases/registers/relatives", headers=headers, json={
        "id_number": relative, "name": "陈小红", "relation": "配偶",
        "staff_user_id": demo.demo_user("clerk").id})
    assert added.status_code == 201, added.json
    assert added.json["id_number"] != relative and added.json["id_number"].endswith(relative[-4:])
    listed = client.get("/api/v1/cases/registers/relatives", headers=headers).json
    assert [r["id"] for r in listed] == [added.json["id"]]
    other, other_headers = api("clerk2")
    assert other.get("/api/v1/cases/registers/relatives", headers=other_headers).json == []
    assert other.delete(f"/api/v1/cases/registers/relatives/{added.json['id']}",
                        headers=other_headers).status_code == 404
    assert client.delete(f"/api/v1/cases/registers/relatives/{added.json['id']}",
                         headers=headers).status_code == 204
    assert not db.session.get(RelativeRegisterEntry, added.json["id"]).is_active


def test_relatives_register_refuses_bad_input_and_roles(api, demo):
    client, headers = api("clerk")
    bad_id = client.post("/api/v1/cases/registers/relatives", headers=headers, json={
        "id_number": "220999198506010312", "name": "陈", "relation": "配偶",
        "cadre_name": "村主任 王"})
    assert bad_id.status_code == 422 and bad_id.json["errors"][0]["path"] == "id_number"
    nobody = client.post("/api/v1/cases/registers/relatives", headers=headers, json={
        "id_number": make_id("220999", date(1985, 6, 1), 33), "name": "陈", "relation": "配偶"})
    assert nobody.status_code == 422 and nobody.json["errors"][0]["path"] == "cadre_name"
    foreign = client.post("/api/v1/cases/registers/relatives", headers=headers, json={
        "id_number": make_id("220999", date(1985, 6, 1), 35), "name": "陈", "relation": "配偶",
        "staff_user_id": demo.demo_user("clerk2").id})
    assert foreign.status_code == 422 and foreign.json["errors"][0]["path"] == "staff_user_id"
    missing = client.post("/api/v1/cases/registers/relatives", headers=headers, json={})
    assert missing.status_code == 422
    assert {e["path"] for e in missing.json["errors"]} == {"id_number", "name", "relation"}
    village, village_headers = api("village")
    refused = village.get("/api/v1/cases/registers/relatives", headers=village_headers)
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert db.session.query(RelativeRegisterEntry).count() == 0


def test_dishonesty_procedure_through_the_api(api, demo):
    client, headers = api("clerk")
    person = make_id("220999", date(1980, 2, 2), 41)
    early = (local_today() - timedelta(days=40)).isoformat()
    warned = client.post("/api/v1/cases/registers/dishonesty/warnings", headers=headers, json={
        "id_number": person, "name": "某甲", "kind": "hidden_income",
        "facts": "隐瞒务工收入", "found_on": early, "correction_days": 10})
    assert warned.status_code == 201, warned.json
    assert warned.json["kind_label"] and warned.json["kind_label"] != "hidden_income"
    fresh = client.post("/api/v1/cases/registers/dishonesty/warnings", headers=headers, json={
        "id_number": make_id("220999", date(1981, 3, 3), 43), "name": "某乙",
        "kind": "forged_materials", "facts": "伪造病历"})
    too_soon = client.post(
        f"/api/v1/cases/registers/dishonesty/warnings/{fresh.json['id']}/listing", headers=headers)
    assert too_soon.status_code == 409 and "纠正期限至" in too_soon.json["message"]
    corrected = client.post(
        f"/api/v1/cases/registers/dishonesty/warnings/{fresh.json['id']}/correction",
        headers=headers)
    assert corrected.status_code == 200 and corrected.json["corrected_on"]
    listed = client.post(
        f"/api/v1/cases/registers/dishonesty/warnings/{warned.json['id']}/listing",
        headers=headers)
    assert listed.status_code == 201 and listed.json["is_active"]
    assert [w["id"] for w in client.get("/api/v1/cases/registers/dishonesty/warnings",
                                        headers=headers).json] == []
    entries = client.get("/api/v1/cases/registers/dishonesty", headers=headers).json
    assert [e["id"] for e in entries] == [listed.json["id"]]
    export = client.get("/api/v1/cases/registers/dishonesty/export", headers=headers)
    assert export.status_code == 200 and export.data[:2] == b"PK"
    lifted = client.post(f"/api/v1/cases/registers/dishonesty/{listed.json['id']}/lift",
                         headers=headers)
    assert lifted.status_code == 200 and lifted.json["is_active"] is False
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"register.dishonesty_warn", "register.dishonesty_corrected",
            "register.dishonesty_add", "register.dishonesty_export",
            "register.dishonesty_lift"} <= actions


def test_dishonesty_api_refuses_bad_input_roles_and_other_regions(api, demo):
    client, headers = api("clerk")
    bad = client.post("/api/v1/cases/registers/dishonesty/warnings", headers=headers, json={
        "id_number": "123", "name": " ", "kind": "bogus", "facts": "x", "correction_days": 0})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json["errors"]} == {"name", "kind", "correction_days"}
    bad_id = client.post("/api/v1/cases/registers/dishonesty/warnings", headers=headers, json={
        "id_number": "123", "name": "某", "kind": "hidden_income", "facts": "x"})
    assert bad_id.status_code == 422 and bad_id.json["errors"][0]["path"] == "id_number"
    warning = client.post("/api/v1/cases/registers/dishonesty/warnings", headers=headers, json={
        "id_number": make_id("220999", date(1982, 4, 4), 45), "name": "某丙",
        "kind": "hidden_income", "facts": "隐瞒"}).json
    other, other_headers = api("clerk2")
    assert other.post(f"/api/v1/cases/registers/dishonesty/warnings/{warning['id']}/correction",
                      headers=other_headers).status_code == 404
    village, village_headers = api("village")
    refused = village.post("/api/v1/cases/registers/dishonesty/warnings",
                           headers=village_headers, json={})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert db.session.get(DishonestyWarning, warning["id"]).corrected_on is None
