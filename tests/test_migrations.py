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


def _filled(table, **given) -> dict:
    """A row for ``table`` as reflected: the given values, a plain value for every other
    required column (foreign keys must be given)."""
    from datetime import date, datetime

    plain = {"INTEGER": 1, "BIGINT": 1, "BOOLEAN": False, "DATE": date(2026, 1, 5),
             "DATETIME": datetime(2026, 1, 5, 8), "TIMESTAMP": datetime(2026, 1, 5, 8),
             "JSON": {}, "TEXT": "x"}
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        assert not column.foreign_keys, f"give {table.name}.{column.name}"
        kind = type(column.type).__name__.upper()
        row[column.name] = plain.get(kind, plain.get(str(column.type).split("(")[0], "x"))
    return row


def test_relief_codes_become_item_rows_and_back(empty_db_url):
    """0024 turns the four-value code columns into references to relief_item rows, keeping
    every case, form version, setting and draft; the downgrade keeps them too."""
    from alembic import command
    from sqlalchemy import MetaData, insert, inspect, select
    from sqlalchemy.exc import IntegrityError

    cfg = alembic_config(empty_db_url)
    command.upgrade(cfg, "0022")
    engine = create_engine(empty_db_url)
    old = MetaData()
    old.reflect(engine)
    t = old.tables
    codes = ["DB", "TK", "LS", "BY"]
    with engine.begin() as conn:
        conn.execute(insert(t["region"]).values(_filled(t["region"], id=1, parent_id=None)))
        for i, code in enumerate(codes, start=1):
            conn.execute(insert(t["schema_version"]).values(_filled(
                t["schema_version"], id=i, county_id=1, relief_type=code, number=1,
                created_by_id=None)))
            conn.execute(insert(t["case"]).values(_filled(
                t["case"], id=i, region_id=1, schema_version_id=i, relief_type=code,
                case_number=f"C-{code}", archive_number=None, created_by_id=None)))
            conn.execute(insert(t["workflow_setting"]).values(_filled(
                t["workflow_setting"], id=i, region_id=1, relief_type=code,
                updated_by_id=None)))
            conn.execute(insert(t["intake_draft"]).values(_filled(
                t["intake_draft"], id=i, region_id=1, schema_version_id=i, relief_type=code,
                case_id=i, created_by_id=None)))
    tables = ("case", "schema_version", "workflow_setting", "intake_draft")

    def stored():
        with engine.connect() as conn:
            return {name: conn.execute(text(
                f'SELECT id, relief_type FROM "{name}" ORDER BY id')).all() for name in tables}

    before = stored()
    assert [code for _id, code in before["case"]] == codes
    command.upgrade(cfg, "0024")
    assert stored() == before
    with engine.connect() as conn:
        items = conn.execute(text(
            "SELECT code, short_name, family, is_shipped, is_active FROM relief_item "
            "ORDER BY position")).all()
    assert [tuple(r) for r in items] == [("DB", "低保", "monthly", True, True),
                                         ("TK", "特困", "care", True, True),
                                         ("LS", "临时救助", "one_off", True, True),
                                         ("BY", "低保边缘", "recognition", True, True)]
    inspector = inspect(engine)
    for name in tables:
        assert {"relief_item"} == {fk["referred_table"] for fk in inspector.get_foreign_keys(name)
                                   if fk["constrained_columns"] == ["relief_type"]}
        column = next(c for c in inspector.get_columns(name) if c["name"] == "relief_type")
        assert column["type"].length == 8
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the key holds: no unknown code
        conn.execute(text("UPDATE \"case\" SET relief_type = 'ZZ' WHERE id = 1"))
    with engine.begin() as conn:  # a county's own item: the old schema cannot keep it
        conn.execute(text("INSERT INTO relief_item (code, position, name, name_en, short_name, "
                          "short_name_en, unit, family, is_paid, basis, settings, is_shipped, "
                          "is_active, updated_at) VALUES ('SW', 9, 'x', '', 'x', '', 'person', "
                          "'monthly', true, '', '{}', false, false, CURRENT_TIMESTAMP)"))
    with pytest.raises(RuntimeError, match="SW"):
        command.downgrade(cfg, "0022")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM relief_item WHERE code = 'SW'"))
    command.downgrade(cfg, "0022")
    assert stored() == before
    assert "relief_item" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(select(t["case"].c.case_number).order_by(t["case"].c.id)) \
            .scalars().all() == [f"C-{c}" for c in codes]
    engine.dispose()


def test_cli_upgrade_keeps_the_shipped_items_equal_to_the_file(empty_db_url, tmp_path):
    """forms/items.yaml stays the source of the shipped items: `jiuzhu db upgrade` rewrites a
    shipped row that differs and leaves a county's own item alone."""
    app = create_app({"DATABASE_URL": empty_db_url, "CHECK_MIGRATIONS": False,
                      "DATA_DIR": str(tmp_path / "data")})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE relief_item SET short_name = '旧名', position = 7 "
                          "WHERE code = 'TK'"))
        conn.execute(text("INSERT INTO relief_item (code, position, name, name_en, short_name, "
                          "short_name_en, unit, family, is_paid, basis, settings, is_shipped, "
                          "is_active, updated_at) VALUES ('SW', 9, '县项目', '', 'x', '', "
                          "'person', 'monthly', true, '', '{}', false, false, "
                          "CURRENT_TIMESTAMP)"))
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT code, short_name, position FROM relief_item ORDER BY code")).all()
    engine.dispose()
    with app.app_context():
        db.engine.dispose()  # before the fixture drops the database under the pool
    assert [tuple(r) for r in rows] == [("BY", "低保边缘", 3), ("DB", "低保", 0), ("LS", "临时救助", 2),
                                        ("SW", "x", 9), ("TK", "特困", 1)]
