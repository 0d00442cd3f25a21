"""Intake answers reach the case by field role, and the month's statistics count them right.

Each shipped form is filled with each choice the monthly table splits on (户籍 urban/rural,
特困 集中/分散 × 全自理/半护理/全护理, 临时救助 急难型/支出型), submitted through the intake
operation the web form and the API share, decided and paid; every column of the township's
table for the month then has to move by exactly the hand-counted amounts.
"""
from __future__ import annotations

import copy
from datetime import date

import pytest

from server import idnumber
from server.cases.demo import ensure_standard, investigated
from server.cases.models import Case
from server.cases.operations import transition
from server.db import db
from server.filings import stats
from server.intake import operations, queries
from server.relief import ReliefCode

from ..conftest import region
from .conftest import VILLAGE, api_answers, household

TOWNSHIP = "220999101"
SEPTEMBER = date(2026, 9, 1)
ACCEPTED = date(2026, 8, 3)
CARE_ITEMS = ("care_eating", "care_dressing", "care_bed", "care_toilet", "care_walking",
              "care_bathing")
UNABLE = {"全自理": 0, "半护理": 2, "全护理": 5}  # items not managed alone -> level


def _person(seed: int, born=date(1940, 2, 2)) -> dict:
    return {"name": "孙守仁", "id_number": idnumber.make("220999", born.replace(day=1 + seed), 11 + 2 * seed),
            "relationship": "本人", "hukou": "rural", "work_ability": "无劳动能力（未成年或老年）",
            "is_disabled": False, "has_illness": False, "monthly_income": "0"}


def tk_answers(seed: int, mode: str, level: str, hukou: str) -> dict:
    me = _person(seed)
    answers = {
        "applicant_name": me["name"], "applicant_id_number": me["id_number"],
        "phone": "13912345678", "village": VILLAGE, "address": "东风村一组 1 号",
        "hukou_type": hukou, "is_disabled": False, "support_mode": mode,
        "reason": "无劳动能力、无生活来源", "members": [me], "incomes": [], "deposits": "0",
        "has_vehicle": False, "house_count": 0, "obligors": [],
        "bank_name": "农村信用社", "bank_account": "6228480012345678901",
    }
    for i, item in enumerate(CARE_ITEMS):
        answers[item] = "1" if i < UNABLE[level] else "0"
    return answers


def ls_answers(seed: int, kind: str, hukou: str) -> dict:
    people = household(seed)
    answers = {k: v for k, v in api_answers(people).items()
               if k not in ("incomes", "has_vehicle", "house_count", "reason")}
    answers.update({"hukou_type": hukou, "ls_kind": kind, "reason_category": "突发重大疾病",
                    "event_date": "2026-07-20", "description": "突发重病住院",
                    "amount_requested": "1000.00"})
    if kind == "emergency":
        answers["is_urgent"] = False
    else:
        answers["spending_total"] = "5000.00"
    return answers


def db_answers(seed: int, hukou: str, disabled: bool = False) -> dict:
    answers = api_answers(household(seed))
    answers["hukou_type"] = hukou
    if disabled:
        answers["members"][2].update(is_disabled=True, disability_grade="二级")
    return answers


def _submit(relief: str, answers: dict, on: date = ACCEPTED) -> Case:
    clerk = _user("clerk")
    version = queries.published_version(clerk.region.county, ReliefCode(relief))
    case, _ = operations.create_case_from_answers(version, answers, clerk, today=on)
    db.session.commit()
    return case


def _user(name):
    from server.demo import demo_user

    return demo_user(name)


def _walk(case, steps):
    for username, action, on, data in steps:
        transition(case, action, _user(username), data, effective_on=on)
        db.session.commit()


def _pay_monthly(case):
    """Decided on 2026-08-18 after 7 days of publicity: paid from September."""
    _walk(case, [("clerk", "start_investigation", date(2026, 8, 4), {}),
                 ("clerk", "submit_for_decision", date(2026, 8, 10), investigated()),
                 ("approver", "approve", date(2026, 8, 11), {}),
                 ("approver", "confirm", date(2026, 8, 18), {}),
                 ("clerk", "start_payment", date(2026, 8, 19), {})])
    assert case.state == "paying" and case.payment_start_month == SEPTEMBER


def _pay_one_off(case):
    """Accepted 2026-09-01, decided 2026-09-04, paid out: a September 临时救助."""
    _walk(case, [("clerk", "start_investigation", date(2026, 9, 2), {}),
                 ("clerk", "submit_for_decision", date(2026, 9, 3), investigated()),
                 ("approver", "approve", date(2026, 9, 4), {"requested_amount": "1000"}),
                 ("clerk", "pay_one_off", date(2026, 9, 7), {})])
    assert case.state == "closed" and case.one_off_amount_fen == 100000


def _township_stats() -> dict:
    return stats.compute(TOWNSHIP, SEPTEMBER)[TOWNSHIP]


def _delta(after, before):
    if isinstance(after, dict):
        return {k: _delta(v, before[k]) for k, v in after.items()}
    return after - before


@pytest.fixture
def published(demo):
    ensure_standard(region("220999000000"))
    db.session.commit()


