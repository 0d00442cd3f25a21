"""Case search by what a clerk types: full or tail ID number, case/archive number, names by
prefix (two characters) or contains (three or more), a village; each path served by an index."""
from __future__ import annotations

import os
import re
from datetime import date

import pytest
from sqlalchemy import select, text

from server.cases import queries
from server.cases.models import Case
from server.db import db
from server.idnumber import mask

ON_POSTGRESQL = bool(os.environ.get("JIUZHU_TEST_DATABASE_URL"))  # tests/pg_cluster.py


@pytest.fixture
def case(make, user):
    c = make(accepted_on=date(2026, 9, 30))
    c.archive_number = "JZ-TEST-0001"
    db.session.commit()
    return c


def _found(q, who="clerk", user=None):
    return [c.id for c in queries.search(q, user=user(who))]


@pytest.mark.parametrize("how", ["full", "member_full", "tail4", "tail6", "masked", "case_number",
                                 "archive_number", "name_prefix", "name_contains", "village",
                                 "township"])
def test_each_kind_of_term_finds_the_case(case, user, how):
    member = case.members[-1]
    terms = {
        "full": case.applicant_id_number, "member_full": member.id_number.lower(),
        "tail4": member.id_number[-4:], "tail6": member.id_number[-6:],
        "masked": mask(member.id_number), "case_number": case.case_number,
        "archive_number": "JZ-TEST-0001", "name_prefix": case.applicant_name[:2],
        "name_contains": member.name[1:] if len(member.name) >= 4 else member.name,
        "village": case.region.name, "township": case.region.parent.name,
    }
    assert case.id in _found(terms[how], user=user)


def test_what_does_not_match(case, user):
    name = case.applicant_name  # three characters in the factory
    assert case.id not in _found(name[1:], user=user)  # two characters: only by prefix
    assert case.id not in _found(case.case_number[:-1], user=user)  # case numbers: exact
    assert case.id not in _found(case.applicant_id_number[:10], user=user)  # no ID prefixes
    assert case.id not in _found(case.applicant_name, "clerk2", user=user)  # other township


@pytest.mark.parametrize("q", ["[*?", "%_", "'; drop", "**", "X" * 300, "  "])
def test_odd_terms_are_plain_text(case, login, q):
    assert login("clerk").get("/cases/", query_string={"q": q}).status_code == 200


def _plan(sql_stmt) -> str:
    bind = db.session.get_bind()
    compiled = sql_stmt.compile(bind, compile_kwargs={"literal_binds": True})
    if bind.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(r[-1]) for r in rows)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # tiny test tables
    return "\n".join(r[0] for r in db.session.execute(text(f"EXPLAIN {compiled}")))


def test_every_path_uses_an_index(case):
    is_pg = db.session.get_bind().dialect.name == "postgresql"
    terms = [case.applicant_id_number, case.case_number, case.applicant_name[:2],
             case.members[-1].id_number[-4:], case.members[-1].id_number[-6:]]
    if is_pg:  # trigrams exist on PostgreSQL only
        terms.append(case.applicant_name)
    for term in terms:
        plan = _plan(select(Case.id).where(Case.id.in_(queries.match_ids(term))))
        scans = [line for line in plan.splitlines()
                 if ("Seq Scan on" in line or line.startswith("SCAN ")) and "region" not in line]
        assert not scans, (term, plan)


def test_the_indexed_tail_follows_the_number_on_every_write(case):
    from sqlalchemy import insert

    from server.cases.models import Member

    member = case.members[-1]
    member.id_number = member.id_number[:-4] + "123X"  # an ORM correction
    db.session.flush()
    assert member.id_number_tail == "123X"
    db.session.execute(insert(Member.__table__), [  # a bulk load (roll import, benchmarks)
        {"case_id": case.id, "position": 9, "name": "批量", "id_number": "110101199001011237",
         "is_applicant": False, "details": {}}])
    tail = db.session.scalars(select(Member.id_number_tail).where(Member.name == "批量")).one()
    assert tail == "1237"


