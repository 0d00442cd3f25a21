"""The SQL one intake POST costs is pinned: a look-up added per request must be a decision."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select

from server import MAX_FLASHES
from server.cases.models import Case
from server.db import LOCKED, db

from .conftest import form_data, household

NEW = "/intake/new?type=DB"
# One submitted household of three, all in one transaction: user, published form, villages,
# the duplicate warning, standards, workflow setting, relatives register, holidays (all read
# before the write lock), then under it the acceptance checks (dishonesty list and active cases
# in one statement), one INSERT each for the case, its members, clocks and event, the case
# number (counter and case), the audit chain head and event. 22 before the bulk inserts, 26 in
# two transactions on the old main.
CEILING = 18  # PostgreSQL's advisory locks not counted
LOCKED_CEILING = 9  # of them under the write lock


@contextmanager
def statements(locked_only: bool = False):
    """The SQL text of every statement the engine executes inside the block but advisory
    locks (``locked_only``: those run while the transaction holds the write lock, server.db)."""
    seen: list[str] = []

    def log(conn, cursor, statement, parameters, context, executemany):
        if "pg_advisory" in statement:  # PostgreSQL's locks: the design, not look-ups
            return
        if not locked_only or (conn.info.get(LOCKED) and statement != "BEGIN"):
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", log)


def test_one_intake_post_stays_under_the_statement_ceiling(login):
    client = login("clerk")
    assert client.post(NEW, data=form_data(household(1))).status_code == 302  # warm caches
    with statements() as seen:
        response = client.post(NEW, data=form_data(household(2)))
    assert response.status_code == 302
    assert len(seen) <= CEILING, "\n".join(seen)


def test_an_intake_holds_the_write_lock_only_for_its_checks_and_writes(login):
    """Reads that need no current data (clocks, relatives, the duplicate warning) run before
    the lock; under it one statement per table written (SQLite: one writer at a time)."""
    client = login("clerk")
    assert client.post(NEW, data=form_data(household(1))).status_code == 302
    with statements(locked_only=True) as seen:
        response = client.post(NEW, data=form_data(household(2)))
    assert response.status_code == 302
    assert len(seen) <= LOCKED_CEILING, "\n".join(seen)
    assert [s.split()[0] for s in seen].count("INSERT") == 5, "\n".join(seen)



def test_intakes_posted_without_opening_a_page_keep_the_session_small(login):
    """Each accepted intake flashes its case number; a client that never shows them (a
    script posting form after form) must not grow its session cookie, read on every request."""
    client = login("clerk")
    for seed in range(1, 16):
        response = client.post(NEW, data=form_data(household(seed)))
        assert response.status_code == 302
    with client.session_transaction() as session:
        waiting = [message for _category, message in session.get("_flashes", [])]
    assert 0 < len(waiting) <= MAX_FLASHES
    newest = db.session.scalars(select(Case.case_number).order_by(Case.id.desc())).first()
    assert newest in waiting[-1]  # the newest message is kept
