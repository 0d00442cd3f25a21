"""The `jiuzhu` console command."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select

from server.auth.models import User
from server.db import db
from server.regions.models import Region, RegionLevel


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=False)


def test_demo_data_is_deterministic_and_prints_logins(app):
    result = run(app, "demo-data")
    assert result.exit_code == 0
    for username in ("admin", "supervisor", "clerk", "approver", "village"):
        assert username in result.output
    assert "Jiuzhu@2026" in result.output
    levels = db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
    counts = dict(levels)
    assert counts[RegionLevel.county] == 1 and counts[RegionLevel.township] == 3
    assert counts[RegionLevel.village] >= 9
    assert db.session.scalar(select(func.count(Region.id)).where(Region.name.like("%街道"))) == 1
    codes = sorted(db.session.scalars(select(Region.code)))
    # running it again refuses, --if-empty is a no-op
    assert run(app, "demo-data").exit_code == 1
    assert run(app, "demo-data", "--if-empty").exit_code == 0
    assert sorted(db.session.scalars(select(Region.code))) == codes


def test_demo_holds_a_case_at_every_stage_and_the_next_step_works_today(app):
    """README walk-through: every step can be followed on a fresh demo, including payment."""
    from server.cases.clocks import local_today
    from server.cases.models import Case
    from server.cases.operations import allowed_transitions, transition
    from server.demo import demo_user

    assert run(app, "demo-data").exit_code == 0
    cases = list(db.session.scalars(select(Case).order_by(Case.id)))
    states = {c.state for c in cases}
    assert {"accepted", "awaiting_materials", "investigating", "appraisal", "decision",
            "publicity", "confirmed", "paying", "refused"} <= states, states
    today = local_today()
    clerk, approver = demo_user("clerk"), demo_user("approver")
    # each waiting case offers its next step to the township today
    for case in cases:
        if case.state not in ("paying", "refused"):
            actions = {t.action for who in (clerk, approver)
                       for t in allowed_transitions(case, who)}
            assert actions, (case.case_number, case.state)
    ended = [c for c in cases if c.state == "publicity" and c.publicity_end_on < today]
    assert ended and any(c.publicity_end_on == today - timedelta(days=1) for c in ended)
    case = next(c for c in ended if c.publicity_end_on == today - timedelta(days=1))
    transition(case, "confirm", approver, {})
    transition(case, "start_payment", clerk, {})
    db.session.commit()
    assert case.state == "paying" and case.monthly_amount_fen > 0
    refused = next(c for c in cases if c.state == "refused")
    transition(refused, "notify_refusal", clerk, {})
    appraisal = next(c for c in cases if c.state == "appraisal")
    transition(appraisal, "record_appraisal", clerk, {
        "held_on": today.isoformat(), "place": "村委会", "host": "村支书", "recorder": "会计",
        "participants": "甲、乙、丙", "opinions": "情况属实", "votes_for": 3, "votes_against": 0,
        "votes_abstain": 0, "result": "agree"})
    pending = next(c for c in cases if c.state == "decision" and c is not appraisal)
    transition(pending, "approve", approver, {})
    assert pending.state == "publicity" and pending.publicity_start_on == today
    confirmed = next(c for c in cases if c.state == "confirmed")
    transition(confirmed, "start_payment", clerk, {})
    db.session.commit()
    assert (refused.state, appraisal.state, confirmed.state) == ("refused", "decision", "paying")


def test_user_create_disable_passwd(app, demo):
    result = run(app, "user", "create", "clerk9", "--name", "新经办员", "--role", "township_clerk",
                 "--region", "220999201000", input="long-enough-pw\nlong-enough-pw\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "clerk9")).one()
    assert user.region.name == "太平乡" and "long-enough-pw" not in user.password_hash
    assert run(app, "user", "disable", "clerk9").exit_code == 0
    db.session.refresh(user)
    assert not user.is_active
    old_hash = user.password_hash
    assert run(app, "user", "passwd", "clerk9", input="another-pass\nanother-pass\n").exit_code == 0
    db.session.refresh(user)
    assert user.password_hash != old_hash


def test_user_create_refuses_bad_input(app, demo):
    # a township role on a village, an unknown region, a short password, a duplicate
    cases = [("township_clerk", "220999101201", "long-enough-pw", "必须属于"),
             ("township_clerk", "999999999999", "long-enough-pw", "no region"),
             ("township_clerk", "220999201000", "short", "至少"),
             ("township_clerk", "220999201000", "long-enough-pw", "已存在")]
    for role, code, password, message in cases:
        name = "clerk" if message == "已存在" else "newbie"
        result = run(app, "user", "create", name, "--name", "x", "--role", role,
                     "--region", code, input=f"{password}\n{password}\n")
        assert result.exit_code == 1 and message in result.output, result.output
    assert db.session.scalars(select(User).where(User.username == "newbie")).first() is None


def test_region_import(app, demo, tmp_path):
    csv_file = tmp_path / "regions.csv"
    csv_file.write_text("code,name,parent_code\n220999301000,新兴乡,220999000000\n"
                        "220999301201,新兴村,220999301000\n", encoding="utf-8")
    result = run(app, "region", "import", str(csv_file))
    assert result.exit_code == 0 and "2 regions created" in result.output
    village = db.session.scalars(select(Region).where(Region.code == "220999301201")).one()
    assert village.parent.name == "新兴乡" and village.level == RegionLevel.village


def test_region_import_is_all_or_nothing(app, demo, tmp_path):
    csv_file = tmp_path / "regions.csv"
    csv_file.write_text("220999302000,好乡,220999000000\n12345,坏码,220999000000\n"
                        "220999303201,孤村,220999303000\n", encoding="utf-8")
    result = run(app, "region", "import", str(csv_file))
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "第 3 行" in result.output
    assert db.session.scalars(select(Region).where(Region.code == "220999302000")).first() is None


def test_token_create_authenticates_api(app, demo):
    result = run(app, "token", "create", "approver", "--name", "test")
    token = result.output.strip()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["username"] == "approver"


def test_audit_verify_finds_tampering(app, demo):
    from server.audit.models import AuditEvent

    assert "intact" in run(app, "audit", "verify").output
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(2)).first()
    event.details = {"tampered": True}
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 1 and f"broken at event {event.id}" in result.output


def test_secret_key_file_is_private(tmp_path):
    env = dict(os.environ, JIUZHU_INSTANCE_DIR=str(tmp_path / "inst"))
    code = "from server import config; print(config.from_environment()['SECRET_KEY'])"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.stdout == second.stdout and len(first.stdout.strip()) == 64
    mode = stat.S_IMODE((tmp_path / "inst" / "secret_key").stat().st_mode)
    assert mode == 0o600
