"""Declarative base with a naming convention, and per-app engine/session handling.

One scoped session per request or task; it is committed at the boundary by the code that
owns the unit of work (views call operations, operations never commit on their own).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


class Database:
    """Holds the engine and the scoped session of the current app."""

    def __init__(self):
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))

    def init_app(self, app):
        url = app.config["DATABASE_URL"]
        kwargs = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if self.engine is not None:  # a new app (tests) replaces the previous one's pool
            self.session.remove()
            self.engine.dispose()
        self.engine = create_engine(url, **kwargs)
        self.session.remove()
        self.session.configure(bind=self.engine)
        app.teardown_appcontext(self._teardown)
        app.extensions["jiuzhu_db"] = self

    def _teardown(self, exc):
        if exc is not None:
            self.session.rollback()
        self.session.remove()


db = Database()