def _issued_plans(q, user) -> list:
    """The plan of every statement ``search`` sends for ``q``: PostgreSQL's as JSON nodes,
    SQLite's as EXPLAIN QUERY PLAN lines."""
    from sqlalchemy import event

    engine = db.session.get_bind().engine
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        queries.search(q, user=user)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    conn = db.session.connection()
    if engine.dialect.name == "sqlite":
        return [[row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p)]
                for s, p in sent]
    return [conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {s}", p).scalar()[0]["Plan"]
            for s, p in sent]


def _full_scans(plan) -> list[str]:
    """Scans of case or member that read far more rows than match: on PostgreSQL a node
    reading over 1,000 of the 20,000 cases (or 40,000 members) of ``many_cases`` (the LIMIT
    over ``id IN (union)`` walked every case newest first looking for the few matches); on
    SQLite a SCAN of the table or of a whole index."""
    if isinstance(plan, list):  # SQLite
        return [line for line in plan
                if re.match(r"SCAN (case|member)\b", line) and "USING INTEGER" not in line]
    found = []
    read = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1) + plan.get(
        "Rows Removed by Filter", 0) + plan.get("Rows Removed by Index Recheck", 0)
    if plan.get("Relation Name") in ("case", "member") and read > 1000:
        found.append(f'{plan["Node Type"]} on {plan["Relation Name"]} {plan.get("Index Name", "")}'
                     f' {plan.get("Filter", "")} read {read} rows')
    for child in plan.get("Plans", ()):
        found += _full_scans(child)
    return found


@pytest.fixture
def many_cases(case):
    """On PostgreSQL, 20,000 more cases of 2 members each (random three-character names and ID
    numbers) in another township's villages, copied from ``case`` by INSERT ... SELECT and
    vacuumed, so the planner plans as for a county, not a tiny table (a few seconds)."""
    from server.cases.models import Member

    if not ON_POSTGRESQL:
        return case
    name = "chr(19968 + (random() * 20000)::int)"
    name = f"{name} || {name} || {name}"
    number = "lpad((random() * 1e17)::bigint::text, 17, '0') || '1'"
    villages = ("(SELECT array_agg(id) FROM region WHERE parent_id = "
                "(SELECT id FROM region WHERE code = '220999201000'))")
    fresh = {"case_number": "'S' || g", "archive_number": "NULL", "applicant_name": name,
             "applicant_id_number": number,
             "region_id": f"({villages})[1 + g % cardinality({villages})]"}
    columns = [c.name for c in Case.__table__.columns if c.name != "id"]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(fresh.get(c, f'c."{c}"') for c in columns)
    db.session.execute(text(f'INSERT INTO "case" ({names}) SELECT {values} FROM "case" c, '
                            f"generate_series(1, 20000) g WHERE c.id = :id"), {"id": case.id})
    fresh = {"case_id": "n.id", "name": name, "id_number": number, "position": "p"}
    columns = [c.name for c in Member.__table__.columns if c.name not in ("id", "id_number_tail")]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f'{fresh.get(c, f"m.{c}")} AS "{c}"' for c in columns)
    db.session.execute(text(
        f"INSERT INTO member ({names}, id_number_tail) SELECT *, right(id_number, 4) FROM "
        f'(SELECT {values} FROM member m, "case" n, generate_series(1, 2) p '
        f"WHERE m.id = :member AND n.case_number LIKE 'S%') copies"),
        {"member": case.members[-1].id})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql('VACUUM ANALYZE "case", member')
    return case


@pytest.mark.parametrize("who", ["clerk", "admin"])
@pytest.mark.parametrize("how", ["name_start", "full_id", "tail4", "case_number"] + (
    ["full_name", "village", "nothing"] if ON_POSTGRESQL else []))  # SQLite: contains reads names
def test_search_reads_only_what_matches(many_cases, user, how, who):
    """What ``search`` sends (scoping, the page, the villages loaded) never reads every case
    or member, for each kind of term, also for a term that matches nothing."""
    case = many_cases
    terms = {"full_name": case.applicant_name, "name_start": case.applicant_name[:2],
             "full_id": case.applicant_id_number, "tail4": case.members[-1].id_number[-4:],
             "case_number": case.case_number, "village": case.region.name, "nothing": "无此人名"}
    plans = _issued_plans(terms[how], user(who))
    assert plans and not [scan for plan in plans for scan in _full_scans(plan)], "\n".join(map(str, plans))
