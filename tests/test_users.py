"""Users in the UI: the county admin creates, edits, disables, enables and resets users of
the county; a password chosen by the admin must be changed at first login; everyone can
change their own password. Every change is audited."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth.models import User
from server.db import db

from .conftest import AuthActions, csrf_token, region


def _actions(user: User) -> list[str]:
    return [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == str(user.id),
                                 AuditEvent.object_type == "User").order_by(AuditEvent.id))]


def _shown_password(html: str) -> str:
    match = re.search(r'<code id="new-password">([^<]+)</code>', html)
    assert match, html[:2000]
    return match.group(1)


def _login(app, username: str, password: str):
    client = app.test_client()
    return client, AuthActions(client).login(username, password)


def _create_taiping_clerk(admin) -> tuple[User, str]:
    taiping = region("220999201000")
    page = admin.post("/users/new", data={"username": "tp_clerk", "display_name": "太平乡新经办员",
                                          "role": "township_clerk", "region": taiping.id})
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    user = db.session.scalars(select(User).where(User.username == "tp_clerk")).one()
    return user, _shown_password(page.get_data(as_text=True))


def test_admin_creates_clerk_who_must_change_password_then_works(app, login):
    admin = login("admin")
    assert "用户管理" in admin.get("/").get_data(as_text=True)
    user, password = _create_taiping_clerk(admin)
    assert user.role.value == "township_clerk" and user.region.name == "太平乡"
    assert user.must_change_password and password not in user.password_hash
    # shown once: the user's page does not show it again
    assert password not in admin.get(f"/users/{user.id}").get_data(as_text=True)

    clerk, response = _login(app, "tp_clerk", password)
    assert response.status_code == 302
    for path in ("/", "/regions/", "/users/"):
        forced = clerk.get(path)
        assert forced.status_code == 302 and forced.headers["Location"].startswith("/password")
    page = clerk.get("/password").get_data(as_text=True)
    assert "修改密码" in page and "首次登录" in page
    # the new password twice, and not the one the admin chose
    mismatch = clerk.post("/password", data={"current_password": password,
                                             "new_password": "my-own-pass-1",
                                             "confirm_password": "my-own-pass-2"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    same = clerk.post("/password", data={"current_password": password, "new_password": password,
                                         "confirm_password": password})
    assert same.status_code == 422 and "新密码不能与当前密码相同" in same.get_data(as_text=True)
    changed = clerk.post("/password", data={"current_password": password,
                                            "new_password": "my-own-pass-1",
                                            "confirm_password": "my-own-pass-1"})
    assert changed.status_code == 302
    home = clerk.get("/")  # the same browser stays logged in
    assert home.status_code == 200 and "太平乡新经办员" in home.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.must_change_password
    assert _login(app, "tp_clerk", "my-own-pass-1")[1].status_code == 302
    assert _login(app, "tp_clerk", password)[1].status_code == 401
    assert _actions(user) == ["user.create", "auth.login", "user.password", "auth.login"]


def test_create_refuses_role_and_region_mismatch_and_duplicates(login, demo):
    admin = login("admin")
    village = region("220999201201")
    page = admin.post("/users/new", data={"username": "x1", "display_name": "甲",
                                          "role": "township_clerk", "region": village.id})
    assert page.status_code == 422
    assert "乡镇经办员必须属于乡镇（街道）" in page.get_data(as_text=True)
    page = admin.post("/users/new", data={"username": "clerk", "display_name": "甲",
                                          "role": "township_clerk",
                                          "region": region("220999201000").id})
    assert page.status_code == 422 and "用户名 clerk 已存在" in page.get_data(as_text=True)
    assert db.session.scalars(select(User).where(User.username == "x1")).first() is None


def test_edit_role_and_region(login, demo):
    admin = login("admin")
    clerk2 = demo.demo_user("clerk2")
    response = admin.post(f"/users/{clerk2.id}/edit", data={
        "display_name": "长胜村协理员", "role": "village_assistant",
        "region": region("220999201202").id})
    assert response.status_code == 302
    db.session.refresh(clerk2)
    assert clerk2.role.value == "village_assistant" and clerk2.region.name == "长胜村"
    assert "user.update" in _actions(clerk2)
    wrong = admin.post(f"/users/{clerk2.id}/edit", data={
        "display_name": "x", "role": "county_supervisor", "region": region("220999201000").id})
    assert wrong.status_code == 422 and "必须属于县级" in wrong.get_data(as_text=True)
    # nor may the admin move themselves out of the county admin role
    own = demo.demo_user("admin")
    refused = admin.post(f"/users/{own.id}/edit", data={
        "display_name": own.display_name, "role": "county_supervisor",
        "region": own.region_id})
    assert refused.status_code == 422 and "不能修改自己的角色" in refused.get_data(as_text=True)
    db.session.refresh(own)
    assert own.role.value == "county_admin"


def test_disable_then_enable(app, login, demo):
    admin = login("admin")
    clerk = login("clerk")
    me = demo.demo_user("clerk")
    assert admin.post(f"/users/{me.id}/active", data={"active": "0"}).status_code == 302
    assert clerk.get("/").status_code == 302  # the open session ends too
    client, response = _login(app, "clerk", demo.DEMO_PASSWORD)
    assert response.status_code == 401 and "停用" in response.get_data(as_text=True)
    assert admin.post(f"/users/{me.id}/active", data={"active": "1"}).status_code == 302
    assert _login(app, "clerk", demo.DEMO_PASSWORD)[1].status_code == 302
    actions = _actions(me)
    assert actions.index("user.disable") < actions.index("user.enable")
    # the admin cannot lock themselves out
    own = demo.demo_user("admin")
    refused = admin.post(f"/users/{own.id}/active", data={"active": "0"})
    assert refused.status_code == 422 and "不能停用自己的账号" in refused.get_data(as_text=True)


def test_reset_password(app, login, api, demo):
    admin = login("admin")
    clerk = login("clerk")
    api_client, headers = api("clerk")
    me = demo.demo_user("clerk")
    page = admin.post(f"/users/{me.id}/password-reset")
    assert page.status_code == 200
    password = _shown_password(page.get_data(as_text=True))
    assert clerk.get("/").status_code == 302  # the old session is dead
    assert api_client.get("/api/v1/me", headers=headers).status_code == 401
    assert _login(app, "clerk", demo.DEMO_PASSWORD)[1].status_code == 401
    client, response = _login(app, "clerk", password)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/password")
    assert password not in admin.get(f"/users/{me.id}").get_data(as_text=True)
    # API tokens are not held back by the pending change (a reset revoked the old ones;
    # only the CLI makes new ones) and the forced page answers the browser only
    from server.auth.operations import create_token

    token = create_token(me)
    db.session.commit()
    assert api_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                          ).status_code == 200
    assert client.post("/logout").status_code == 302  # logging out is still allowed
    details = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.password", AuditEvent.object_id == str(me.id))).all()[-1]
    assert details.details["reset"] is True and password not in str(details.details)


def test_admin_of_another_county_gets_404(app, demo):
    from server.auth.operations import create_user
    from server.regions.models import Region, RegionLevel

    other = Region(code="220998000000", name="邻县", level=RegionLevel.county)
    db.session.add(other)
    db.session.flush()
    create_user("admin2", "邻县管理员", "other-admin-1", "county_admin", other)
    db.session.commit()
    client, response = _login(app, "admin2", "other-admin-1")
    assert response.status_code == 302
    target = demo.demo_user("clerk2")
    assert "太平乡经办员" not in client.get("/users/").get_data(as_text=True)
    assert client.get(f"/users/{target.id}").status_code == 404
    assert client.get(f"/users/{target.id}/edit").status_code == 404
    assert client.post(f"/users/{target.id}/active", data={"active": "0"}).status_code == 404
    assert client.post(f"/users/{target.id}/password-reset").status_code == 404
    # nor put a new user into a region of another county
    page = client.post("/users/new", data={"username": "sneak", "display_name": "甲",
                                           "role": "township_clerk",
                                           "region": region("220999201000").id})
    assert page.status_code == 422 and "请选择您辖区内的区划" in page.get_data(as_text=True)
    assert db.session.scalars(select(User).where(User.username == "sneak")).first() is None
    db.session.refresh(target)
    assert target.is_active


@pytest.mark.parametrize("username", ["clerk", "supervisor", "village"])
def test_non_admin_gets_403(login, demo, username):
    client = login(username)
    target = demo.demo_user("clerk")
    assert client.get("/users/new").status_code == 403
    assert client.post(f"/users/{target.id}/active", data={"active": "0"}).status_code == 403
    assert client.post(f"/users/{target.id}/password-reset").status_code == 403
    assert "用户管理" not in client.get("/").get_data(as_text=True)
    assert "修改密码" in client.get("/").get_data(as_text=True)


def test_own_password_change(app, login, demo):
    other_browser = login("clerk")
    client = login("clerk")
    me = demo.demo_user("clerk")
    wrong = client.post("/password", data={"current_password": "not-my-password",
                                           "new_password": "brand-new-pass",
                                           "confirm_password": "brand-new-pass"})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    short = client.post("/password", data={"current_password": demo.DEMO_PASSWORD,
                                           "new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "至少需要 8 个字符" in short.get_data(as_text=True)
    assert "user.password" not in _actions(me)
    ok = client.post("/password", data={"current_password": demo.DEMO_PASSWORD,
                                        "new_password": "brand-new-pass",
                                        "confirm_password": "brand-new-pass"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302
    assert _login(app, "clerk", "brand-new-pass")[1].status_code == 302
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.password", AuditEvent.object_id == str(me.id))).one()
    assert event.actor_id == me.id


def test_own_password_change_needs_csrf(app, login):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    from server.demo import DEMO_PASSWORD

    assert client.post("/login", data={"username": "clerk", "password": DEMO_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    data = {"current_password": DEMO_PASSWORD, "new_password": "brand-new-pass",
            "confirm_password": "brand-new-pass"}
    assert client.post("/password", data=data).status_code == 400
    token = csrf_token(client.get("/password").get_data(as_text=True))
    assert client.post("/password", data={**data, "csrf_token": token}).status_code == 302
