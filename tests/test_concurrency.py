"""Races with real threads against the app (a SQLite file, or PostgreSQL on the pg run):
every simultaneous intake saved with its own number, one winner per transition race (the
others get the Chinese 409), and the audit chain intact after simultaneous logins."""
from __future__ import annotations

import json
import threading
from datetime import date

from sqlalchemy import select

from server.audit.operations import verify
from server.auth.operations import create_token
from server.cases.checks import STALE_MESSAGE
from server.cases.models import Case
from server.db import db

from .conftest import AuthActions
from .intake.conftest import api_answers, household

N = 20


def _race(app, work):
    """Run ``work(i, client)`` in N threads that start together; return their results."""
    db.session.commit()  # release the main thread's snapshot before the race
    barrier = threading.Barrier(N)
    results: list = [None] * N

    def run(i):
        client = app.test_client()
        barrier.wait()
        try:
            results[i] = work(i, client)
        except Exception as exc:  # a crash in a thread is a result too, not a hang
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    db.session.expire_all()
    return results


def test_simultaneous_intakes_all_saved_with_distinct_numbers(app, demo):
    tokens = [create_token(demo.demo_user("clerk")) for _ in range(N)]
    db.session.commit()

    def intake(i, client):
        response = client.post("/api/v1/intake/cases", headers={
            "Authorization": f"Bearer {tokens[i]}"},
            json={"relief_type": "DB", "answers": api_answers(household(i + 1))})
        return response.status_code, response.get_json()

    results = _race(app, intake)
    assert [status for status, _ in results] == [201] * N, results
    numbers = {body["case_number"] for _, body in results}
    assert len(numbers) == N
    saved = set(db.session.scalars(select(Case.case_number)))
    assert numbers <= saved
    assert verify().ok, verify().problem


def test_same_transition_twice_at_once_has_one_winner(app, demo):
    from server.cases.demo import ensure_standard, make_case
    from server.regions.queries import region_by_code

    ensure_standard(region_by_code("220999000000"))
    case = make_case("220999101201", "DB", accepted_on=date(2026, 9, 30), seed=3,
                     creator=demo.demo_user("clerk"))
    db.session.commit()
    tokens = [create_token(demo.demo_user("clerk")) for _ in range(N)]
    db.session.commit()
    version = case.lock_version

    def step(i, client):
        response = client.post(f"/api/v1/cases/{case.id}/transitions", headers={
            "Authorization": f"Bearer {tokens[i]}"},
            json={"action": "start_investigation", "effective_on": "2026-09-30",
                  "lock_version": version})
        return response.status_code, json.dumps(response.get_json(), ensure_ascii=False)

    results = _race(app, step)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (N - 1), results
    losers = [body for status, body in results if status == 409]
    assert all(str(STALE_MESSAGE) in body or "案件当前为" in body for body in losers), losers
    assert db.session.get(Case, case.id).state == "investigating"
    assert verify().ok, verify().problem


def test_same_transition_twice_at_once_in_the_web_ui(app, demo, login):
    from server.cases.demo import ensure_standard, make_case
    from server.regions.queries import region_by_code

    ensure_standard(region_by_code("220999000000"))
    case = make_case("220999101201", "DB", accepted_on=date(2026, 9, 30), seed=4,
                     creator=demo.demo_user("clerk"))
    db.session.commit()
    clients = [login("clerk") for _ in range(N)]
    version = case.lock_version

    def step(i, _client):
        response = clients[i].post(f"/cases/{case.id}/transition", data={
            "action": "start_investigation", "effective_on": "2026-09-30",
            "lock_version": version})
        return response.status_code, response.get_data(as_text=True)

    results = _race(app, step)
    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [409] * (N - 1), [s for s, _ in results]
    assert all(str(STALE_MESSAGE) in body or "案件当前为" in body
               for status, body in results if status == 409)


def test_simultaneous_logins_keep_the_audit_chain_intact(app, demo):
    def log_in(i, client):
        actions = AuthActions(client)
        if i % 4 == 0:
            return actions.login("clerk", "wrong-password").status_code
        return actions.login(["clerk", "approver", "village", "admin"][i % 4]).status_code

    results = _race(app, log_in)
    assert sorted(results) == sorted([401] * 5 + [302] * 15), results
    verdict = verify()
    assert verdict.ok, verdict.problem
    assert verdict.count >= N


def _race_in_app_contexts(app, work):
    """Like a worker's or a command's threads: app contexts without a request."""

    def run(i, _client):
        with app.app_context():
            try:
                result = work(i)
                db.session.commit()
                return result
            finally:
                db.session.remove()

    return _race(app, run)


def test_simultaneous_archive_numbers_are_distinct(app, demo):
    from server.archives.operations import assign_archive_number

    from .archives.factories import make_case

    ids = [make_case().id for _ in range(N)]
    db.session.commit()

    results = _race_in_app_contexts(
        app, lambda i: assign_archive_number(db.session.get(Case, ids[i])))
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == N
    assert verify().ok, verify().problem


def test_tasks_that_read_then_write_at_once_all_commit(app, demo):
    """Deferred transactions (tasks, commands, GET requests) take the lock at their first
    write instead of failing with "database is locked" when another writer got in first."""
    users = [demo.demo_user(name).id for name in ("clerk", "approver", "village", "admin")]

    def work(i):
        from server.auth.models import User

        user = db.session.get(User, users[i % 4])  # a read first: the snapshot
        return create_token(user, name=f"task {i}")

    results = _race_in_app_contexts(app, work)
    assert all(isinstance(r, str) for r in results), results
    assert verify().ok, verify().problem


