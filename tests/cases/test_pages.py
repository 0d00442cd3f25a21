"""Case pages: list with masked IDs and search, the case page, revealing an ID (logged),
home panels, the county's per-township table, the re-check due list, settings."""
from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.cases.demo import investigated
from server.db import db


def test_list_masks_ids_and_searches(make, login):
    case = make(accepted_on=date(2026, 9, 30))
    client = login("clerk")
    page = client.get("/cases/").get_data(as_text=True)
    assert case.case_number in page and case.applicant_id_number not in page
    assert case.applicant_id_number[:6] + "********" + case.applicant_id_number[-4:] in page
    tail = case.members[2].id_number[-6:]
    assert case.case_number in client.get(f"/cases/?q={tail}").get_data(as_text=True)
    assert case.case_number in client.get("/cases/?q=李秀英").get_data(as_text=True)
    assert case.case_number not in client.get("/cases/?q=nobody").get_data(as_text=True)
    assert case.case_number not in login("clerk2").get("/cases/").get_data(as_text=True)
    assert login("clerk2").get(f"/cases/{case.id}").status_code == 404


def test_reveal_full_id_is_an_explicit_logged_act(make, login, demo):
    case = make(accepted_on=date(2026, 9, 30))
    client = login("clerk")
    member = case.members[1]
    assert member.id_number not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    page = client.post(f"/cases/{case.id}/reveal", data={"member_id": member.id})
    assert page.status_code == 200 and member.id_number in page.get_data(as_text=True)
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.reveal_id")).all()
    assert len(logged) == 1 and logged[0].actor_name == "clerk"
    assert logged[0].details["member_id"] == member.id


def test_decision_page_shows_formula_and_inputs(make, step, login):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    step(case, "clerk", "submit_for_decision", date(2026, 10, 9), **investigated())
    page = login("approver").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="amount-preview"' in page and "(600.00 − 200.00) × 3 = 1200.00 元/月" in page
    assert 'id="action-approve"' in page
    step(case, "approver", "approve", date(2026, 10, 12))
    page = login("clerk").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "(600.00 − 200.00) × 3 = 1200.00 元/月" in page
    assert "家庭月人均收入：200.00" in page and "per_capita_income" not in page
    assert "2026-10-12 — 2026-10-18" in page


def test_web_transition_and_errors(make, login, survey_form):
    case = make(accepted_on=date(2026, 9, 30))
    client = login("clerk")
    response = client.post(f"/cases/{case.id}/transition", data={
        "action": "start_investigation", "lock_version": case.lock_version,
        "effective_on": "2026-09-30"})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.state == "investigating"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for name in ("incomes.wages", "incomes.transfers", "members_present", "survey_opinion",
                 "visited_on", "other_assets"):
        assert f'name="{name}"' in page, name
    bad = client.post(f"/cases/{case.id}/transition", data={
        "action": "submit_for_decision", "lock_version": case.lock_version,
        "is_home_visit": "1", "investigators": [str(case.created_by_id)], **survey_form})
    assert bad.status_code == 422 and "入户调查至少需要 2 名调查人员" in bad.get_data(as_text=True)
    # in English the refusal is English (issue 15 point 2), with the same field path
    clerk = login("clerk")
    assert clerk.post("/language", data={"locale": "en", "next": "/"}).status_code == 302
    bad = clerk.post(f"/cases/{case.id}/transition", data={
        "action": "submit_for_decision", "lock_version": case.lock_version,
        "is_home_visit": "1", "investigators": [str(case.created_by_id)], **survey_form})
    assert bad.status_code == 422 and "A home visit needs at least 2 investigators" in \
        bad.get_data(as_text=True)
    wrong = clerk.post(f"/cases/{case.id}/transition", data={
        "action": "start_investigation", "lock_version": case.lock_version}, follow_redirects=True)
    assert "cannot be done now" in wrong.get_data(as_text=True)
    assert login("village").post(f"/cases/{case.id}/transition", data={
        "action": "flag", "flag": "doubt"}).status_code == 403
    assert login("clerk2").post(f"/cases/{case.id}/transition", data={
        "action": "flag", "flag": "doubt"}).status_code == 404


