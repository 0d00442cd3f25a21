"""Declarative base with a naming convention, and per-app engine/session handling.

One scoped session per request or task; it is committed at the boundary by the code that
owns the unit of work (views call operations, operations never commit on their own).

Concurrency: writers of shared state (counters, the audit chain) call ``lock_for_write()``
first. On SQLite, whose ``SELECT ... FOR UPDATE`` is a no-op, write requests begin with the
write lock and other transactions take it at their first write; on PostgreSQL an advisory
lock taken at the first write, plus row locks. A lost race is a ``StaleDataError``, answered as a 409.

Writers that may run side by side (intake, ``write_alongside()``) take that advisory lock
shared instead: they exclude the other writers but not each other, and lock by name
(``lock_names``) or row (``locked_row``) only what they must serialize among themselves.
"""
from __future__ import annotations

import zlib
from datetime import datetime, timezone

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
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
WRITE_LOCK_KEY = 727274  # the PostgreSQL advisory lock of a transaction that writes
SHARED = "shared"  # conn.info[LOCKED] of a transaction holding it shared (write_alongside)
BEGIN_DEFERRED: set[str] = set()  # endpoints whose write requests begin without the lock
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
    """Requests that may write (POST, PUT, PATCH, DELETE) lock up front, so their checks read
    what they then write on."""
    from flask import has_request_context, request

    return (has_request_context() and request.method not in SAFE_METHODS
            and request.endpoint not in BEGIN_DEFERRED)


def begins_deferred(endpoint: str) -> str:
    """Let write requests to ``endpoint`` begin without the SQLite write lock: the view reads
    and validates first and takes the lock itself (``write_alongside``) before the checks
    that must read current data, so validation runs while another request writes."""
    BEGIN_DEFERRED.add(endpoint)
    return endpoint


LOCKED = "jiuzhu_write_locked"
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@event.listens_for(Engine, "begin")
def _begin(conn):
    """SQLite: write requests begin with the write lock taken (BEGIN IMMEDIATE); others begin
    deferred and take it at their first write (``_lock_at_first_write``).

    A deferred transaction that read and then writes fails ("database is locked") when
    another writer committed in between; taking the lock first makes writers queue for it
    (the busy timeout) and read current data. Read-only requests never wait.
    """
    if conn.dialect.name == "sqlite":
        write = _wants_write(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
        conn.info[LOCKED] = write
    else:
        conn.info[LOCKED] = False


def _take_lock(conn, cursor=None, shared: bool = False) -> None:
    """Make this transaction the one writer of shared state until it ends.

    PostgreSQL: the advisory lock, taken before the transaction's first row lock, so two
    writers never hold one each and wait for the other's (a deadlock). SQLite: end the read
    snapshot of a deferred transaction and begin again with the write lock (waiting for it);
    what it reads from here on is current, what it read before may be older, as under READ
    COMMITTED.
    """
    if conn.info.get(LOCKED) or not conn.in_transaction():
        return  # (SQLite: no savepoint can exist here, taking one locks first, see below)
    cursor = cursor or conn.connection.dbapi_connection.cursor()
    if conn.dialect.name == "postgresql":
        mode = "_shared" if shared else ""
        cursor.execute(f"SELECT pg_advisory_xact_lock{mode}({WRITE_LOCK_KEY})")
    elif conn.dialect.name == "sqlite":
        shared = False  # one writer at a time
        cursor.execute("COMMIT")
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except conn.dialect.loaded_dbapi.Error as exc:  # still locked after the busy timeout
            cursor.execute("BEGIN")  # the transaction SQLAlchemy holds open, to end normally
            # as SQLAlchemy's own error, so it is answered "busy, try again" (503), not a 500
            raise OperationalError("BEGIN IMMEDIATE", (), exc) from exc
    conn.info[LOCKED] = SHARED if shared else True


@event.listens_for(Engine, "before_cursor_execute")
def _lock_at_first_write(conn, cursor, statement, parameters, context, executemany):
    if not conn.info.get(LOCKED) and statement.lstrip()[:7].upper().startswith(WRITE_VERBS):
        _take_lock(conn, cursor)


@event.listens_for(Engine, "savepoint")
def _lock_before_savepoint(conn, name):
    # SQLite: COMMIT would end the savepoint too, so a transaction locks before its first one
    _take_lock(conn)


def lock_for_write(session=None) -> None:
    """Serialize this transaction with the other writers of shared state (counters, the
    audit chain) before it reads that state; every write takes it anyway (see _take_lock)."""
    _take_lock(_connection(session))


def _connection(session=None):
    """The connection of a session (the request's by default), or a connection itself."""
    if isinstance(session, Connection):
        return session
    session = session or db.session
    if isinstance(session, scoped_session):
        session = session()
    return session.connection()


def write_alongside(session=None) -> None:
    """Lock for a writer that may run beside others of its kind (intake) before it reads
    what it then writes on. PostgreSQL: the write lock shared, so such writers exclude every
    other writer but not each other; among themselves they serialize only by ``lock_names``
    and ``locked_row``, always in that order and the audit chain last (no deadlock). SQLite:
    the one write lock, as any writer. A transaction already locked keeps its lock."""
    _take_lock(_connection(session), shared=True)


def lock_names(namespace: int, names, session=None) -> None:
    """Serialize with every transaction that locks one of ``names`` in ``namespace`` until
    this one ends (PostgreSQL advisory locks, taken in one sorted order). Needed only beside
    other writers: under the exclusive write lock, and on SQLite, it is already held."""
    conn = _connection(session)
    if not conn.info.get(LOCKED):
        write_alongside(session)
    if conn.info.get(LOCKED) != SHARED:
        return
    from sqlalchemy import bindparam, text
    from sqlalchemy.dialects.postgresql import ARRAY, INTEGER

    keys = sorted({zlib.crc32(str(name).encode()) - 2 ** 31 for name in names})
    conn.execute(text("SELECT pg_advisory_xact_lock(:namespace, k) FROM "
                      "(SELECT unnest(:keys) AS k ORDER BY k) AS sorted")
                 .bindparams(bindparam("keys", type_=ARRAY(INTEGER))),
                 {"namespace": namespace, "keys": keys})


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


def analyze(engine=None) -> None:
    """Refresh the planner's statistics after migrations and bulk loads: without them SQLite
    scans every case for a look-up its indexes serve (measured 1.6x on intake)."""
    from sqlalchemy import text

    engine = engine or db.engine
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        if conn.dialect.name == "postgresql":
            # rows a bulk load put in a GIN index's pending list are read by every search
            # (about 450 pages, 9 ms at a million cases) until a vacuum: merge them now
            conn.execute(text(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'gin' AND n.nspname = current_schema()"))


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
