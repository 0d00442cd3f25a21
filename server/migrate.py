"""Alembic glue: upgrade, and the start-up check that refuses to run on an old schema."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .db import analyze, db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaOutOfDate(SystemExit):
    pass


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(app, revision: str = "head") -> None:
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), revision)
    current, head = state(app)
    if current == head:  # the shipped relief items follow forms/items.yaml as edited since
        from .items.operations import sync_shipped_items

        sync_shipped_items()
        db.session.commit()
    analyze()  # new indexes and tables start without planner statistics


def state(app) -> tuple[str | None, str]:
    """(current revision of the database, head revision of the code)."""
    script = ScriptDirectory.from_config(alembic_config(app.config["DATABASE_URL"]))
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, script.get_current_head()


def ensure_current(app) -> None:
    current, head = state(app)
    if current != head:
        raise SchemaOutOfDate(
            f"The database is at migration {current or '(empty)'} but the code needs {head}.\n"
            "Run:  jiuzhu db upgrade   (or `make run`, which does it for you)"
        )
