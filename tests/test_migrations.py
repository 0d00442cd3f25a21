"""Alembic migrations build exactly the models' schema, and the server refuses an old schema."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from server import create_app
from server.db import db
from server.migrate import SchemaOutOfDate, alembic_config
from server.models import metadata

from .conftest import PG_URL


@pytest.fixture
def empty_db_url(db_url, tmp_path):
    """A database with no tables: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    db.session.remove()
    if db.engine is not None:
        db.engine.dispose()  # the apps made in the test still hold pooled connections
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_builds_the_models_schema(empty_db_url):
    from alembic import command

    command.upgrade(alembic_config(empty_db_url), "head")
    engine = create_engine(empty_db_url)
    with engine.connect() as conn:
        dialect = conn.dialect.name
        context = MigrationContext.configure(conn, opts={"include_object": (
            lambda obj, *_: getattr(getattr(obj, "_ddl_if", None), "dialect", None)
            in (None, dialect))})  # indexes made on one database only (ddl_if)
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == [], "models and migrations differ: generate a migration"


def test_server_refuses_an_old_schema(empty_db_url, tmp_path):
    with pytest.raises(SchemaOutOfDate, match="jiuzhu db upgrade"):
        create_app({"DATABASE_URL": empty_db_url, "CHECK_MIGRATIONS": True,
                    "DATA_DIR": str(tmp_path / "data")})


def test_cli_upgrade_then_start(empty_db_url, tmp_path):
    config = {"DATABASE_URL": empty_db_url, "DATA_DIR": str(tmp_path / "data")}
    app = create_app(dict(config, CHECK_MIGRATIONS=False))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    create_app(dict(config, CHECK_MIGRATIONS=True))  # no longer refuses


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_an_old_schema(empty_db_url, tmp_path, command):
    app = create_app({"DATABASE_URL": empty_db_url, "CHECK_MIGRATIONS": False,
                      "DATA_DIR": str(tmp_path / "data")})
    result = app.test_cli_runner().invoke(args=[command])
    assert result.exit_code == 1
    assert "jiuzhu db upgrade" in result.output
