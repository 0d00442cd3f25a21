"""Walk every registered URL rule: anonymous users are sent to login (401 in the API), and a
user of one region gets 404 for objects of another (403 where the role may not act at all).

A new URL parameter needs a sample in ``SAMPLES`` below, else the walk fails: a route nobody
proved scoped does not ship.
"""
from __future__ import annotations

import pytest
from flask import url_for

from server.auth.access import PUBLIC_BLUEPRINTS, access_rule
from server.auth.roles import Role, has_permission

from .conftest import region
from .samples import SAMPLES

SKIP_METHODS = {"HEAD", "OPTIONS"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        for method in sorted(rule.methods - SKIP_METHODS):
            yield rule, method


def _url(app, rule, values):
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _is_api(rule) -> bool:
    return rule.rule.startswith("/api/")


def test_every_rule_has_a_permission_or_is_public(app):
    for rule, method in _rules(app):
        with app.test_request_context(method=method):
            is_public, permission = access_rule(rule.endpoint, method)
        assert is_public or permission, f"{rule} {method} declares no permission"
        if permission:
            has_permission(Role.county_admin, permission)  # raises for an unknown name


def test_anonymous_is_sent_to_login_or_gets_401(app, demo):
    client = app.test_client()
    for rule, method in _rules(app):
        with app.test_request_context(method=method):
            is_public, _ = access_rule(rule.endpoint, method)
        if is_public:
            continue
        values = {arg: 1 for arg in rule.arguments}
        response = client.open(_url(app, rule, values), method=method)
        if _is_api(rule):
            assert response.status_code == 401, (rule.rule, method)
            assert response.is_json and response.json["code"] == "unauthorized"
        else:
            assert response.status_code == 302, (rule.rule, method, response.status_code)
            assert "/login" in response.headers["Location"]


# (user of region A, a region B beside it): township vs township, village vs village
PAIRS = [("clerk", "220999201000"), ("approver", "220999201000"), ("village", "220999101202"),
         ("clerk3", "220999101000")]


@pytest.mark.parametrize("username,other_region", PAIRS)
def test_objects_of_another_region_are_404(app, demo, api, username, other_region):
    other = region(other_region)
    me = demo.demo_user(username)
    web = app.test_client()
    from .conftest import AuthActions

    assert AuthActions(web).login(username).status_code == 302
    api_client, headers = api(username)
    checked = 0
    for rule, method in _rules(app):
        if not rule.arguments:
            continue
        missing = rule.arguments - SAMPLES.keys()
        assert not missing, f"{rule.rule}: add a sample for {missing} in tests/samples.py"
        values = {arg: SAMPLES[arg](other) for arg in rule.arguments}
        url = _url(app, rule, values)
        if _is_api(rule):
            response = api_client.open(url, method=method, headers=headers, json={})
        else:
            response = web.open(url, method=method, data={})
        with app.test_request_context(method=method):
            _, permission = access_rule(rule.endpoint, method)
        # public pages (a notice's token) are no region's object: unknown gives 404 too
        expected = 404 if permission is None or me.can(permission) else 403
        assert response.status_code == expected, (rule.rule, method, response.status_code)
        checked += 1
    assert checked >= 3


def test_same_region_objects_are_visible(login, demo):
    client = login("clerk")
    village = region("220999101201")
    assert client.get(f"/regions/{village.id}").status_code == 200
    assert "东风村" in client.get("/regions/").get_data(as_text=True)
    assert "太平村" not in client.get("/regions/").get_data(as_text=True)


def test_county_sees_all_townships(login):
    page = login("supervisor").get("/regions/").get_data(as_text=True)
    for name in ("城关街道", "东风镇", "太平乡", "永安村"):
        assert name in page


def test_village_assistant_sees_only_own_village(login):
    page = login("village").get("/regions/").get_data(as_text=True)
    assert "东风村" in page and "红旗村" not in page


def test_role_without_permission_gets_403(login):
    assert login("village").get("/audit/").status_code == 403
    assert login("clerk").get("/audit/").status_code == 200


def test_refusals_tell_nothing_of_another_region(login, api, demo):
    """A 东风镇 clerk typing 太平乡 people: a duplicate (same type) and a 失信 listing are
    refused, another type's case is warned of, and no message names the other region's
    person, case number, state, 失信 reason or dates; 太平乡's own clerk is told all."""
    import json
    from datetime import date

    from server import idnumber
    from server.cases.demo import make_case
    from server.cases.operations import add_dishonesty
    from server.db import db
    from server.relief import RELIEF_TYPES

    from .intake.conftest import api_answers, form_data, household

    taiping = make_case("220999201201", "DB", seed=77, names=("太平保障甲", "太平保障乙"))
    other_type = make_case("220999201201", "LS", seed=78, names=("太平临救丙",))
    listed = idnumber.make("220999", date(1971, 4, 4), 21)
    add_dishonesty(region("220999201000"), listed, "太平失信丁", "虚报冒领救助金",
                   demo.demo_user("clerk2"), listed_on=date(2026, 6, 1))
    db.session.commit()
    secrets = ["太平保障", "太平临救丙", "太平失信丁", "虚报冒领", "2026-06-01", "2027-06-01",
               taiping.case_number, other_type.case_number, "已受理", "太平乡", "太平村"]
    people = household(20)
    people[1]["id_number"] = taiping.members[1].id_number  # in a 太平乡 低保 case
    people[2].update(id_number=listed, relationship="其他")  # on 太平乡's 失信 list
    client, headers = api("clerk")
    response = client.post("/api/v1/intake/cases", headers=headers,
                           json={"relief_type": "DB", "answers": api_answers(people)})
    assert response.status_code == 422
    text = json.dumps(response.json, ensure_ascii=False)
    assert text.count("请联系县级民政部门") == 2, text
    page = login("clerk").post("/intake/new?type=DB", data=form_data(people))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "请联系县级民政部门" in html
    for secret in secrets:
        assert secret not in text and secret not in html, secret
    # another relief type's case: accepted, with a warning that tells nothing either
    warned = household(21)
    warned[1]["id_number"] = other_type.members[0].id_number
    response = client.post("/api/v1/intake/cases", headers=headers,
                           json={"relief_type": "DB", "answers": api_answers(warned)})
    assert response.status_code == 201 and response.json["warnings"]
    text = json.dumps(response.json, ensure_ascii=False)
    assert "本辖区以外" in text and all(s not in text for s in secrets)
    # 太平乡's own clerk gets the reasons
    own = household(22)
    own[1]["id_number"] = taiping.members[1].id_number
    own[2].update(id_number=listed, relationship="其他")
    client2, headers2 = api("clerk2")
    response = client2.post("/api/v1/intake/cases", headers=headers2, json={
        "relief_type": "DB", "answers": api_answers(own, village="220999201201")})
    assert response.status_code == 422
    text = json.dumps(response.json, ensure_ascii=False)
    assert taiping.case_number in text and "虚报冒领救助金" in text
    assert RELIEF_TYPES[taiping.relief_type].short_name in text


EVALUATION_URLS = [("GET", "/supervision/evaluation?period=2026"),
                   ("GET", "/supervision/evaluation/xlsx?period=2026"),
                   ("POST", "/supervision/evaluation/settings"),
                   ("POST", "/supervision/evaluation/marks"),
                   ("GET", "/api/v1/supervision/evaluation?period=2026"),
                   ("GET", "/api/v1/supervision/evaluation/settings"),
                   ("PUT", "/api/v1/supervision/evaluation/settings"),
                   ("POST", "/api/v1/supervision/evaluation/marks")]


@pytest.mark.parametrize("username", ["clerk", "approver", "village"])
def test_township_evaluation_is_county_only(app, demo, api, username):
    """The ranking of all townships and its weights are the county's: every township or
    village user gets 403 on every evaluation page and endpoint (nothing of its own either)."""
    from .conftest import AuthActions

    web = app.test_client()
    assert AuthActions(web).login(username).status_code == 302
    api_client, headers = api(username)
    for method, url in EVALUATION_URLS:
        if url.startswith("/api/"):
            response = api_client.open(url, method=method, headers=headers, json={})
        else:
            response = web.open(url, method=method, data={})
        assert response.status_code == 403, (username, method, url)


@pytest.mark.parametrize("username", ["supervisor", "admin"])
def test_county_staff_open_the_evaluation(login, api, username):
    assert login(username).get("/supervision/evaluation?period=2026").status_code == 200
    client, headers = api(username)
    assert client.get("/api/v1/supervision/evaluation?period=2026",
                      headers=headers).status_code == 200
    response = client.put("/api/v1/supervision/evaluation/settings", headers=headers,
                          json={"weights": {"on_time": 2}, "bottom_kind": "count",
                                "bottom_value": 1})
    assert response.status_code == 200 and response.json["weights"]["on_time"] == 2


# 复核, 一事一议 meetings, the reserve fund and the funding plan: who may use them
SUPERVISION_ROLES = [
    ("GET", "/supervision/reviews", {"clerk": 200, "approver": 200, "supervisor": 200,
                                     "admin": 200, "village": 403}),
    ("GET", "/supervision/meetings", {"clerk": 200, "supervisor": 200, "village": 403}),
    ("GET", "/supervision/reserve", {"clerk": 200, "supervisor": 200, "admin": 200,
                                     "village": 403}),
    ("GET", "/supervision/funding-plan", {"supervisor": 200, "admin": 200, "clerk": 403,
                                          "approver": 403}),
    ("POST", "/supervision/reviews", {"clerk": 403, "approver": 403, "admin": 403,
                                      "village": 403}),
    ("POST", "/supervision/meetings", {"supervisor": 403, "admin": 403, "village": 403}),
    ("POST", "/supervision/reserve", {"clerk": 403, "approver": 403, "village": 403}),
    ("GET", "/api/v1/supervision/reviews", {"clerk": 200, "supervisor": 200, "village": 403}),
    ("POST", "/api/v1/supervision/reviews", {"clerk": 403, "admin": 403}),
    ("GET", "/api/v1/supervision/reserve", {"approver": 200, "admin": 200, "village": 403}),
    ("POST", "/api/v1/supervision/reserve", {"clerk": 403, "approver": 403}),
    ("GET", "/api/v1/supervision/meetings", {"clerk": 200, "supervisor": 200, "village": 403}),
    ("POST", "/api/v1/supervision/meetings", {"supervisor": 403, "admin": 403}),
    ("GET", "/api/v1/supervision/funding-plan", {"supervisor": 200, "clerk": 403}),
]


@pytest.mark.parametrize("method,url,expected", SUPERVISION_ROLES)
def test_supervision_reviews_meetings_reserve_and_plan_by_role(login, api, method, url,
                                                               expected):
    for username, status in expected.items():
        if url.startswith("/api/"):
            client, headers = api(username)
            response = client.open(url, method=method, headers=headers, json={})
        else:
            response = login(username).open(url, method=method, data={})
        assert response.status_code == status, (username, method, url, response.status_code)


# supervision: who may use the findings, rectification and complaint routes (the walk above
# proves the 404s across regions; this names the roles, with objects of the user's own county)
EVERYONE = {"admin", "supervisor", "clerk", "approver", "village", "clerk2", "clerk3"}
SUPERVISION_ROUTES = [
    ("GET", "/supervision/rectifications", EVERYONE - {"village"}),
    ("GET", "/api/v1/supervision/rectifications", EVERYONE - {"village"}),
    ("GET", "/supervision/complaints", {"admin", "supervisor"}),
    ("GET", "/api/v1/supervision/complaints", {"admin", "supervisor"}),
    ("POST", "/supervision/complaints", {"admin", "supervisor"}),
    ("GET", "/supervision/complaints/{complaint}", {"admin", "supervisor"}),
    ("GET", "/api/v1/supervision/complaints/{complaint}", {"admin", "supervisor"}),
    ("POST", "/supervision/checks/{check}/finding", {"supervisor"}),
    ("POST", "/api/v1/supervision/checks/{check}/finding", {"supervisor"}),
    ("POST", "/supervision/rectifications/{rect}/close", {"supervisor"}),
    ("POST", "/api/v1/supervision/rectifications/{rect}/return", {"supervisor"}),
    ("POST", "/supervision/rectifications/{rect}/answer", {"clerk", "approver"},
     {"clerk2", "clerk3"}),
    ("POST", "/api/v1/supervision/rectifications/{rect}/answer", {"clerk", "approver"},
     {"clerk2", "clerk3"}),
    ("GET", "/supervision/rectifications/{rect}", EVERYONE - {"village"},
     {"clerk2", "clerk3"}),
]


@pytest.mark.parametrize("method,path,allowed,elsewhere",
                         [(*r, set()) if len(r) == 3 else r for r in SUPERVISION_ROUTES])
def test_supervision_roles(app, demo, api, method, path, allowed, elsewhere):
    """东风镇's objects: roles outside ``allowed`` get 403, those inside never do; users of
    another township whose role may act (``elsewhere``) get 404: scoped, not forbidden."""
    dongfeng = region("220999101000")
    url = path.format(check=SAMPLES["check_id"](dongfeng),
                      rect=SAMPLES["rectification_id"](dongfeng),
                      complaint=SAMPLES["complaint_id"](dongfeng))
    for username in sorted(EVERYONE):
        if _is_api(type("R", (), {"rule": url})):
            client, headers = api(username)
            response = client.open(url, method=method, headers=headers, json={})
        else:
            from .conftest import AuthActions

            client = app.test_client()
            AuthActions(client).login(username)
            response = client.open(url, method=method, data={})
        if username in elsewhere:
            assert response.status_code == 404, (method, url, username, response.status_code)
        elif username in allowed:
            assert response.status_code != 403, (method, url, username)
        else:
            assert response.status_code == 403, (method, url, username, response.status_code)


# relief items: the county admin's alone (the county's own items; another county's are 404)
ITEM_ROUTES = [("GET", "/api/v1/items/"), ("POST", "/api/v1/items/"),
               ("GET", "/api/v1/items/DB"), ("PUT", "/api/v1/items/DB")]


@pytest.mark.parametrize("method,path", ITEM_ROUTES)
def test_relief_items_are_the_county_admins(app, demo, api, method, path):
    for username in sorted(EVERYONE):
        client, headers = api(username)
        status = client.open(path, method=method, headers=headers, json={}).status_code
        if username == "admin":
            assert status in (200, 422), (method, path, status)  # 422: the empty body
        else:
            assert status == 403, (method, path, username, status)
    client, headers = api("admin")
    other = SAMPLES["code"](region("220999000000"))
    for method in ("GET", "PUT"):
        assert client.open(f"/api/v1/items/{other}", method=method, headers=headers,
                           json={}).status_code == 404
