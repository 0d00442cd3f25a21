"""Login and user-administration refusals are English in English mode and unchanged in
Chinese (issue 15 point 2); the CLI (no request) keeps the office's language."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.auth.models import LoginThrottle
from server.db import db, utcnow
from tests.conftest import region

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("lang, wrong, locked", [
    ("zh_CN", "用户名或密码错误", "登录失败次数过多，账号已锁定，请 15 分钟后再试"),
    ("en", "Wrong user name or password",
     "Too many failed logins: the account is locked, try again in 15 minutes"),
])
def test_login_refusals(app, client, demo, auth, lang, wrong, locked):
    client.post("/language", data={"locale": lang, "next": "/"})
    assert wrong in auth.login("clerk", "bad-password").get_data(as_text=True)
    db.session.add(LoginThrottle(username="approver", failures=app.config["LOGIN_LOCK_AFTER"],
                                 blocked_until=utcnow() + timedelta(minutes=15, seconds=30)))
    db.session.commit()
    assert locked in auth.login("approver").get_data(as_text=True)


@pytest.mark.parametrize("lang, taken, mismatch, short", [
    ("zh_CN", "用户名 clerk 已存在", "乡镇经办员必须属于乡镇（街道）区划，东风村不是",
     "密码至少需要 8 个字符"),
    ("en", "The user name clerk is taken",
     "Township clerk must belong to a township (street) region; 东风村 is not one",
     "The password needs at least 8 characters"),
])
def test_user_admin_refusals_over_the_api(api, lang, taken, mismatch, short):
    from server.demo import DEMO_PASSWORD

    admin, headers = api("admin")
    headers = headers | {"Accept-Language": lang}
    made = admin.post("/api/v1/users/", headers=headers, json={
        "username": "clerk", "display_name": "x", "role": "township_clerk",
        "region_id": region("220999201000").id})
    assert made.status_code == 422 and made.json["errors"] == [
        {"path": "username", "message": taken}]
    wrong_level = admin.post("/api/v1/users/", headers=headers, json={
        "username": "x1", "display_name": "x", "role": "township_clerk",
        "region_id": region("220999101201").id})
    assert wrong_level.json["errors"] == [{"path": "role", "message": mismatch}]
    clerk, clerk_headers = api("clerk")
    password = clerk.put("/api/v1/me/password", headers=clerk_headers | {"Accept-Language": lang},
                         json={"current_password": DEMO_PASSWORD, "new_password": "short"})
    assert password.json["errors"] == [{"path": "new_password", "message": short}]


def test_the_cli_refuses_in_the_offices_language(app, demo):
    from server.auth.operations import AuthError, create_user

    with pytest.raises(AuthError) as caught:  # no request: as the CLI runs it
        create_user("clerk", "x", "pass-word-1", "township_clerk", region("220999201000"))
    assert str(caught.value) == "用户名 clerk 已存在"
