"""Declarative base with a naming convention, and per-app engine/session handling.

One scoped session per request or task; it is committed at the boundary by the code that
owns the unit of work (views call operations, operations never commit on their own).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import MetaData, create_engine, event, text
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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_OPTION = "jiuzhu_write"
AUDIT_LOCK_KEY = 727274  # the PostgreSQL advisory lock every writer of shared tails takes
CONFLICT_MESSAGE = "该记录已被他人修改，请刷新后重试"


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if _is_sqlite(dbapi_connection):
        # SQLAlchemy, not pysqlite, begins transactions (see _sqlite_begin): pysqlite's own
        # implicit BEGIN runs reads outside any transaction and cannot take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _wants_write(conn) -> bool:
    """Write transactions: unsafe HTTP methods, tasks, CLI; or explicitly asked for."""
    explicit = conn.get_execution_options().get(WRITE_OPTION)
    if explicit is not None:
        return explicit
    from flask import has_request_context, request

    return not (has_request_context() and request.method in SAFE_METHODS)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """On SQLite a write transaction takes the write lock at its start (BEGIN IMMEDIATE).

    A deferred transaction that read first and writes later fails when another writer
    committed in between; taking the lock up front makes writers queue (busy timeout) and
    read current data. Read-only requests stay deferred and never wait.
    """
    if conn.dialect.name != "sqlite":
        return
    write = _wants_write(conn)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
    conn.info["jiuzhu_write_locked"] = write


def lock_for_write(session=None) -> None:
    """Serialize this transaction with the other writers of shared state (counters, the
    audit chain) before it reads that state.

    PostgreSQL: a transaction-scoped advisory lock (always taken before row locks, so no
    deadlock between them). SQLite: the database write lock; a read-only transaction with
    nothing written yet is ended and a write transaction begun, so what follows reads the
    newest data under the lock.
    """
    session = (session or db.session)
    if isinstance(session, scoped_session):
        session = session()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        return
    if dialect != "sqlite":
        return
    if session.in_transaction():
        conn = session.connection()
        if conn.info.get("jiuzhu_write_locked"):
            return
        if not (session.new or session.dirty or session.deleted
                or session.info.get("jiuzhu_flushed")):
            session.commit()  # nothing written: end the read snapshot, begin a write one
        else:  # already wrote inside a deferred transaction: take the lock where we are
            conn.exec_driver_sql("UPDATE audit_event SET id = id WHERE 0")
            conn.info["jiuzhu_write_locked"] = True
            return
    session.connection(execution_options={WRITE_OPTION: True})


def locked_row(model, **keys):
    """The row of a counter-like ``model`` with these key columns, locked for this
    transaction and created (with its defaults) on first use."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    session = db.session
    lock_for_write(session)
    stmt = select(model).filter_by(**keys).with_for_update()
    row = session.scalars(stmt).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(model(**keys))
    except IntegrityError:
        pass  # another transaction made it first (PostgreSQL); lock theirs
    return session.scalars(stmt).one()


def _note_flush(session, flush_context):
    session.info["jiuzhu_flushed"] = True


def _clear_flush(session):
    session.info.pop("jiuzhu_flushed", None)


class Database:
    """Holds the engine and the scoped session of the current app."""

    def __init__(self):
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))
        event.listen(self.session, "after_flush", _note_flush)
        event.listen(self.session, "after_commit", _clear_flush)
        event.listen(self.session, "after_rollback", _clear_flush)

    def init_app(self, app):
        url = app.config["DATABASE_URL"]
        kwargs = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            # writers wait for the lock holding a connection: no pool limit on top of that
            kwargs.update(pool_size=10, max_overflow=-1)
        else:
            kwargs.update(pool_size=10, max_overflow=30)
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
