"""Validation messages of the standards room are English in English mode and unchanged in
Chinese (issue 15 point 2)."""
from __future__ import annotations

import pytest

from server.standards.demo import DEMO_2026

from .test_api import _version

ACCEPT = {"en": "en", "zh_CN": "zh-CN"}


@pytest.mark.parametrize("locale,expected", [
    ("en", "Cannot be below 1.3 times the dibao standard (1040.00 yuan)"),
    ("zh_CN", "不得低于低保标准的 1.3 倍（1040.00 元）"),
])
def test_ui_version_form_cross_check(login, demo, locale, expected):
    admin = login("admin")
    if locale == "en":
        admin.post("/language", data={"locale": "en", "next": "/"})
    page = admin.post("/standards/new", data={**DEMO_2026, "effective_from": "2027-01-01",
                                              "tk_basic_urban": "900", "db_urban": "800"})
    assert page.status_code == 400 and expected in page.get_data(as_text=True)
    if locale == "en":
        admin.post("/language", data={"locale": "zh_CN"})


@pytest.mark.parametrize("locale,expected", [
    ("en", {"tk_basic_factor": "Enter a number, such as 780 or 1.3",
            "db_bands": "Line 1 should be “lowest gap,amount per person”"}),
    ("zh_CN", {"tk_basic_factor": "请输入数字，例如 780 或 1.3",
               "db_bands": "第 1 行应为“差额下限,每人金额”"}),
])
def test_validation_messages(app, locale, expected):
    from flask_babel import force_locale

    from server.standards.operations import StandardError, validate

    with app.test_request_context(), force_locale(locale):
        with pytest.raises(StandardError) as refused:
            validate(_version(tk_basic_factor="abc", db_bands="1,2,3"))
    assert {k: refused.value.errors[k] for k in expected} == expected


@pytest.mark.parametrize("locale,expected", [
    ("en", ("No standard is in force on 2025-01-01", "The name “a” is already used by item 1")),
    ("zh_CN", ("2025-01-01 没有生效的救助标准", "名称“a”与第 1 项重复")),
])
def test_api_messages(api, locale, expected):
    client, headers = api("admin")
    headers = {**headers, "Accept-Language": ACCEPT[locale]}
    missing = client.get("/api/v1/standards/current?urban_rural=rural&on=2025-01-01",
                         headers=headers)
    assert (missing.status_code, missing.json["message"]) == (404, expected[0])
    bad = client.post("/api/v1/standards/versions", headers=headers,
                      json=_version(named_values=[{"name": "a", "amount": "1"},
                                                  {"name": "a", "amount": "2"}]))
    assert bad.status_code == 422
    assert any(e["message"] == expected[1] for e in bad.json["errors"]), bad.json