def test_api_reads_with_token_bookkeeping_at_once(app, demo):
    """GET requests stay deferred; the token's last-use write upgrades them safely."""
    tokens = [create_token(demo.demo_user("clerk")) for _ in range(N)]
    db.session.commit()

    def read(i, client):
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens[i]}"}
                          ).status_code

    assert _race(app, read) == [200] * N


def test_savepoint_in_a_read_transaction_then_writes_safely(app, demo):
    """A savepoint taken in a deferred transaction locks first (COMMIT would end it later)."""
    users = [demo.demo_user(name).id for name in ("clerk", "approver", "village", "admin")]

    def work(i):
        from server.auth.models import User

        user = db.session.get(User, users[i % 4])
        with db.session.begin_nested():
            return create_token(user, name=f"nested {i}")

    results = _race_in_app_contexts(app, work)
    assert all(isinstance(r, str) for r in results), results
    assert verify().ok, verify().problem


def test_edits_and_transitions_of_one_case_at_once(app, demo, login):
    """Different writes to the same case at once: each one succeeds or is a 409, never a
    deadlock or a 500 (on PostgreSQL every writer takes the advisory lock before row locks)."""
    from server.cases.demo import ensure_standard, make_case
    from server.regions.queries import region_by_code

    ensure_standard(region_by_code("220999000000"))
    case = make_case("220999101201", "DB", accepted_on=date(2026, 9, 30), seed=6,
                     creator=demo.demo_user("clerk"))
    db.session.commit()
    clients = [login("clerk") for _ in range(N)]

    def write(i, _client):
        if i % 2:
            data = {"urban_rural": "rural", "persons_covered": str(1 + i % 5)}
            response = clients[i].post(f"/cases/{case.id}/facts", data=data)
        else:
            response = clients[i].post(f"/cases/{case.id}/transition", data={
                "action": "start_investigation", "effective_on": "2026-09-30"})
        return response.status_code

    results = _race(app, write)
    assert set(results) <= {302, 409}, results
    assert 302 in results, results
    assert verify().ok, verify().problem


def _intake_in_app_context(app, user_id: int, seed: int):
    """One intake of household ``seed`` by the user, as the web form's operation runs it."""
    from server.auth.models import User
    from server.intake.operations import create_case_from_answers
    from server.intake.queries import published_version
    from server.relief import ReliefCode

    user = db.session.get(User, user_id)
    version = published_version(user.region.county, ReliefCode.DB)
    case, _result = create_case_from_answers(version, api_answers(household(seed)), user)
    return case.case_number


def test_a_second_intake_runs_while_the_first_is_uncommitted(app, demo):
    """PostgreSQL: an intake takes no global write lock, so a second one validates, checks and
    inserts its case while the first is still open (they queue only for the case number and
    the audit chain at the end). SQLite: one writer at a time, the second waits."""
    from sqlalchemy import event

    clerk = demo.demo_user("clerk").id
    db.session.commit()
    first_in, release, second_inserted = threading.Event(), threading.Event(), threading.Event()
    results: dict = {}

    def watch(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread().name == "second" and statement.startswith(
                'INSERT INTO "case"'):
            second_inserted.set()

    def run(name, seed, hold):
        with app.app_context():
            try:
                results[name] = _intake_in_app_context(app, clerk, seed)
                if hold:
                    first_in.set()
                    release.wait(30)
                db.session.commit()
            except Exception as exc:  # a failure is a result, not a hang
                results[name] = exc
                first_in.set()
            finally:
                db.session.remove()

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        first = threading.Thread(target=run, args=("first", 21, True), name="first")
        first.start()
        assert first_in.wait(30)
        second = threading.Thread(target=run, args=("second", 22, False), name="second")
        second.start()
        concurrent = db.engine.dialect.name == "postgresql"
        # the second's case insert happens while the first holds its transaction open
        assert second_inserted.wait(10 if concurrent else 1) is concurrent
        assert "second" not in results  # ... but it queues for the number behind the first
        release.set()
        first.join(30)
        second.join(30)
    finally:
        release.set()
        event.remove(db.engine, "before_cursor_execute", watch)
    assert all(isinstance(n, str) for n in results.values()), results
    assert results["first"] != results["second"]
    saved = set(db.session.scalars(select(Case.case_number)))
    assert {results["first"], results["second"]} <= saved
    assert verify().ok, verify().problem


def test_the_same_household_at_once_is_accepted_once(app, demo):
    """Simultaneous intakes of one household: one case, the others refused as duplicates (on
    PostgreSQL intakes run side by side, so this rests on the per-person locks)."""
    from server.intake.operations import IntakeError

    clerk = demo.demo_user("clerk").id
    results = _race_in_app_contexts(app, lambda i: _intake_in_app_context(app, clerk, 23))
    numbers = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, IntakeError)]
    assert len(numbers) == 1 and len(refused) == N - 1, results
    assert all("不能重复申请" in str(r) for r in refused), refused
    assert verify().ok, verify().problem


def test_sqlite_lock_still_taken_after_the_busy_timeout_is_a_database_error(tmp_path):
    """A deferred transaction that cannot get the SQLite write lock in time fails with
    SQLAlchemy's OperationalError (answered 503 "busy, try again"), not a raw sqlite3 error
    (a 500), and stays one transaction that rolls back cleanly."""
    import sqlite3

    import pytest
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from server.db import lock_for_write

    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=50")
            conn.commit()
            holder.execute("BEGIN IMMEDIATE")
            conn.begin()  # outside a request: begins deferred
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
            with pytest.raises(OperationalError, match="locked"):
                lock_for_write(conn)
            conn.rollback()
            holder.execute("COMMIT")
            conn.begin()  # the connection is fine afterwards
            lock_for_write(conn)
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.commit()
        assert holder.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        holder.close()
        engine.dispose()
