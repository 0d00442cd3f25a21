"""The 备案 register: township decisions of a month, filters, on-time and late per township."""
from __future__ import annotations

from datetime import date

from server.db import db
from server.supervision import queries

from ..conftest import region
from .conftest import decided


def seed_march():
    """东风镇: one approval on time, one late (accepted in January); 太平乡: one refusal."""
    on_time = decided("220999101201", date(2026, 3, 2), date(2026, 3, 10), seed=31)
    late = decided("220999101202", date(2026, 1, 5), date(2026, 3, 20), seed=32)
    refused = decided("220999201201", date(2026, 3, 2), date(2026, 3, 12), action="refuse",
                      seed=33, users=("clerk2", "approver2"))
    db.session.commit()
    return on_time, late, refused


def test_decisions_land_in_the_register_with_counts(login, taiping_approver):
    on_time, late, refused = seed_march()
    client = login("supervisor")
    page = client.get("/supervision/register?month=2026-03")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for case in (on_time, late, refused):
        assert case.case_number in html
        assert f"/cases/{case.id}" in html and f"/documents/cases/{case.id}" in html
    assert on_time.applicant_id_number not in html  # masked
    rows = queries.register(date(2026, 3, 1), _supervisor())
    by_case = {r.case.id: r for r in rows}
    assert by_case[late.id].is_late and not by_case[on_time.id].is_late
    # 20 working days from 2 March, not moved by the publicity that began with the approval
    assert by_case[on_time.id].due_on == date(2026, 3, 30)
    assert by_case[refused.id].kind == "refuse" and not by_case[refused.id].is_late
    summary = {s["township"].code: s for s in queries.register_summary(rows, queries.townships(
        _supervisor()))}
    assert summary["220999101000"] | {"township": None} == {
        "township": None, "decided": 2, "on_time": 1, "late": 1}
    assert summary["220999201000"]["decided"] == 1 and summary["220999201000"]["late"] == 0
    assert summary["220999001000"]["decided"] == 0
    # another month holds none of them
    assert not queries.register(date(2026, 2, 1), _supervisor())


def _supervisor():
    from server.demo import demo_user

    return demo_user("supervisor")


def test_filters_by_township_type_and_decision(login, api, taiping_approver):
    on_time, late, refused = seed_march()
    client = login("supervisor")
    dongfeng = region("220999101000")
    html = client.get(f"/supervision/register?month=2026-03&township_id={dongfeng.id}"
                      ).get_data(as_text=True)
    assert on_time.case_number in html and refused.case_number not in html
    html = client.get("/supervision/register?month=2026-03&decision=refuse").get_data(as_text=True)
    assert refused.case_number in html and on_time.case_number not in html
    html = client.get("/supervision/register?month=2026-03&relief_type=TK").get_data(as_text=True)
    assert on_time.case_number not in html and refused.case_number not in html
    assert client.get("/supervision/register?decision=nonsense").status_code == 400
    api_client, headers = api("supervisor")
    body = api_client.get(f"/api/v1/supervision/register?month=2026-03&township_id={dongfeng.id}",
                          headers=headers).json
    assert {r["case_number"] for r in body["rows"]} == {on_time.case_number, late.case_number}
    assert body["townships"] == [{"township_id": dongfeng.id, "township": "东风镇",
                                  "decided": 2, "on_time": 1, "late": 1}]
    assert all("*" in r["applicant_id_number"] for r in body["rows"])
    assert {r["decided_by"] for r in body["rows"]} == {"东风镇首席代表"}
    bad = api_client.get("/api/v1/supervision/register?month=2026-13", headers=headers)
    assert bad.status_code == 400 and bad.json["errors"][0]["path"] == "month"


def test_township_users_cannot_open_the_register(login, api):
    assert login("clerk").get("/supervision/register").status_code == 403
    client, headers = api("approver")
    assert client.get("/api/v1/supervision/register", headers=headers).status_code == 403
