"""Intake refusals and warnings are English in English mode and unchanged in Chinese (issue
15 point 2): acceptance refusals (already in a case, dishonesty list), duplicate warnings, the
generic 422 message, and the web form's own messages."""
from __future__ import annotations

from server import idnumber
from server.cases.models import Case
from server.db import db
from server.relief import ReliefCode

from .conftest import api_answers, form_data, household

URL = "/api/v1/intake/cases"
EN = {"Accept-Language": "en"}


def test_acceptance_refusals_in_both_languages(api, demo):
    from server.cases.operations import add_dishonesty

    from ..conftest import region

    client, headers = api("clerk")
    people = household()
    first = client.post(URL, json={"relief_type": "DB", "answers": api_answers(people)},
                        headers=headers)
    assert first.status_code == 201
    number, masked = first.json["case_number"], idnumber.mask(people[0]["id_number"])
    again = client.post(URL, json={"relief_type": "DB", "answers": api_answers(people)},
                        headers=headers | EN)
    assert again.status_code == 422
    assert again.json["message"] == "Invalid input: check the fields marked"
    # one refusal per member already in a case, in no set order (PostgreSQL and SQLite differ)
    english = next(e["message"] for e in again.json["errors"] if e["message"].startswith("赵建国"))
    assert english.startswith(f"赵建国 ({masked}) is already in ") and english.endswith(
        f"case {number} (Accepted for processing) and cannot apply again")
    chinese = client.post(URL, json={"relief_type": "DB", "answers": api_answers(people)},
                          headers=headers).json
    assert chinese["message"] == "输入有误，请检查标出的字段"
    refusal = next(e["message"] for e in chinese["errors"] if e["message"].startswith("赵建国"))
    assert refusal.startswith(f"赵建国（{masked}）已在")
    assert refusal.endswith(f"案件 {number}（已受理）中，不能重复申请")
    other = household(3)
    add_dishonesty(region("220999101000"), other[1]["id_number"], other[1]["name"], "隐瞒收入",
                   demo.demo_user("clerk"))
    db.session.commit()
    listed = client.post(URL, json={"relief_type": "DB", "answers": api_answers(other)},
                         headers=headers | EN).json["errors"][0]["message"]
    assert listed.startswith(f"钱秀兰 ({idnumber.mask(other[1]['id_number'])}) is on the "
                             "dishonesty list: 隐瞒收入 (listed on ")
    assert listed.endswith("no new application is accepted meanwhile")


def test_duplicate_member_warning_in_english(api):
    client, headers = api("clerk")
    people = household(9)
    first = client.post(URL, json={"relief_type": "DB", "answers": api_answers(people)},
                        headers=headers)
    db.session.get(Case, first.json["id"]).relief_type = ReliefCode.LS
    db.session.commit()
    other = household(10)
    other[1] = {**people[1], "relationship": "配偶"}
    made = client.post(URL, json={"relief_type": "DB", "answers": api_answers(other)},
                       headers=headers | EN)
    assert made.status_code == 201, made.json
    assert any(w.startswith(f"Member 钱秀兰 ({idnumber.mask(people[1]['id_number'])}) is in "
                            f"another open case, {first.json['case_number']} (")
               for w in made.json["warnings"]), made.json["warnings"]


def test_web_form_messages_in_english(login):
    client = login("clerk")
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.post("/intake/new?type=DB", data=form_data(action="bogus"))
    assert page.status_code == 422
    text = page.get_data(as_text=True).replace("&#34;", '"').replace("&quot;", '"')
    assert 'Click "Save draft" or "Submit"' in text and "保存草稿”或" not in text
