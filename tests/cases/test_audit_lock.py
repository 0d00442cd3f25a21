"""Audit trail of every case change (before/after, tamper-evident) and optimistic locking."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from server.audit.models import AuditEvent
from server.cli import audit_verify
from server.db import db

STALE = "该案件已被他人修改，请刷新后重试"


def test_case_changes_are_audited_with_before_and_after(make, step, login):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.start_investigation",
        AuditEvent.object_id == str(case.id))).one()
    assert event.details["before"]["state"] == "accepted"
    assert event.details["after"]["state"] == "investigating"
    assert event.object_id == str(case.id) and event.actor_name == "clerk"
    page = login("clerk").get(f"/cases/{case.id}").get_data(as_text=True)
    trail = page[page.index('id="case-audit"'):]
    assert "开始调查" in trail and "已受理" in trail and "调查核实中" in trail  # in words
    assert "case.start_investigation" not in trail and "investigating" not in trail


def test_tampering_is_reported_by_audit_verify(make, step, app):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    runner = app.test_cli_runner()
    assert "intact" in runner.invoke(audit_verify).output
    target = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.start_investigation",
        AuditEvent.object_id == str(case.id))).one()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(
        details={"before": {"state": "refused"}, "after": {"state": "paying"}}))
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(audit_verify)
    assert result.exit_code == 1
    assert f"audit chain broken at event {target.id} (case.start_investigation" in result.output


def test_second_clerk_with_a_stale_page_is_refused(make, login):
    case = make(accepted_on=date(2026, 9, 30))
    loaded = case.lock_version
    first, second = login("clerk"), login("approver")
    assert first.post(f"/cases/{case.id}/facts", data={
        "lock_version": loaded, "urban_rural": "rural", "persons_covered": "2",
        "care_level": "", "ls_kind": ""}).status_code == 302
    response = second.post(f"/cases/{case.id}/facts", data={
        "lock_version": loaded, "urban_rural": "urban", "persons_covered": "5",
        "care_level": "", "ls_kind": ""})
    assert response.status_code == 409 and STALE in response.get_data(as_text=True)
    db.session.expire_all()
    assert (case.urban_rural, case.persons_covered) == ("rural", 2)
    stale_step = second.post(f"/cases/{case.id}/transition", data={
        "action": "start_investigation", "lock_version": loaded})
    assert stale_step.status_code == 409 and STALE in stale_step.get_data(as_text=True)
    db.session.expire_all()
    assert case.state == "accepted"


def test_concurrent_flush_is_refused_too(make, app):
    """Two sessions loaded the same version: the database refuses the second write."""
    from sqlalchemy.orm import Session

    from server.cases.checks import CaseError
    from server.cases.models import Case
    from server.cases.operations import update_case
    from server.demo import demo_user

    case = make(accepted_on=date(2026, 9, 30))
    with Session(db.engine) as other:
        theirs = other.get(Case, case.id)
        theirs.persons_covered = 7
        other.commit()
    try:
        update_case(case, {"persons_covered": 4}, demo_user("clerk"), case.lock_version)
    except CaseError as exc:
        assert exc.status == 409 and exc.message == STALE
    else:
        raise AssertionError("a stale write went through")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Case, case.id).persons_covered == 7
