"""In the browser: the admin builds and publishes, the clerk takes a 低保 application."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from server import idnumber
from server.cases.models import Case
from server.schemas.models import SchemaStatus, SchemaVersion

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).parent / "screenshots"

PEOPLE = [
    ("孙立军", idnumber.make("220999", date(1979, 4, 12), 13), "本人", "1200.00"),
    ("李梅", idnumber.make("220999", date(1981, 9, 3), 24), "配偶", "600.00"),
    ("孙乐乐", idnumber.make("220999", date(2013, 1, 20), 35), "子女", "0"),
]


def _wrong_check(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def _fill_member(page, row: int, person, disabled=False):
    name, id_number, relationship, income = person
    prefix = f"members-{row}-"
    page.fill(f"[name='{prefix}name']", name)
    page.fill(f"[name='{prefix}id_number']", id_number)
    page.select_option(f"[name='{prefix}relationship']", relationship)
    page.select_option(f"[name='{prefix}hukou']", "rural")
    page.select_option(f"[name='{prefix}work_ability']", "有劳动能力")
    page.check(f"[name='{prefix}is_disabled'][value='{'yes' if disabled else 'no'}']")
    page.check(f"[name='{prefix}has_illness'][value='no']")
    page.fill(f"[name='{prefix}monthly_income']", income)


def _fill_household_top(page):
    page.fill("[name=applicant_name]", PEOPLE[0][0])
    page.fill("[name=applicant_id_number]", PEOPLE[0][1])
    page.fill("[name=phone]", "13812345678")
    page.select_option("[name=village]", "220999101201")
    page.fill("[name=address]", "东风村二组 5 号")
    page.select_option("[name=hukou_type]", "rural")
    page.fill("[name=reason]", "家庭收入低，孩子上学开支大")
    page.fill("[name=deposits]", "2000.00")
    page.check("[name=has_vehicle][value=no]")
    page.fill("[name=house_count]", "1")
    page.fill("[name=bank_name]", "农村信用社")
    page.fill("[name=bank_account]", "6228480012345678999")


def _per_capita(page) -> str:
    return page.input_value("[data-field=per_capita_income] input")


def test_admin_adds_show_if_field_in_builder_and_publishes(page, browser_login, live_server):
    browser_login("admin")
    page.goto("/schemas/")
    page.click("#new-draft-DB")
    page.wait_for_url("**/builder")
    members = page.locator("li[data-at]", has_text="家庭成员").first.get_attribute("data-at")
    page.select_option("#field-form [name=parent]", members)
    page.select_option("#field-form [name=type]", "choice")
    page.fill("#field-form [name=name]", "disability_level")
    page.fill("#field-form [name=label]", "残疾等级（新）")
    page.fill("#field-form [name=show_if]", "is_disabled")
    page.fill("#field-form [name=choices]", "一级\n二级\n三级\n四级")
    page.click("#save-field")
    page.wait_for_selector("text=残疾等级（新）")
    # the live preview hides the new field until the member is marked disabled
    field = page.locator("#preview [data-field='members[0].disability_level']")
    assert field.is_hidden()
    page.check("#preview [name='members-0-is_disabled'][value='yes']")
    assert field.is_visible()
    page.check("#preview [name='members-0-is_disabled'][value='no']")
    assert field.is_hidden()
    page.click("#publish")
    assert "新申请" in page.inner_text("[data-consequence]")  # the confirmation step says why
    page.click("#confirm")
    page.wait_for_selector("#version-status")
    assert page.inner_text("#version-status") == "已发布"
    with live_server.context() as session:
        newest = session.scalars(select(SchemaVersion).where(SchemaVersion.relief_type == "DB")
                                 .order_by(SchemaVersion.number.desc())).first()
        assert newest.status == SchemaStatus.published
        assert "disability_level" in newest.source and "show_if: is_disabled" in newest.source


def test_clerk_fills_dibao_for_household_of_three(page, browser_login, live_server):
    browser_login("clerk")
    page.goto("/intake/")
    page.click("#intake-DB")
    page.wait_for_selector("[data-schema-form]")
    _fill_household_top(page)
    _fill_member(page, 0, PEOPLE[0])
    assert _per_capita(page) == "1200.00"
    page.click("[data-add-row=members]")
    _fill_member(page, 1, PEOPLE[1])
    assert _per_capita(page) == "900.00"  # (1200 + 600) / 2, updated as typed
    page.click("[data-add-row=members]")
    wrong = _wrong_check(PEOPLE[2][1])
    _fill_member(page, 2, (PEOPLE[2][0], wrong, PEOPLE[2][2], PEOPLE[2][3]))
    assert _per_capita(page) == "600.00"
    # the browser catches the wrong check character at once
    error = page.locator("[data-field='members[2].id_number'] [data-client-error]")
    assert "校验位错误" in error.inner_text()
    hints = page.inner_text("[data-schema-hints]")
    assert "低于低保标准" in hints
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "intake.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "intake-print.png"), full_page=True)
    page.pdf(path=str(SHOTS / "intake.pdf"), format="A4")
    page.emulate_media(media="screen")
    from pypdf import PdfReader

    pages = PdfReader(SHOTS / "intake.pdf").pages
    assert 1 <= len(pages) <= 4
    width, height = (float(v) for v in pages[0].mediabox[2:])
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 in points
    # submitting anyway: the server refuses with the same message, nothing saved
    page.click("#submit-application")
    page.wait_for_load_state()
    server_error = page.locator("[data-field='members[2].id_number'] .server-error")
    assert "校验位错误" in server_error.first.inner_text() or "校验位错误" in error.inner_text()
    with live_server.context() as session:
        assert not session.scalars(select(Case).where(Case.applicant_name == "孙立军")).first()
    # correct it and submit
    page.fill("[name='members-2-id_number']", PEOPLE[2][1])
    assert not error.is_visible()
    assert _per_capita(page) == "600.00"
    page.click("#submit-application")
    page.wait_for_url(lambda url: "/intake/new" not in url)
    with live_server.context() as session:
        case = session.scalars(select(Case).where(Case.applicant_name == "孙立军")).one()
        assert len(case.members) == 3 and case.state == "accepted"
        assert case.answers["per_capita_income"] == "600.00"
        assert case.region.code == "220999101201"


def test_new_user_scenario_disability_grade(page, browser_login, live_server):
    """As the demo admin add 残疾等级 (shown only for disabled members), publish, and take an
    application with it as the demo clerk."""
    browser_login("admin")
    page.goto("/schemas/")
    page.click("#new-draft-DB")
    page.wait_for_url("**/builder")
    # the shipped grade field goes (after confirming); the admin adds their own
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li[data-at]", has_text="disability_grade").locator(
        "button[value=delete]").click()
    page.wait_for_load_state()
    assert page.locator("li[data-at]", has_text="disability_grade").count() == 0
    members = page.locator("li[data-at]", has_text="家庭成员").first.get_attribute("data-at")
    page.select_option("#field-form [name=parent]", members)
    page.select_option("#field-form [name=type]", "choice")
    page.fill("#field-form [name=name]", "disability_grade_local")
    page.fill("#field-form [name=label]", "残疾等级")
    page.fill("#field-form [name=show_if]", "is_disabled")
    page.fill("#field-form [name=required_if]", "is_disabled")
    page.fill("#field-form [name=choices]", "一级\n二级\n三级\n四级")
    page.click("#save-field")
    page.wait_for_selector("li[data-at]:has-text('disability_grade_local')")
    page.click("#publish")
    assert "新申请" in page.inner_text("[data-consequence]")  # the confirmation step says why
    page.click("#confirm")
    page.wait_for_selector("#version-status")
    page.click("#logout")

    browser_login("clerk")
    page.goto("/intake/new?type=DB")
    _fill_household_top(page)
    _fill_member(page, 0, PEOPLE[0], disabled=True)
    grade = page.locator("[data-field='members[0].disability_grade_local']")
    assert grade.is_visible()
    page.select_option("[name='members-0-disability_grade_local']", "二级")
    page.click("#submit-application")
    page.wait_for_url(lambda url: "/intake/new" not in url)
    with live_server.context() as session:
        case = session.scalars(select(Case).where(Case.applicant_name == "孙立军")).one()
        assert case.answers["members"][0]["disability_grade_local"] == "二级"
        assert case.members[0].details["disability_grade_local"] == "二级"
