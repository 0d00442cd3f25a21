"""At 1366×768 (a township office laptop), in Chinese and in English: for every demo role the
home page, the case list and a case page keep the top bar on one line without horizontal
overflow, the language switch works and the text a user sees passes the crawl's checkers
(tests/crawl.py: no internal words in Chinese, no Chinese but data in English); a typical case page is about two screens tall; the
county home page and the filing consolidation draw readable charts. Takes the screenshots the
README shows: ``JIUZHU_SCREENSHOTS=docs/screenshots`` writes them there (else to a temporary
folder, so a test run leaves the checkout clean). One live server for the module: these tests only read (the
chart test adds the demo's filed months, which no other test here looks at)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from server.cases.models import Case
from server.demo import USERS

from ..crawl import CHECKERS
from ..test_crawl import _data_words
from .conftest import LAPTOP

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOTS") or tempfile.gettempdir())
# "About two screens": at most 2¼ screens for the demo case in payment (2 members, 6 steps of
# procedure, 5 steps of documents). It measured 3,000 px before; now the clerk's page is
# ≈1,660 px and the county's (no action forms) ≈1,370 px.
MAX_CASE_HEIGHT = int(2.25 * LAPTOP["height"])

LAYOUT = """() => {
  const bar = document.querySelector('.topbar');
  const items = [...bar.querySelectorAll(':scope > *, .mainnav > a, .mainnav > details > summary')];
  const tops = items.map(e => e.getBoundingClientRect().top);
  const root = document.documentElement;
  return {height: bar.getBoundingClientRect().height, spread: Math.max(...tops) - Math.min(...tops),
          overflow: bar.scrollWidth - bar.clientWidth, page: root.scrollWidth - root.clientWidth,
          cards: [...document.querySelectorAll('main .card')].filter(c => c.scrollWidth > c.clientWidth + 1)
                 .map(c => (c.id || c.className) + ': ' + (c.scrollWidth - c.clientWidth) + ' px')};
}"""
# the page's language as the server rendered it, and the log-out button's words
LANGUAGES = {"zh_CN": ("zh-CN", "退出登录"), "en": ("en", "Log out")}


def _case_id(server, name: str) -> int:
    with server.context() as session:
        return session.scalars(select(Case.id).where(Case.applicant_name == name)).one()


def _switch(page, locale: str) -> None:
    """Choose the language in the top bar (it submits itself) and wait for the page in it."""
    lang, logout = LANGUAGES[locale]
    page.select_option("select[name=locale]", locale)
    page.locator(f"html[lang={lang}]").wait_for(state="attached")
    assert page.inner_text("#logout").strip() == logout


# the text a reader sees, without what the crawl treats as data or source (tests/crawl.py)
SEEN = """() => {
  const skip = [...document.body.querySelectorAll('code, pre, textarea, [lang^=zh], .data')]
      .filter(e => e.style.display !== 'none');
  skip.forEach(e => e.style.display = 'none');
  const text = document.body.innerText;
  skip.forEach(e => e.style.display = '');
  return text; }"""


@pytest.fixture(scope="module")
def data_words(module_live_server):
    with module_live_server.context():
        return _data_words()


def _check_words(page, locale: str, data, what: str) -> None:
    found = CHECKERS[locale](page.evaluate(SEEN), data)
    assert not found, f"{what} ({locale}): {found}"


def _check_layout(page, what: str) -> None:
    layout = page.evaluate(LAYOUT)
    assert layout["spread"] < 12 and layout["height"] < 60, f"{what}: top bar wraps {layout}"
    assert layout["overflow"] <= 0 and layout["page"] <= 0, f"{what}: wider than 1366 {layout}"
    assert not layout["cards"], f"{what}: a table sticks out of its card {layout['cards']}"


@pytest.mark.parametrize("locale", list(LANGUAGES))
@pytest.mark.parametrize("username", [u[0] for u in USERS])
def test_main_pages_fit_1366_in_both_languages(open_as, data_words, username, locale):
    page = open_as(username)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    if locale != "zh_CN":
        _switch(page, locale)
    try:
        path = page.url
        assert re.sub(r"^https?://[^/]+", "", path) in ("/", "/home/", "/home"), path
        _check_layout(page, "home")
        _check_words(page, locale, data_words, "home")
        more = page.locator("details.navmore")
        if more.count():  # the folded links open without JavaScript and are links
            more.locator("summary").click()
            assert more.locator(".navmore-menu a").first.is_visible()
        page.goto("/cases/")
        _check_layout(page, "case list")
        _check_words(page, locale, data_words, "case list")
        links = [h for h in page.locator("main a[href^='/cases/']").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))") if re.fullmatch(r"/cases/\d+", h)]
        for link in links[:1] + links[-1:]:  # the demo gives 太平乡 and 城关街道 no case
            page.goto(link)
            assert page.evaluate("document.documentElement.lang") == LANGUAGES[locale][0]
            _check_layout(page, f"case page {link}")
            _check_words(page, locale, data_words, f"case page {link}")
    finally:
        if locale != "zh_CN":  # the choice is kept on the user: give the next test Chinese
            _switch(page, "zh_CN")


@pytest.mark.parametrize("username", ["clerk", "approver", "supervisor"])
def test_a_typical_case_page_is_about_two_screens(open_as, module_live_server, username):
    page = open_as(username)
    page.goto(f"/cases/{_case_id(module_live_server, '张建国')}")
    height = page.evaluate("document.documentElement.scrollHeight")
    if username == "clerk":
        page.screenshot(path=str(SHOTS / "case-page.png"), full_page=True)
    sections = page.evaluate("[...document.querySelectorAll('main > section, main > div > section')]"
                             ".map(s => [s.id, Math.round(s.getBoundingClientRect().height)])")
    assert height <= MAX_CASE_HEIGHT, f"{height} px: {sections}"
    if username != "supervisor":  # the township's next step is on the first screen
        assert page.locator("#case-actions").bounding_box()["y"] < LAPTOP["height"] / 2


READABLE = """svg => [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
  .map(t => Math.round(t.getBoundingClientRect().height))"""


def _readable(chart) -> list[str]:
    """The chart's labels; each is drawn at least 10 px tall on the 1366 px screen."""
    heights = chart.evaluate(READABLE)
    assert heights and min(heights) >= 10, heights
    return chart.locator("text").all_text_contents()


def test_county_dashboard_and_consolidation_draw_the_charts(open_as, module_live_server):
    from server.filings.demo import demo_history

    with module_live_server.context() as session:  # the demo's year of filed months
        demo_history(force=True)
        session.commit()
    page = open_as("supervisor")
    assert page.locator("svg.chart").count() >= 4
    recipients = page.locator("#filing-charts svg.chart").first
    assert recipients.locator("polyline").count() == 3  # one line per township
    overdue = page.locator("#panel-county-overdue svg.chart")
    assert overdue.is_visible() and overdue.locator("rect").count() >= 3  # a bar per township
    assert "东风镇" in _readable(overdue)
    page.screenshot(path=str(SHOTS / "county-dashboard.png"), full_page=True)
    page.goto("/filings/consolidated")
    charts = page.locator("#filing-charts svg.chart")
    assert charts.count() >= 3 and charts.first.is_visible()
    labels = _readable(charts.first)
    assert {"东风镇", "太平乡"} <= set(labels), labels
    assert charts.first.locator("polyline").count() == 3
