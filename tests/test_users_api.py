"""Users over the API: the same operations as the users pages, the same roles and scoping,
errors in the one JSON shape with field paths."""
from __future__ import annotations

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth.models import User
from server.db import db

from .conftest import region


def _audited(user: User) -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "User", AuditEvent.object_id == str(user.id))
        .order_by(AuditEvent.id))]


def test_admin_manages_a_user_through_the_api(app, api):
    client, headers = api("admin")
    taiping = region("220999201000")
    made = client.post("/api/v1/users/", headers=headers, json={
        "username": "tp_api", "display_name": "太平乡接口经办员", "role": "township_clerk",
        "region_id": taiping.id})
    assert made.status_code == 201, made.json
    user_id, password = made.json["user"]["id"], made.json["password"]
    assert made.json["user"]["must_change_password"] and len(password) == 12
    listed = client.get("/api/v1/users/", headers=headers).json
    assert "tp_api" in [u["username"] for u in listed]
    approver = client.put(f"/api/v1/users/{user_id}", headers=headers, json={
        "display_name": "太平乡审批人", "role": "township_approver", "region_id": taiping.id})
    assert approver.status_code == 200 and approver.json["role"] == "township_approver"
    off = client.put(f"/api/v1/users/{user_id}/active", headers=headers, json={"active": False})
    assert off.status_code == 200 and off.json["is_active"] is False
    on = client.put(f"/api/v1/users/{user_id}/active", headers=headers, json={"active": True})
    assert on.json["is_active"] is True
    reset = client.post(f"/api/v1/users/{user_id}/password-reset", headers=headers)
    assert reset.status_code == 200 and reset.json["password"] != password
    user = db.session.get(User, user_id)
    assert _audited(user) == ["user.create", "user.update", "user.disable", "user.enable",
                              "user.password"]
    assert client.get(f"/api/v1/users/{user_id}", headers=headers).json["username"] == "tp_api"


def test_users_api_refuses_roles_regions_and_bad_input(app, api, demo):
    clerk, clerk_headers = api("clerk")
    other = demo.demo_user("clerk2")
    assert clerk.get(f"/api/v1/users/{other.id}", headers=clerk_headers).status_code == 404
    names = [u["username"] for u in clerk.get("/api/v1/users/", headers=clerk_headers).json]
    assert "clerk2" not in names and "clerk" in names
    refused = clerk.post("/api/v1/users/", headers=clerk_headers, json={})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert clerk.put(f"/api/v1/users/{other.id}/active", headers=clerk_headers,
                     json={"active": False}).status_code == 403

    admin, headers = api("admin")
    bad = admin.post("/api/v1/users/", headers=headers, json={
        "username": "", "display_name": "x", "role": "boss", "region_id": "a"})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json["errors"]} == {"username", "role", "region_id"}
    mismatch = admin.post("/api/v1/users/", headers=headers, json={
        "username": "x1", "display_name": "x", "role": "township_clerk",
        "region_id": region("220999101201").id})
    assert mismatch.status_code == 422 and mismatch.json["errors"][0]["path"] == "role"
    taken = admin.post("/api/v1/users/", headers=headers, json={
        "username": "clerk", "display_name": "x", "role": "township_clerk",
        "region_id": region("220999201000").id})
    assert taken.status_code == 422 and taken.json["errors"] == [
        {"path": "username", "message": "用户名 clerk 已存在"}]
    me = demo.demo_user("admin")
    self_off = admin.put(f"/api/v1/users/{me.id}/active", headers=headers, json={"active": False})
    assert self_off.status_code == 422 and self_off.json["errors"][0]["path"] == "active"
    assert admin.put(f"/api/v1/users/{me.id}/active", headers=headers,
                     json={"active": "maybe"}).status_code == 422
    blank = admin.put(f"/api/v1/users/{me.id}", headers=headers, json={
        "display_name": "  ", "role": "county_admin", "region_id": me.region_id})
    assert blank.status_code == 422 and blank.json["errors"][0]["path"] == "display_name"


def test_township_admin_cannot_place_a_user_outside_its_region(app, api, demo):
    """A region outside the caller's is a 422 on region_id (as the form refuses it)."""
    from server.auth.operations import create_user

    township_admin = create_user("dfadmin", "东风镇管理员", "pass-word-1", "township_clerk",
                                 region("220999101000"))
    db.session.commit()
    admin, headers = api("admin")
    moved = admin.put(f"/api/v1/users/{township_admin.id}", headers=headers, json={
        "display_name": "东风镇管理员", "role": "township_clerk", "region_id": 999999})
    assert moved.status_code == 422 and moved.json["errors"][0]["path"] == "region_id"


def test_own_password_through_the_api(app, api, demo):
    client, headers = api("clerk")
    wrong = client.put("/api/v1/me/password", headers=headers,
                       json={"current_password": "nope", "new_password": "new-pass-123"})
    assert wrong.status_code == 422 and wrong.json["errors"][0]["path"] == "current_password"
    from server.demo import DEMO_PASSWORD

    short = client.put("/api/v1/me/password", headers=headers,
                       json={"current_password": DEMO_PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and short.json["errors"][0]["path"] == "new_password"
    done = client.put("/api/v1/me/password", headers=headers,
                      json={"current_password": DEMO_PASSWORD, "new_password": "new-pass-123"})
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # token revoked
    assert "user.password" in _audited(demo.demo_user("clerk"))