def test_roles_fill_the_case_columns(published):
    """户籍 follows the household (the village is rural), mode, care level, kind, proxy."""
    urban = _submit("DB", db_answers(1, "urban"))
    assert urban.urban_rural == "urban" and urban.persons_covered == 3
    assert _submit("BY", db_answers(2, "urban")).urban_rural == "urban"
    assert _submit("BY", db_answers(3, "rural")).urban_rural == "rural"
    tk = _submit("TK", tk_answers(1, "concentrated", "全护理", "urban"))
    assert (tk.is_concentrated, tk.care_level, tk.urban_rural, tk.persons_covered) == (
        True, "全护理", "urban", 1)
    assert _submit("TK", tk_answers(2, "dispersed", "半护理", "rural")).is_concentrated is False
    assert _submit("LS", ls_answers(4, "emergency", "rural")).ls_kind == "emergency"
    assert _submit("LS", ls_answers(5, "spending", "rural")).ls_kind == "spending"
    proxy = idnumber.make("220999", date(1975, 6, 9), 21)
    answers = db_answers(6, "rural", disabled=True)
    answers.update(is_proxy=True, proxy_name="周代办", proxy_id_number=proxy,
                   proxy_relation="兄弟姐妹")
    case = _submit("DB", answers)
    assert (case.proxy_name, case.proxy_id_number, case.proxy_relation) == (
        "周代办", proxy, "兄弟姐妹")
    assert case.members[2].details["disability"] == "二级"


def test_each_choice_lands_in_its_column_of_the_month(published):
    before = _township_stats()
    expected = copy.deepcopy(stats._empty_township())
    for part in ("types", "groups", "tk", "ls"):  # the shape, every figure zero
        assert set(expected[part]) == set(before[part])

    db_cases = {"urban": _submit("DB", db_answers(11, "urban", disabled=True)),
                "rural": _submit("DB", db_answers(12, "rural"))}
    tk_cases = {(mode, level): _submit("TK", tk_answers(
        3 + i, mode, level, "urban" if mode == "concentrated" else "rural"))
        for i, (mode, level) in enumerate(
            (m, lv) for m in ("concentrated", "dispersed") for lv in UNABLE)}
    ls_cases = {kind: _submit("LS", ls_answers(20 + i, kind, "urban"), date(2026, 9, 1))
                for i, kind in enumerate(("emergency", "spending"))}
    for case in [*db_cases.values(), *tk_cases.values()]:
        _pay_monthly(case)
    for case in ls_cases.values():
        _pay_one_off(case)

    # hand counts: 2 DB households of 3 (one urban, one rural), 6 TK persons (3 urban 集中,
    # 3 rural 分散, one of each care level in each mode), 2 LS of 3 persons each
    for part, case in db_cases.items():
        row = expected["types"]["DB"][part]
        row.update(households=1, persons=3, new_households=1, new_persons=3,
                   amount_fen=case.monthly_amount_fen, cumulative_fen=case.monthly_amount_fen)
    db_total = expected["types"]["DB"]["total"]
    db_total.update(households=2, persons=6, new_households=2, new_persons=6,
                    amount_fen=sum(c.monthly_amount_fen for c in db_cases.values()),
                    cumulative_fen=sum(c.monthly_amount_fen for c in db_cases.values()))
    # members born 1980 (M), 1982 (F), 2012 (M) in each household; the urban child is disabled
    expected["groups"]["DB"].update(elderly=0, minors=2, disabled=1, women=2)
    for part, mode in (("urban", "concentrated"), ("rural", "dispersed")):
        amount = sum(c.monthly_amount_fen for (m, _), c in tk_cases.items() if m == mode)
        expected["types"]["TK"][part].update(households=3, persons=3, new_households=3,
                                             new_persons=3, amount_fen=amount,
                                             cumulative_fen=amount)
        expected["tk"][mode] = {"households": 3, "amount_fen": amount}
    tk_amount = sum(c.monthly_amount_fen for c in tk_cases.values())
    expected["types"]["TK"]["total"].update(households=6, persons=6, new_households=6,
                                            new_persons=6, amount_fen=tk_amount,
                                            cumulative_fen=tk_amount)
    expected["groups"]["TK"].update(elderly=6, minors=0, disabled=0, women=0)  # men born 1940
    for level in UNABLE:
        expected["tk"]["care"][level] = {
            "households": 2,
            "amount_fen": sum(c.monthly_amount_fen for (_, lv), c in tk_cases.items()
                              if lv == level)}
    expected["tk"]["total"] = {"households": 6, "amount_fen": tk_amount}
    for kind in ("emergency", "spending"):
        expected["ls"][kind] = {"cases": 1, "persons": 3, "amount_fen": 100000,
                                "cumulative_fen": 100000}
    expected["ls"]["total"] = {"cases": 2, "persons": 6, "amount_fen": 200000,
                               "cumulative_fen": 200000}

    after = _township_stats()
    assert _delta(after, before) == expected
    assert stats.check(after) == []
    assert len({(m, lv) for (m, lv) in tk_cases}) == 6


def test_web_form_and_api_map_the_same_roles(published, api, login):
    """Both doors go through the one mapping: an urban household in a rural village."""
    from sqlalchemy import select

    from .conftest import form_data

    client, headers = api("clerk")
    response = client.post("/api/v1/intake/cases", headers=headers,
                           json={"relief_type": "DB", "answers": db_answers(13, "urban")})
    assert response.status_code == 201, response.json
    assert db.session.get(Case, response.json["id"]).urban_rural == "urban"
    data = {**form_data(household(14)), "hukou_type": "urban", "is_proxy": "yes",
            "proxy_name": "周代办", "proxy_id_number": idnumber.make("220999", date(1975, 6, 9), 21),
            "proxy_relation": "其他"}
    assert login("clerk").post("/intake/new?type=DB", data=data).status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert (case.urban_rural, case.proxy_name, case.proxy_relation) == ("urban", "周代办", "其他")
