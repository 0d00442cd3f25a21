"""Fixtures: a fresh database per test (SQLite by default, PostgreSQL when
``JIUZHU_TEST_DATABASE_URL`` is set), the app, clients, logins and factories."""
from __future__ import annotations

import copy
import functools
import os
import re
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

# Keep the Huey SQLite file and the secret key out of the working tree, before server imports.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="jiuzhu-tests-"))
os.environ["JIUZHU_INSTANCE_DIR"] = str(_SESSION_DIR / "instance")
os.environ.setdefault("JIUZHU_HUEY_IMMEDIATE", "1")

from sqlalchemy import create_engine, select, text  # noqa: E402

from server import create_app  # noqa: E402
from server.db import db  # noqa: E402
from server.extensions import huey  # noqa: E402
from server.items.models import sync_shipped  # noqa: E402
from server.items.queries import forget as forget_items  # noqa: E402
from server.models import metadata  # noqa: E402


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (tests truncate every
    table), made on first use next to the one tests/pg_cluster.py created."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url

    name = f"{make_url(url).database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(url).set(database=name).render_as_string(hide_password=False)
    os.environ["JIUZHU_TEST_DATABASE_URL"] = url  # for subprocesses the tests start
    return url


PG_URL = _worker_database(os.environ.get("JIUZHU_TEST_DATABASE_URL", ""))
DB_FIXTURES = {"app", "db_url"}


def pytest_configure(config):
    config.addinivalue_line("markers", "engine_independent: uses the database but what it "
                            "checks cannot depend on the engine: run on SQLite only")


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL run, keep only the tests whose outcome may depend on the database."""
    if not PG_URL:
        return
    keep, drop = [], []
    once = ("browser", "pdf", "engine_independent")
    for item in items:
        touches_db = DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        sqlite_only = any(item.get_closest_marker(name) for name in once)
        (keep if touches_db and not sqlite_only else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def _template_db():
    """SQLite: one file with every table, copied per test. PostgreSQL: tables made once (the
    engine that empties them per test)."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        metadata.create_all(engine)
        yield engine  # db_url empties the tables through it
        engine.dispose()
        return
    path = _SESSION_DIR / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    yield path


@pytest.fixture
def db_url(_template_db, tmp_path):
    if PG_URL:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with _template_db.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            sync_shipped(conn)  # the shipped relief items, as create_all left them
        return PG_URL
    path = tmp_path / "jiuzhu.db"
    shutil.copy(_template_db, path)
    return f"sqlite:///{path}"


TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "CHECK_MIGRATIONS": False,
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "SERVER_NAME": "localhost",
}


@pytest.fixture
def app(db_url, tmp_path):
    app = _SharedApp.get({**TEST_SETTINGS, "DATABASE_URL": db_url,
                          "DATA_DIR": str(tmp_path / "data")})
    huey.immediate = True
    with app.app_context():
        yield app
        db.session.remove()
    db.engine.dispose()


class _SharedApp:
    """One app per worker, set up per test as ``create_app(config)`` would leave it.

    ``create_app`` takes about half a second (some 780 URL rules compiled, the OpenAPI
    document built) and about 750 tests need an app: they share the last one made, with its
    settings put back to what creation left them (plus the test's database and data
    directory) and the engine bound to the test's database (``db.init_app``). A new app is
    made when what creation reads changed (the environment, the instance files) or another
    app was made meanwhile (it took over the extensions' singletons)."""

    current = None
    PER_TEST = ("DATABASE_URL", "DATA_DIR")

    def __init__(self, app, inputs):
        self.app, self.inputs = app, inputs
        self.settings = copy.deepcopy({k: v for k, v in app.config.items()
                                       if k not in self.PER_TEST})

    @staticmethod
    def inputs(config):
        from server import config as config_module

        env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        return env, config_module.from_environment(), \
            {k: v for k, v in config.items() if k not in _SharedApp.PER_TEST}

    @classmethod
    def get(cls, config):
        from server.api import api

        inputs = cls.inputs(config)
        shared = cls.current
        if shared is None or shared.inputs != inputs or api._app is not shared.app:
            app = create_app(config)
            app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
            cls.current = cls(app, inputs)
            return app
        app = shared.app
        app.config.clear()
        app.config.update(copy.deepcopy(shared.settings))
        app.config.update({k: config[k] for k in cls.PER_TEST})
        Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        forget_items(app)  # the relief items cached from the last test's database
        # the engine and session only: the app's hooks were registered when it was made
        db.init_app(SimpleNamespace(config=app.config, extensions={},
                                    teardown_appcontext=lambda f: f))
        return app


