"""POST /api/v1/intake/cases: the same validation as the web form, 422 with paths, scoping."""
from __future__ import annotations

from sqlalchemy import func, select

from server.cases.models import Case
from server.db import db

from .conftest import api_answers, household

URL = "/api/v1/intake/cases"


def _count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def test_create_case_from_answers(api):
    client, headers = api("clerk")
    response = client.post(URL, json={"relief_type": "DB", "answers": api_answers()},
                           headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["case_number"].startswith("220999-") and body["members"] == 3
    assert body["state"] == "accepted"
    assert any("低于低保标准" in w for w in body["warnings"])
    case = db.session.get(Case, body["id"])
    assert case.answers["per_capita_income"] == "400.00"


def test_errors_are_422_with_paths_and_nothing_saved(api):
    client, headers = api("clerk")
    answers = api_answers()
    answers["members"][1]["id_number"] = answers["members"][1]["id_number"][:17] + "Y"
    answers["unknown_thing"] = 1
    del answers["phone"]
    before = _count()
    response = client.post(URL, json={"relief_type": "DB", "answers": answers}, headers=headers)
    assert response.status_code == 422
    body = response.json
    assert body["code"] == "unprocessable_entity" and body["message"]
    paths = {e["path"]: e["message"] for e in body["errors"]}
    assert "members[1].id_number" in paths and "身份证" in paths["members[1].id_number"]
    assert paths["unknown_thing"] == "未知字段"
    assert paths["phone"] == "此项为必填项"
    assert _count() == before


def test_web_form_and_api_agree_on_the_same_answers(api, login):
    """The same bad household fails with the same messages through both doors."""
    from .conftest import form_data

    people = household(3)
    people[2]["relationship"] = "父母"
    client, headers = api("clerk")
    api_errors = client.post(URL, json={"relief_type": "DB", "answers": api_answers(people)},
                             headers=headers).json["errors"]
    page = login("clerk").post("/intake/new?type=DB", data=form_data(people)).get_data(
        as_text=True)
    assert api_errors
    for error in api_errors:
        assert error["message"] in page


def test_clerk_may_not_create_cases_in_another_township(api):
    client, headers = api("clerk2")  # 太平乡
    before = _count()
    response = client.post(URL, json={"relief_type": "DB", "answers": api_answers()},
                           headers=headers)
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "village"
    assert _count() == before


def test_bad_body_and_roles(api):
    client, headers = api("clerk")
    assert client.post(URL, json={"relief_type": "XX", "answers": {}},
                       headers=headers).status_code == 422
    assert client.post(URL, json={"relief_type": "DB", "answers": []},
                       headers=headers).status_code == 422
    admin, admin_headers = api("admin")
    assert admin.post(URL, json={"relief_type": "DB", "answers": {}},
                      headers=admin_headers).status_code == 403
    assert client.post(URL, json={}).status_code == 401
