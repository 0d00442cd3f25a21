"""Browser fixtures: the app served by werkzeug in a thread on a free loopback port against a
file SQLite database with the demo county, and Debian's chromium driven by Playwright.

The live app keeps CSRF on, like production. ``live.session()`` gives a database session in
the test thread for checking what the browser did.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine
from werkzeug.serving import make_server

from server import create_app
from server.db import db
from server.models import metadata

from ..conftest import load_demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class LiveServer:
    app: object
    url: str

    @contextlib.contextmanager
    def context(self):
        """An app context in the test thread (its own scoped session), for checks."""
        with self.app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()


@contextlib.contextmanager
def _serving(directory):
    """The app with the demo county on a file SQLite database in ``directory``, served."""
    path = directory / "live.db"
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{path}",
        "DATA_DIR": str(directory / "data"),
        "SECRET_KEY": "browser-test-secret",
        "CHECK_MIGRATIONS": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    with app.app_context():
        load_demo(app)  # a copy of this worker's first load (tests/conftest.py)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(tmp_path):
    """A fresh live server for one test (the test changes what others would see)."""
    with _serving(tmp_path) as live:
        yield live


@pytest.fixture(scope="module")
def module_live_server(tmp_path_factory):
    """One live server for every test of a module (loading the demo takes seconds): for tests
    that read, or change only what no other test of the module looks at."""
    with _serving(tmp_path_factory.mktemp("live")) as live:
        yield live


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server):
    """A fresh browser page (own cookies) with a base URL on the live server."""
    context = _browser.new_context(base_url=live_server.url, locale="zh-CN",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def browser_login(page):
    """``browser_login("admin")`` logs the page in as that demo user."""
    from server.demo import DEMO_PASSWORD

    def _login(username: str):
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return _login


LAPTOP = {"width": 1366, "height": 768}  # a township office laptop


@pytest.fixture
def open_as(_browser, module_live_server):
    """``open_as("clerk")``: a new page (own cookies) on the module's live server, logged in as
    that demo user; ``locale``, ``viewport`` and ``javascript`` as a context takes them. Fails
    the test on a JavaScript error on any page it opened."""
    from server.demo import DEMO_PASSWORD

    contexts, errors = [], []

    def _open(username: str, *, locale: str = "zh-CN", viewport: dict | None = None,
              javascript: bool = True):
        context = _browser.new_context(base_url=module_live_server.url, locale=locale,
                                       viewport=viewport or LAPTOP,
                                       java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main button[type=submit]")  # not the language switch's
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