def _fresh_g():
    # Requests reuse the test's app context; give each one a clean `g`, as in production.
    from flask import g

    g.__dict__.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo county (regions and one user per role), committed."""
    return load_demo(app)


def load_demo(app):
    """``demo.load()`` and commit, in the app's database and data directory.

    The load takes about a second and some 700 tests need it: the first test of a worker (per
    day and settings) loads it, later tests starting from a pristine database get the same
    rows, sequences and data files copied from that load (``DemoSnapshot``), which tests
    cannot tell apart."""
    from server import demo as demo_module

    key = DemoSnapshot.key(app)
    before = DemoSnapshot.pristine(app)
    snapshot = _DEMO_SNAPSHOTS.get(key)
    if snapshot is not None and before == snapshot.before:
        snapshot.restore(app)
        return demo_module
    demo_module.load()
    db.session.commit()
    if before is not None and snapshot is None:
        _DEMO_SNAPSHOTS[key] = DemoSnapshot.capture(app, before)
    return demo_module


class DemoSnapshot:
    """What ``demo.load()`` wrote to an empty database and data directory, to write again.

    Copied below SQLAlchemy, byte for byte and in the same row order (SQLite: ``INSERT …
    SELECT`` from a backup of the loaded file, same rowids; PostgreSQL: ``COPY`` out and in,
    then every sequence set where the load left it), so ids, JSON texts and the audit chain
    are those of a fresh load; the data directory's files (the audit checkpoint) likewise.
    Used only when the test's database is pristine (no row, no sequence used) and its data
    directory holds what the loading test's did; otherwise the test loads the demo itself."""

    def __init__(self, before, tables, data, sequences, files):
        self.before, self.tables, self.data = before, tables, data
        self.sequences, self.files = sequences, files

    @staticmethod
    def key(app):
        # the demo is dated from today (demo_stages) and may read the settings (TESTING…)
        from server.periods import local_today

        settings = sorted((k, repr(v)) for k, v in app.config.items()
                          if k not in ("DATABASE_URL", "DATA_DIR"))
        return local_today(), tuple(settings)

    @staticmethod
    def pristine(app):
        """The data directory's listing if the database is as made (else None)."""
        db.session.flush()
        tables = metadata.sorted_tables
        used = " OR ".join(f'EXISTS (SELECT 1 FROM "{t.name}")' for t in tables)
        if db.session.scalar(text(f"SELECT CASE WHEN {used} THEN 1 ELSE 0 END")):
            return None
        if PG_URL and db.session.scalar(text(
                "SELECT count(*) FROM pg_sequences WHERE schemaname = current_schema() "
                "AND last_value IS NOT NULL")):
            return None
        db.session.commit()  # as the load's own commit would: the copy is then seen
        return _listing(Path(app.config["DATA_DIR"]))

    @classmethod
    def capture(cls, app, before):
        names = [t.name for t in metadata.sorted_tables]
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            tables = [n for n in names
                      if cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{n}")').fetchone()[0]]
            sequences, data = [], {}
            if PG_URL:
                for name in tables:
                    with cur.copy(f'COPY "{name}" TO STDOUT') as copy:
                        data[name] = b"".join(bytes(block) for block in copy)
                sequences = cur.execute(
                    "SELECT quote_ident(sequencename), last_value FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL").fetchall()
            else:
                import sqlite3

                data = _SESSION_DIR / f"demo-{len(_DEMO_SNAPSHOTS)}.db"
                target = sqlite3.connect(data)
                raw.driver_connection.backup(target)
                target.close()
            raw.commit()
        finally:
            raw.close()
        root = Path(app.config["DATA_DIR"])
        files = {rel: (root / rel).read_bytes() for rel in _listing(root) - before
                 if (root / rel).is_file()}
        dirs = sorted(rel for rel in _listing(root) - before if (root / rel).is_dir())
        return cls(before, tables, data, sequences, (dirs, files))

    def restore(self, app):
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            if PG_URL:
                for name in self.tables:
                    with cur.copy(f'COPY "{name}" FROM STDIN') as copy:
                        copy.write(self.data[name])
                if self.sequences:
                    cur.execute("SELECT " + ", ".join(
                        f"setval('{name}', {value})" for name, value in self.sequences))
                raw.commit()
            else:  # autocommit connection (server/db.py): the transaction is ours
                cur.execute("ATTACH DATABASE ? AS demo_snapshot", (str(self.data),))
                cur.execute("BEGIN IMMEDIATE")
                cur.execute("PRAGMA defer_foreign_keys = ON")
                for name in self.tables:
                    cur.execute(f'INSERT INTO main."{name}" SELECT * FROM demo_snapshot."{name}"')
                cur.execute("COMMIT")
                cur.execute("DETACH DATABASE demo_snapshot")
        finally:
            raw.close()
        root = Path(app.config["DATA_DIR"])
        dirs, files = self.files
        for rel in dirs:
            (root / rel).mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            (root / rel).write_bytes(content)


_DEMO_SNAPSHOTS: dict = {}


def _listing(root: Path) -> frozenset:
    return frozenset(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() \
        else frozenset()


@pytest.fixture
def user(demo):
    """Look up a demo user by username."""
    return demo.demo_user


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str | None = None):
        from server.demo import DEMO_PASSWORD

        return self._client.post("/login", data={"username": username,
                                                  "password": password or DEMO_PASSWORD})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login(app, demo):
    """``login("clerk")`` gives a test client logged in as that demo user."""

    def _login(username: str):
        c = app.test_client()
        response = AuthActions(c).login(username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return _login


@pytest.fixture
def api(app, demo):
    """``api("clerk")`` gives (client, headers) with a fresh bearer token for that user."""
    from server.auth.operations import create_token

    def _api(username: str):
        token = create_token(demo.demo_user(username))
        db.session.commit()
        return app.test_client(), {"Authorization": f"Bearer {token}"}

    return _api


def region(code: str):
    from server.regions.models import Region

    return db.session.scalars(select(Region).where(Region.code == code)).one()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture
def office_language():
    """Messages are msgids: outside an app they read in English. A unit test that calls code
    without the ``app`` fixture reads them in the office's language (zh_CN), as a task does."""
    with _office_app().app_context():
        yield


@functools.cache
def _office_app():
    from flask import Flask

    from server import _init_babel

    app = Flask("office-language")
    app.config["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    _init_babel(app)
    return app
