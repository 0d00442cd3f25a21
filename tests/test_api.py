"""The JSON API: bearer tokens, scoping, OpenAPI from the code, one error shape."""
from __future__ import annotations

import re

import pytest

from server.db import db

from .conftest import region


def test_me(api):
    client, headers = api("clerk")
    body = client.get("/api/v1/me", headers=headers).json
    assert body["username"] == "clerk" and body["role"] == "township_clerk"
    assert body["region"]["code"] == "220999101000"


def test_region_tree_is_scoped(api):
    client, headers = api("clerk")
    tree = client.get("/api/v1/regions/", headers=headers).json
    assert [n["name"] for n in tree] == ["东风镇"]
    assert {c["name"] for c in tree[0]["children"]} == {"东风村", "红旗村", "前进村"}
    client, headers = api("admin")
    tree = client.get("/api/v1/regions/", headers=headers).json
    assert tree[0]["name"] == "九州示范县" and len(tree[0]["children"]) == 3


def test_region_of_other_township_is_404_json(api):
    client, headers = api("clerk")
    other = region("220999201201")
    response = client.get(f"/api/v1/regions/{other.id}", headers=headers)
    assert response.status_code == 404
    assert response.json["code"] == "not_found" and response.json["errors"] == []


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wrong-token", "Basic abc",
                                    "Bearer " + "x" * 5000])
def test_bad_tokens_get_401_json(client, demo, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert set(response.json) == {"code", "message", "errors"}


def test_session_cookie_does_not_authenticate_the_api(login):
    client = login("clerk")
    assert client.get("/api/v1/me").status_code == 401


def test_disabled_user_token_stops_working(api, demo):
    from server.auth.operations import set_active

    client, headers = api("clerk")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    set_active(demo.demo_user("clerk"), False)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_route_and_method_are_json(api):
    client, headers = api("clerk")
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404 and response.is_json
    response = client.delete("/api/v1/me", headers=headers)
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/v1/regions/abc", "/api/v1/regions/99999999999999999999",
                                  "/api/v1/regions/-1"])
def test_bad_path_input_never_500(api, path):
    client, headers = api("clerk")
    response = client.get(path, headers=headers)
    assert response.status_code == 404 and response.is_json


def test_openapi_document_is_generated_from_code(client, app):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"] and "/api/v1/regions/" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # every API rule registered on the app is documented
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in spec["paths"], path


def test_openapi_spec_is_valid(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").json)


BAD_BODIES = [
    ("text/plain", "not json"),
    ("application/json", "{broken"),
    ("application/json", "[1, 2, 3]"),
    ("application/json", '{"action": 5, "answers": "x", "source": [], "relief_type": {}, '
                         '"lock_version": "abc", "effective_on": "2026-13-45"}'),
    ("application/json", '{"' + "k" * 2000 + '": null}'),
]


@pytest.mark.parametrize("username", ["clerk", "admin"])
def test_bad_bodies_never_500_on_any_api_write(app, api, username):
    """Every API write answers malformed input with a JSON error of the one shape."""
    from flask import url_for

    from .samples import SAMPLES

    client, headers = api(username)
    me = client.get("/api/v1/me", headers=headers).json
    own = region(me["region"]["code"])
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            values = {arg: SAMPLES[arg](own) for arg in rule.arguments}
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            for content_type, body in BAD_BODIES:
                response = client.open(url, method=method, data=body,
                                       headers={**headers, "Content-Type": content_type})
                assert response.status_code < 500, (method, url, body[:40])
                assert response.is_json, (method, url)
                assert {"code", "message", "errors"} <= set(response.json), (method, url)
                checked += 1
    assert checked >= 10
