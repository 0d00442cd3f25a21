"""The issue's walk-through at 1366x768: the county admin creates a clerk for 太平乡 in the
UI, the clerk logs in with the password shown once, is led to 修改密码, changes it, works."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_admin_creates_taiping_clerk_who_changes_password(page, browser_login):
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login("admin")
    page.click("details.navmore summary")  # the top bar folds the later links under 更多
    page.click("details.navmore >> text=用户管理")
    page.click("text=新建用户")
    page.fill("input[name=username]", "tp_clerk")
    page.fill("input[name=display_name]", "太平乡新经办员")
    page.select_option("select[name=role]", "township_clerk")
    page.select_option("select[name=region]", label="九州示范县太平乡")
    page.click("main button.primary")
    password = page.locator("#new-password").inner_text()
    assert "只显示这一次" in page.content()
    # the whole form fits the office screen: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.click("#logout")
    page.wait_for_url("**/login")

    page.fill("input[name=username]", "tp_clerk")
    page.fill("input[name=password]", password)
    page.click("main button.primary")
    page.wait_for_url("**/password")
    assert "首次登录" in page.content()
    page.goto("/regions/")
    assert page.url.endswith("/password")  # nothing else until the password is changed
    page.fill("input[name=current_password]", password)
    page.fill("input[name=new_password]", "taiping-own-1")
    page.fill("input[name=confirm_password]", "taiping-own-1")
    page.click("main button.primary")
    page.wait_for_url(lambda url: not url.endswith("/password"))
    assert "密码已修改" in page.content()
    assert "太平乡新经办员" in page.locator(".who").inner_text()
    page.goto("/regions/")
    assert "太平村" in page.content() and "东风村" not in page.content()
