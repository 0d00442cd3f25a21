"""Households to fill the shipped 低保 form with, as posted by the web form and as API answers."""
from __future__ import annotations

from datetime import date

import pytest

from server import idnumber

VILLAGE = "220999101201"  # 东风村, 东风镇


def household(seed: int = 7) -> list[dict]:
    """Three people: applicant, spouse, child (valid ID numbers, unusual birth days)."""
    return [
        {"name": "赵建国", "id_number": idnumber.make("220999", date(1980, 3, 1 + seed), 11),
         "relationship": "本人", "monthly_income": "900.00"},
        {"name": "钱秀兰", "id_number": idnumber.make("220999", date(1982, 5, 1 + seed), 22),
         "relationship": "配偶", "monthly_income": "300.00"},
        {"name": "赵小宝", "id_number": idnumber.make("220999", date(2012, 7, 1 + seed), 31),
         "relationship": "子女", "monthly_income": "0"},
    ]


def api_answers(people=None, village: str = VILLAGE) -> dict:
    people = people or household()
    return {
        "applicant_name": people[0]["name"], "applicant_id_number": people[0]["id_number"],
        "phone": "13912345678", "village": village, "address": "东风村三组 8 号",
        "hukou_type": "rural", "reason": "丈夫务工收入低，孩子上学",
        "members": [{**p, "hukou": "rural", "work_ability": "有劳动能力", "is_disabled": False,
                     "has_illness": False} for p in people],
        "incomes": [], "deposits": "1000.00", "has_vehicle": False, "house_count": 1,
        "bank_name": "农村信用社", "bank_account": "6228480012345678901",
    }


def form_data(people=None, village: str = VILLAGE, action: str = "submit") -> dict:
    """The same household as the intake page posts it (WTForms names)."""
    answers = api_answers(people, village)
    data = {"action": action}
    for key, value in answers.items():
        if key in ("members", "incomes"):
            continue
        data[key] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    for i, member in enumerate(answers["members"]):
        for key, value in member.items():
            data[f"members-{i}-{key}"] = ("yes" if value else "no") if isinstance(value, bool) \
                else value
    return data


@pytest.fixture
def people():
    return household()
