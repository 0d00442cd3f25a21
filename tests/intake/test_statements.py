"""The SQL one intake POST costs is pinned: a look-up added per request must be a decision."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select

from server import MAX_FLASHES
from server.cases.models import Case
from server.db import db

from .conftest import form_data, household

NEW = "/intake/new?type=DB"
# One submitted household of three, all in one transaction: user, published form, villages,
# standards, the acceptance checks (dishonesty list and active cases in one statement), workflow
# setting, relatives register, holidays, the inserts, then the case number (its counter row and
# the case's number), the audit chain and the duplicate warning; the audit head at commit is
# the event just written. The old main took 26 in two transactions.
CEILING = 22


@contextmanager
def statements():
    """The SQL text of every statement the engine executes inside the block."""
    seen: list[str] = []

    def log(conn, cursor, statement, parameters, context, executemany):
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