def test_home_panels_and_deadline_pages(make, login):
    overdue = make(accepted_on=date(2026, 10, 15))
    page = login("clerk").get("/").get_data(as_text=True)
    assert 'id="panel-case-deadlines"' in page and overdue.case_number in page
    county = login("supervisor").get("/").get_data(as_text=True)
    assert 'id="panel-county-overdue"' in county and "东风镇" in county and "太平乡" in county
    table = login("supervisor").get("/cases/deadlines").get_data(as_text=True)
    assert 'id="township-overdue"' in table
    assert overdue.case_number not in login("clerk2").get("/").get_data(as_text=True)


def test_recheck_due_list(make, step, login):
    case = make(accepted_on=date(2026, 8, 3))
    step(case, "clerk", "start_investigation", date(2026, 8, 4))
    step(case, "clerk", "submit_for_decision", date(2026, 8, 10), **investigated())
    step(case, "approver", "approve", date(2026, 8, 11), recheck_category="quarterly")
    step(case, "approver", "confirm", date(2026, 8, 18))
    step(case, "clerk", "start_payment", date(2026, 8, 19))
    assert case.next_recheck_on == date(2026, 12, 1)
    client = login("clerk")
    assert case.case_number in client.get("/cases/rechecks?month=2026-12").get_data(as_text=True)
    assert case.case_number not in client.get("/cases/rechecks?month=2026-11").get_data(
        as_text=True)
    step(case, "clerk", "member_death", date(2026, 9, 1), member=case.members[1].name,
         died_on="2026-08-30")
    page = client.get("/cases/rechecks?month=2026-11").get_data(as_text=True)
    assert case.case_number in page and "2026-11-30" in page


def test_workflow_settings_page(login):
    client = login("admin")
    page = client.get("/cases/settings?relief_type=LS").get_data(as_text=True)
    assert "county_review" in page or "县级" in page
    response = client.post("/cases/settings", data={
        "relief_type": "DB", "settings": '{"publicity_days": 5, "delegated_total_days": 15}'})
    assert response.status_code == 302
    assert '"publicity_days": 5' in html.unescape(
        client.get("/cases/settings?relief_type=DB").get_data(as_text=True))
    bad = client.post("/cases/settings", data={"relief_type": "DB", "settings": "[1]"})
    assert "设置无效" in bad.get_data(as_text=True)
    assert login("clerk").get("/cases/settings").status_code == 403


def test_workflow_settings_refuse_unknown_keys_and_bad_values(login):
    """Seen on main: ``valid_months`` was dropped after "已保存"; 1e400 answered HTTP 500."""
    client = login("admin")
    for text, named in [('{"valid_months": 6, "publicity_days": 5}', "valid_months"),
                        ('{"publicity_days": 1e400}', "publicity_days"),
                        ('{"publicity_days": "七"}', "publicity_days"),
                        ('{"publicity_days": -3}', "publicity_days"),
                        ('{"publicity_days": 5.5}', "publicity_days"),
                        ('{"has_publicity": "yes"}', "has_publicity"),
                        ('{"publish_mode": "never"}', "publish_mode"),
                        ('{"recheck_months": {"stable": 0}}', "recheck_months"),
                        ('{"recheck_months": {"yearly": 12}}', "recheck_months"),
                        ('{"publicity_days": 5', "JSON")]:
        response = client.post("/cases/settings", data={"relief_type": "DB", "settings": text})
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 200, text
        assert "设置无效" in page and named in page, text
        assert "已保存" not in page
    # nothing was stored by the refused saves
    page = html.unescape(client.get("/cases/settings?relief_type=DB").get_data(as_text=True))
    assert '"publicity_days": 7' in page and "valid_months" not in page


@pytest.mark.parametrize(("action", "consequence"), [
    ("approve", "自决定当月起给予救助"), ("refuse", "须向申请人送达不予救助告知书"),
    ("county_approve", "县级审批同意"), ("county_refuse", "县级审批不同意"),
    ("terminate", "停止发放，案件办结")])
def test_irreversible_decision_asks_first_and_changes_nothing(make, login, action, consequence):
    case = make(accepted_on=date(2026, 9, 30))
    state, version = case.state, case.lock_version
    asked = login("approver").post(f"/cases/{case.id}/transition", data={
        "action": action, "lock_version": version, "comment": "同意"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and consequence in page
    # the confirmation form posts the same fields again, plus confirm=1
    assert 'name="comment" value="同意"' in page and 'name="confirm" value="1"' in page
    db.session.expire_all()
    assert (case.state, case.lock_version) == (state, version)
