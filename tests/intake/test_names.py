"""Names refuse what no name holds: runs of digits (a mistyped ID or account number), control
characters and lone surrogates; the message is Chinese and stands at the field."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.cases.models import Case
from server.db import db

from .conftest import api_answers, form_data, household

URL = "/api/v1/intake/cases"


def _count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


@pytest.mark.parametrize("where,value,message", [
    ("applicant_name", "2209991980030101170", "不能含有连续的数字"),
    ("applicant_name", "张三１２３４", "不能含有连续的数字"),
    ("members[1].name", "钱秀兰6228480012345678901", "不能含有连续的数字"),
    ("applicant_name", "赵建\x00国", "控制字符"),
    ("members[0].name", "赵建\u200b国\x1b", "控制字符"),
    ("applicant_name", "赵\ud800国", "无效字符"),
])
def test_api_refuses_bad_names_at_the_field(api, where, value, message):
    client, headers = api("clerk")
    answers = api_answers()
    if where.startswith("members"):
        answers["members"][int(where[8])]["name"] = value
    else:
        answers[where] = value
    before = _count()
    response = client.post(URL, json={"relief_type": "DB", "answers": answers}, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    # control characters are refused at the edge for the whole body (path from the body's root)
    paths = {e["path"].removeprefix("answers."): e["message"] for e in response.json["errors"]}
    assert message in paths[where], paths
    assert _count() == before


def test_web_form_shows_the_digit_run_message_at_the_member_name(login):
    people = household()
    people[2]["name"] = "赵小宝2209991"
    response = login("clerk").post("/intake/new?type=DB", data=form_data(people))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = page[page.index('data-field="members[2].name"'):]
    assert "不能含有连续的数字" in block[:block.index("data-client-error")]


def test_ordinary_names_and_short_numbers_pass(api):
    client, headers = api("clerk")
    answers = api_answers()
    answers["applicant_name"] = answers["members"][0]["name"] = "阿依古丽·买买提"
    answers["address"] = "东风村三组 1008 号"  # digits are fine outside names
    response = client.post(URL, json={"relief_type": "DB", "answers": answers}, headers=headers)
    assert response.status_code == 201, response.json
