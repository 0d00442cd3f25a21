"""A new user's first minutes: log in as each demo user, see the Chinese home page, log out."""
from __future__ import annotations

import pytest

ROLES = [("admin", "县级管理员"), ("supervisor", "县级监管员"), ("clerk", "乡镇经办员"),
         ("approver", "乡镇审核确认人"), ("village", "村(居)协理员")]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username,role_label", ROLES)
def test_each_demo_user_logs_in_and_out(page, browser_login, username, role_label):
    browser_login(username)
    assert page.locator("h1").first.inner_text().startswith("欢迎")
    assert role_label in page.locator("#panel-welcome").inner_text()
    # the stylesheet is applied (served locally, no CDN)
    color = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert color == "rgb(179, 38, 30)"
    page.click("#logout")
    page.wait_for_url("**/login")
    assert "您已退出登录" in page.content()
    page.goto("/")
    assert "/login" in page.url


def test_wrong_password_shows_chinese_error(page):
    page.goto("/login")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator(".error").inner_text()


def test_switch_to_english(page, browser_login):
    browser_login("clerk")
    page.select_option("select[name=locale]", "en")
    page.wait_for_load_state()
    page.wait_for_selector("text=Log out")
    assert "Township clerk" in page.locator("#panel-welcome").inner_text()
