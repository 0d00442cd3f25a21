"""The delegation ledger (赋权清单): a township decides only what it holds on the decision date."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth.operations import create_user
from server.auth.roles import Role
from server.cases.demo import ensure_standard, investigated, make_case
from server.cases.operations import transition
from server.db import db
from server.delegation.models import DelegatedItem
from server.delegation.queries import holds
from server.regions.queries import region_by_code

TAIPING, TAIPING_VILLAGE = "220999201000", "220999201201"


@pytest.fixture
def taiping(demo):
    ensure_standard(region_by_code("220999000000"))
    create_user("approver2", "太平乡审批人", "approver2-pass", Role.township_approver,
                region_by_code(TAIPING))
    db.session.commit()
    return region_by_code(TAIPING)


def _ls_case(accepted_on, seed, demo):
    case = make_case(TAIPING_VILLAGE, "LS", accepted_on=accepted_on, seed=seed, income=None,
                     names=(f"太平临救{seed}",), creator=demo.demo_user("clerk2"))
    for username, action, on, data in [
            ("clerk2", "start_investigation", accepted_on, {}),
            ("clerk2", "submit_for_decision", accepted_on,
             investigated("clerk2", "approver2", visited_on=accepted_on))]:
        transition(case, action, demo.demo_user(username), data, effective_on=on)
    db.session.commit()
    return case


def _approve(case, on, demo):
    transition(case, "approve", demo.demo_user("approver2"), {"requested_amount": "1000"},
               effective_on=on)
    db.session.commit()


def test_withdrawn_delegation_sends_the_case_to_the_county(taiping, demo, login):
    before = _ls_case(date(2026, 10, 12), 301, demo)
    _approve(before, date(2026, 10, 14), demo)
    assert before.state == "confirmed" and before.decided_at is not None

    admin = login("admin")
    assert "太平乡" in admin.get(f"/delegation/townships/{taiping.id}").get_data(as_text=True)
    item = db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == taiping.id, DelegatedItem.relief_type == "LS")).one()
    response = admin.post(f"/delegation/items/{item.id}/withdraw",
                          data={"withdraw-last_day": "2026-10-20"})
    assert response.status_code == 302
    db.session.expire_all()
    assert item.ends_on == date(2026, 10, 20)
    assert holds(taiping, "LS", date(2026, 10, 20)) and not holds(taiping, "LS", date(2026, 10, 21))
    assert holds(taiping, "DB", date(2026, 10, 21))
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "delegation.withdraw")).first() is not None

    after = _ls_case(date(2026, 10, 21), 302, demo)
    _approve(after, date(2026, 10, 22), demo)
    assert after.state == "county_review" and after.decided_at is None
    assert "太平乡" in after.county_reason and "临时救助" in after.county_reason
    page = admin.get(f"/cases/{after.id}").get_data(as_text=True)
    assert after.county_reason in page and "待县级审批" in page
    home = login("supervisor").get("/").get_data(as_text=True)
    assert 'id="panel-county-queue"' in home and after.case_number in home
    assert before.case_number not in home
    # the case decided before the withdrawal stays the township's decision
    db.session.refresh(before)
    assert before.state == "confirmed" and not before.county_reason

    transition(after, "county_approve", demo.demo_user("admin"), {},
               effective_on=date(2026, 10, 23))
    db.session.commit()
    assert after.state == "confirmed" and after.decided_at is not None


def test_withdrawal_before_the_start_is_refused(taiping, login):
    item = db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == taiping.id, DelegatedItem.relief_type == "DB")).one()
    response = login("admin").post(f"/delegation/items/{item.id}/withdraw",
                                   data={"withdraw-last_day": "2019-01-01"}, follow_redirects=True)
    assert "收回日期不能早于委托起始日期" in response.get_data(as_text=True)
    db.session.expire_all()
    assert item.ends_on is None


def test_grant_overlap_and_gradual_delegation(taiping, login):
    admin = login("admin")
    response = admin.post(f"/delegation/townships/{taiping.id}/grant", data={
        "grant-relief_type": "DB", "grant-starts_on": "2026-01-01"})
    assert response.status_code == 400 and "重叠" in response.get_data(as_text=True)
    item = db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == taiping.id, DelegatedItem.relief_type == "TK")).one()
    admin.post(f"/delegation/items/{item.id}/withdraw", data={"withdraw-last_day": "2026-06-30"})
    response = admin.post(f"/delegation/townships/{taiping.id}/grant", data={
        "grant-relief_type": "TK", "grant-starts_on": "2027-01-01"})
    assert response.status_code == 302
    assert not holds(taiping, "TK", date(2026, 8, 1)) and holds(taiping, "TK", date(2027, 2, 1))


def test_public_ledger_needs_no_login_and_shows_nothing_personal(taiping, demo, login, client):
    admin = login("admin")
    admin.post(f"/delegation/townships/{taiping.id}/terms", data={
        "terms-custodian_user": "0", "terms-custodian_name": "李四海",
        "terms-custodian_post": "分管民政副乡长", "terms-period_start": "2020-01-01"})
    item = db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == taiping.id, DelegatedItem.relief_type == "LS")).one()
    admin.post(f"/delegation/items/{item.id}/withdraw", data={"withdraw-last_day": "2026-10-20"})
    admin.get("/logout")
    response = client.get("/delegation/public")
    assert response.status_code == 200
    assert "noindex" in response.headers["X-Robots-Tag"]
    html = response.get_data(as_text=True)
    assert 'name="robots" content="noindex' in html
    assert "分管民政副乡长" in html and "李四海" not in html
    taiping_part = html.split("太平乡")[1]
    assert "最低生活保障" in taiping_part and "临时救助" not in taiping_part.split("<h2>")[0]
    assert "东风镇" in html


def test_api_public_ledger_needs_no_token_and_edits_need_the_county(taiping, client, api):
    public = client.get("/api/v1/delegation/public")
    assert public.status_code == 200
    row = next(r for r in public.json if r["township"] == "太平乡")
    assert {i["relief_type"] for i in row["delegated"]} == {"DB", "TK", "LS", "BY"}
    assert set(row) == {"county", "township", "code", "custodian_post", "period_start",
                        "period_end", "delegated"}
    admin, headers = api("admin")
    items = admin.get(f"/api/v1/delegation/townships/{taiping.id}/items", headers=headers).json
    ls = next(i for i in items if i["relief_type"] == "LS")
    bad = admin.post(f"/api/v1/delegation/items/{ls['id']}/withdraw", headers=headers,
                     json={"last_day": "2019-12-31"})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "last_day"
    bad = admin.post(f"/api/v1/delegation/items/{ls['id']}/withdraw", headers=headers, json={})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "last_day"
    done = admin.post(f"/api/v1/delegation/items/{ls['id']}/withdraw", headers=headers,
                      json={"last_day": "2026-10-20"})
    assert done.status_code == 200 and done.json["ends_on"] == "2026-10-20"
    overlap = admin.post(f"/api/v1/delegation/townships/{taiping.id}/items", headers=headers,
                         json={"relief_type": "LS", "starts_on": "2026-10-01"})
    assert overlap.status_code == 422 and overlap.json["errors"][0]["path"] == "starts_on"
    again = admin.post(f"/api/v1/delegation/townships/{taiping.id}/items", headers=headers,
                       json={"relief_type": "LS", "starts_on": "2027-01-01"})
    assert again.status_code == 201
    clerk, clerk_headers = api("clerk2")
    assert clerk.get(f"/api/v1/delegation/townships/{taiping.id}/items",
                     headers=clerk_headers).status_code == 403
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/delegation/public" in spec["paths"]
    assert "/api/v1/window/requests/{request_id}/referral" in spec["paths"]


def test_upgrade_gives_existing_townships_full_delegation(tmp_path, app):
    import sqlalchemy as sa
    from alembic import command

    from server.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0007")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO region (id, code, name, level, urban_rural) VALUES "
            "(1, '220999000000', '县', 'county', 'rural'), "
            "(2, '220999101000', '镇', 'township', 'rural'), "
            "(3, '220999101201', '村', 'village', 'rural')"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT region_id, relief_type, ends_on FROM delegated_item")).all()
    engine.dispose()
    assert sorted(rows) == [(2, code, None) for code in ("BY", "DB", "LS", "TK")]


def test_a_refusal_without_the_delegation_is_the_countys_too(taiping, demo):
    item = db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == taiping.id, DelegatedItem.relief_type == "LS")).one()
    from server.delegation.operations import withdraw

    withdraw(item, date(2026, 10, 20), demo.demo_user("admin"))
    db.session.commit()
    case = _ls_case(date(2026, 10, 21), 303, demo)
    transition(case, "refuse", demo.demo_user("approver2"),
               {"reason": "家庭收入超过标准"}, effective_on=date(2026, 10, 22))
    db.session.commit()
    # a township refusal is a proposal: no decision, the legal clock keeps running
    assert case.state == "county_review" and case.decision is None and case.is_active
    assert "临时救助" in case.county_reason
    total = next(d for d in case.deadlines if d.kind == "total")
    assert total.done_on is None
    assert not any(d.kind == "refusal_notice" for d in case.deadlines)
    transition(case, "county_refuse", demo.demo_user("admin"), {"reason": "家庭收入超过标准"},
               effective_on=date(2026, 10, 23))
    db.session.commit()
    assert case.state == "refused" and case.decision == "refuse"
    assert total.done_on == date(2026, 10, 23)
    assert any(d.kind == "refusal_notice" for d in case.deadlines)
