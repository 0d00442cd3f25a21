"""Case search by what a clerk types: full or tail ID number, case/archive number, names by
prefix (two characters) or contains (three or more), a village; each path served by an index."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from server.cases import queries
from server.cases.models import Case
from server.db import db
from server.idnumber import mask


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
