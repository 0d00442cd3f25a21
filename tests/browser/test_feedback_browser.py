"""In the browser, on one live server: a filing build started from its button (pressed twice)
runs once and its page follows it to done and says what was built, without the clerk
reloading; publishing a form version asks first and does nothing until confirmed (no
JavaScript needed); the form builder opens at the error, next to the field (no JavaScript).
Each test works on its own relief type, township or draft, so they share the server."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.filings import tasks as filing_tasks
from server.filings.models import Filing
from server.regions.models import Region
from server.schemas.models import SchemaStatus, SchemaVersion

from .conftest import LAPTOP

pytestmark = pytest.mark.browser

TOWNSHIP = "220999101000"  # 东风镇, the clerk's
BUILD = filing_tasks.build_filing  # the task itself, run by the test as the worker would


def test_filing_build_runs_once_and_its_page_follows_it_to_done(open_as, module_live_server,
                                                                monkeypatch):
    queued = []  # the build is queued, not run: it runs below while the page is open
    monkeypatch.setattr(filing_tasks, "build_filing", queued.append)
    page = open_as("clerk")
    page.goto("/filings/")
    button = page.locator("tr", has_text="东风镇").locator("button[data-once]")
    held = []  # the start request is held while the clerk presses again
    page.route("**/filings/build", lambda route: held.append(route))
    box = button.bounding_box()
    button.click(no_wait_after=True)
    page.wait_for_timeout(200)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # impatient
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_url(re.compile(r"/filings/\d+$"))
    status = page.locator("#build [data-progress-status]")
    assert "排队中" in status.inner_text()
    assert page.locator("#filing-status").count() == 1
    with module_live_server.context() as session:
        township = session.scalars(select(Region).where(Region.code == TOWNSHIP)).one()
        filing = session.scalars(select(Filing).where(Filing.region_id == township.id)
                                 .order_by(Filing.id.desc())).first()
        assert queued == [filing.id] and filing.build_status == "queued"
        BUILD.call_local(filing.id)  # what the worker does
        session.commit()
        households = filing.roster_count
    status.filter(has_text="已完成").wait_for()  # followed by the page, not by the clerk
    assert f"已生成报表和花名册：{households} 户" in status.inner_text()
    assert page.locator("a[href*='/download']").count() >= 1  # the built files are offered


def _draft(server, relief: str) -> SchemaVersion:
    with server.context() as session:
        return session.scalars(select(SchemaVersion).where(
            SchemaVersion.relief_type == relief).order_by(SchemaVersion.number.desc())).first()


def _status(server, version_id: int):
    with server.context() as session:
        return session.get(SchemaVersion, version_id).status


def test_publishing_asks_first_and_waits_for_the_confirmation(open_as, module_live_server):
    page = open_as("admin", javascript=False)
    page.goto("/schemas/")
    page.click("#new-draft-TK")
    draft = _draft(module_live_server, "TK")
    assert draft.status == SchemaStatus.draft and f"/versions/{draft.id}/builder" in page.url
    page.click("#publish")
    consequence = page.inner_text("[data-consequence]")
    assert f"第 {draft.number} 版将成为所有新申请使用的表单" in consequence, consequence
    assert _status(module_live_server, draft.id) == SchemaStatus.draft  # asked, not done
    page.click("text=取消")
    assert _status(module_live_server, draft.id) == SchemaStatus.draft
    page.goto(f"/schemas/versions/{draft.id}/builder")
    page.click("#publish")
    page.click("#confirm")
    page.wait_for_url(re.compile(rf"/schemas/versions/{draft.id}$"))
    assert _status(module_live_server, draft.id) == SchemaStatus.published
    assert "已发布" in page.inner_text("main")


def _in_view(page) -> dict:
    box = page.locator("#outcome").bounding_box()
    assert box is not None, "the page has no #outcome to open at"
    assert 0 <= box["y"] and box["y"] + min(box["height"], 40) <= LAPTOP["height"], box
    return box


def test_builder_opens_at_the_error_next_to_its_field(open_as, module_live_server):
    page = open_as("admin", javascript=False)
    page.goto("/schemas/")
    page.click("#new-draft-DB")
    page.wait_for_url(re.compile(r"/builder"))
    # deleting a field that three others' rules use: the page opens at the first of them
    page.locator("li.builder-field", has_text="是否由他人代办").locator("button[value=delete]").click()
    _in_view(page)
    row = page.locator("li.builder-field.has-problem").first
    assert "代办人姓名" in row.inner_text() and "is_proxy" in row.inner_text()
    assert page.locator("li.builder-field.has-problem #outcome").count() == 1
    # the edited field's own error: at its input, in view, deep down the page
    page.fill("#field-form input[name=name]", "note")
    page.fill("#field-form input[name=label]", "备注")
    page.fill("#field-form input[name=compute]", "incme + 1")
    page.click("#save-field")
    _in_view(page)
    assert page.locator("#outcome input[name=compute][aria-invalid=true]").count() == 1
    assert "incme" in page.inner_text("#outcome")
    # the source: its error above the text, where the page opens
    source = page.input_value("#source-text")
    page.fill("#source-text", source.replace("type: bank_account", "type: bank_acount"))
    page.click("#save-source")
    _in_view(page)
    assert "未知的字段类型" in page.inner_text("#source #outcome")
    draft = _draft(module_live_server, "DB")
    with module_live_server.context() as session:
        assert "bank_acount" not in session.get(SchemaVersion, draft.id).source
