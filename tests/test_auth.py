"""Login, logout, throttling and locking, CSRF, cookies, headers, audit of logins."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth.models import LoginThrottle, User
from server.db import db, utcnow

from .conftest import csrf_token


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "密码" in page


def test_login_logout_and_audit(client, demo, auth):
    response = auth.login("clerk")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "东风镇经办员" in home and "乡镇经办员" in home
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302
    actions = _actions()
    assert "auth.login" in actions and "auth.logout" in actions


def test_wrong_password_is_refused_and_audited(client, demo, auth):
    response = auth.login("clerk", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert _actions()[-1] == "auth.login_failed"
    assert client.get("/").status_code == 302


def test_password_is_hashed_never_clear(demo):
    user = demo.demo_user("clerk")
    assert demo.DEMO_PASSWORD not in user.password_hash
    events = db.session.scalars(select(AuditEvent)).all()
    assert all(demo.DEMO_PASSWORD not in str(e.details) for e in events)


def test_repeated_failures_slow_down_then_lock(app, client, demo, auth):
    throttle_after = app.config["LOGIN_THROTTLE_AFTER"]
    lock_after = app.config["LOGIN_LOCK_AFTER"]
    for _ in range(throttle_after):
        auth.login("clerk", "bad-password")
    # slowed down: even the right password must wait
    response = auth.login("clerk")
    assert response.status_code == 401 and "秒后再试" in response.get_data(as_text=True)
    row = db.session.get(LoginThrottle, "clerk")
    for _ in range(throttle_after, lock_after):
        row.blocked_until = utcnow() - timedelta(seconds=1)  # the wait has passed
        db.session.commit()
        auth.login("clerk", "bad-password")
        db.session.refresh(row)
    assert row.failures == lock_after
    assert row.blocked_until - utcnow() > timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] - 1)
    response = auth.login("clerk")
    assert response.status_code == 401 and "锁定" in response.get_data(as_text=True)
    # after the lock expires, the right password works and clears the counter
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert auth.login("clerk").status_code == 302
    assert db.session.get(LoginThrottle, "clerk") is None


def test_unknown_usernames_are_throttled_too(app, demo, auth):
    for _ in range(app.config["LOGIN_THROTTLE_AFTER"]):
        auth.login("nobody", "x")
    assert db.session.get(LoginThrottle, "nobody").blocked_until is not None


def test_disabled_user_cannot_log_in(demo, auth):
    from server.auth.operations import set_active

    set_active(demo.demo_user("clerk"), False)
    db.session.commit()
    response = auth.login("clerk")
    assert response.status_code == 401 and "停用" in response.get_data(as_text=True)


def test_open_redirect_is_refused(client, demo):
    from server.demo import DEMO_PASSWORD

    response = client.post("/login?next=//evil.example/x",
                           data={"username": "clerk", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_the_page(client, demo):
    from server.demo import DEMO_PASSWORD

    assert "/login?next=/regions/" in client.get("/regions/").headers["Location"]
    response = client.post("/login?next=/regions/",
                           data={"username": "clerk", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/regions/"


def test_cookies_and_security_headers(client, demo, auth):
    response = auth.login("clerk")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_csrf_is_required_on_forms(csrf_app, demo):
    from server.demo import DEMO_PASSWORD

    client = csrf_app.test_client()
    refused = client.post("/login", data={"username": "clerk", "password": DEMO_PASSWORD})
    assert refused.status_code == 400
    token = csrf_token(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"username": "clerk", "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    assert accepted.status_code == 302
    # logout without a token is refused too
    assert client.post("/logout").status_code == 400


def test_language_switch_to_english_and_back(login):
    client = login("clerk")
    assert "退出登录" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page and "退出登录" not in page
    assert db.session.scalars(select(User).where(User.username == "clerk")).one().locale == "en"
    client.post("/language", data={"locale": "zh_CN"})
    assert "退出登录" in client.get("/").get_data(as_text=True)


def test_home_page_per_role(login):
    for username, expected in [("admin", "县级管理员"), ("supervisor", "县级监管员"),
                               ("clerk", "乡镇经办员"), ("approver", "乡镇审核确认人"),
                               ("village", "村(居)协理员")]:
        page = login(username).get("/").get_data(as_text=True)
        assert expected in page, username


def test_every_login_failure_and_logout_is_in_the_chain(client, demo, auth):
    from server.audit.operations import verify_chain

    auth.login("clerk", "nope")
    auth.login("clerk")
    auth.logout()
    count, broken = verify_chain()
    assert broken is None and count >= 3


def test_pages_use_only_local_assets(login):
    import re

    client = login("clerk")
    page = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', page)
    assert assets, "no stylesheet or script linked"
    for asset in assets:
        assert asset.startswith("/static/"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/%09/evil.example", "/\t/evil.example", "/\\evil.example",
    "\\\\evil.example", "/\\/evil.example", " //evil.example", "/\r\n/evil.example",
    "https://evil.example/", "http:/\\evil.example", "javascript:alert(1)", "///evil.example",
    "/%5Cevil.example", "\t//evil.example",
])
def test_redirect_bypasses_stay_on_this_site(client, login, demo, target):
    from urllib.parse import quote, urlsplit

    from server.demo import DEMO_PASSWORD

    def assert_local(response):
        location = response.headers["Location"]
        # what a browser makes of it: tabs and newlines dropped, backslashes read as slashes
        seen = "".join(ch for ch in location if ch not in "\t\r\n").replace("\\", "/")
        parts = urlsplit(seen)
        assert response.status_code == 302 and not parts.scheme and not parts.netloc, location
        assert seen.startswith("/") and not seen.startswith("//"), location

    assert_local(client.post(f"/login?next={quote(target, safe='/%:')}",
                             data={"username": "clerk", "password": DEMO_PASSWORD}))
    assert_local(client.post("/language", data={"locale": "en", "next": target}))
    clerk = login("clerk")
    case_id = _a_case(demo)
    assert_local(clerk.post(f"/documents/cases/{case_id}/generate",
                            data={"kind": "application", "next": target}))


def _a_case(demo):
    from server.cases.demo import ensure_standard, make_case
    from server.regions.queries import region_by_code

    ensure_standard(region_by_code("220999000000"))
    case = make_case("220999101201", "DB", seed=5, creator=demo.demo_user("clerk"))
    db.session.commit()
    return case.id


def _cookie(client):
    return client.get_cookie("session", domain="localhost").value


def test_session_cookie_is_dead_after_logout(app, demo, auth, client):
    auth.login("clerk")
    captured = _cookie(client)
    assert client.get("/").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="localhost")
    assert thief.get("/").status_code == 302


def test_password_change_ends_sessions_and_revokes_tokens(app, demo, login, api):
    from server.auth.operations import set_password

    browser = login("clerk")
    assert browser.get("/").status_code == 200
    api_client, headers = api("clerk")
    assert api_client.get("/api/v1/me", headers=headers).status_code == 200
    set_password(demo.demo_user("clerk"), "a-new-password-1")
    db.session.commit()
    assert browser.get("/").status_code == 302
    assert api_client.get("/api/v1/me", headers=headers).status_code == 401
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "clerk", "password": "a-new-password-1"}
                      ).status_code == 302


def test_login_takes_as_long_for_unknown_users(app, demo, client):
    import time

    from server.auth.operations import set_password

    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:150000"  # a real hash cost
    set_password(demo.demo_user("clerk"), "the-real-password")
    db.session.commit()

    def timed(username):
        start = time.perf_counter()
        response = client.post("/login", data={"username": username, "password": "wrong-one"})
        assert response.status_code == 401
        return time.perf_counter() - start

    pairs = [(timed("clerk"), timed(f"nobody{i}")) for i in range(3)]  # interleaved: fair
    # the fastest of each (three: more failures lock the account): other work on the machine
    # (a parallel test worker) only adds time
    known = min(k for k, _ in pairs)
    unknown = min(u for _, u in pairs)
    assert 0.5 < unknown / known < 2, (known, unknown)
