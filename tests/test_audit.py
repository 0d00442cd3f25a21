"""The audit chain is anchored outside its table: keyed hashes and a checkpoint file catch a
cut-off tail, an emptied table and an edit followed by re-hashing (with or without the key)."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, select

from server.audit.models import AuditEvent
from server.audit.operations import audit_key, read_checkpoint, verify
from server.audit.queries import chain_head
from server.db import db


def _events():
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_busy_day_verifies_intact_and_checkpoint_follows_the_head(app, demo, auth):
    auth.login("clerk")
    auth.logout()
    last = _events()[-1]
    checkpoint = read_checkpoint()
    assert checkpoint == {"id": last.id, "hash": last.hash, "mac_ok": True}
    assert chain_head() == (last.id, last.hash)  # what the monthly filing prints
    result = _cli(app, "audit", "verify")
    assert result.exit_code == 0 and "审计链完好" in result.output, result.output


def test_tail_truncation_is_detected(app, demo, auth):
    auth.login("clerk")
    last = _events()[-1]
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == last.id))
    db.session.commit()
    verdict = verify()
    assert not verdict.ok and "截断" in verdict.problem
    result = _cli(app, "audit", "verify")
    assert result.exit_code == 1 and "截断" in result.output


def test_emptied_table_is_detected(app, demo):
    db.session.execute(delete(AuditEvent))
    db.session.commit()
    verdict = verify()
    assert not verdict.ok and "清空" in verdict.problem
    assert _cli(app, "audit", "verify").exit_code == 1


def _rehash_from(first: AuditEvent, key: bytes | None):
    prev = ""
    for event in _events():
        if event.id >= first.id:
            event.prev_hash = prev
            event.hash = event.compute_hash(key)
        prev = event.hash
    db.session.commit()


def test_edit_and_rehash_without_the_key_is_detected(app, demo):
    target = _events()[2]
    target.details = {"tampered": True}
    _rehash_from(target, None)  # the old plain SHA-256 chain: anyone could redo it
    verdict = verify()
    assert not verdict.ok and f"broken at event {target.id}" in verdict.problem


def test_edit_and_rehash_with_the_key_is_caught_by_the_checkpoint(app, demo):
    target = _events()[2]
    target.details = {"tampered": True}
    _rehash_from(target, audit_key())
    verdict = verify()
    assert not verdict.ok and "检查点" in verdict.problem


def test_deleted_or_forged_checkpoint_is_detected(app, demo):
    path = Path(app.config["DATA_DIR"]) / "audit_head.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "id": 1}))  # moved back to hide a truncation
    assert not verify().ok and "无效" in verify().problem
    path.unlink()
    assert not verify().ok and "缺失" in verify().problem


def test_audit_key_file_is_private(tmp_path):
    env = dict(os.environ, JIUZHU_INSTANCE_DIR=str(tmp_path / "inst"))
    env.pop("JIUZHU_AUDIT_KEY", None)
    code = "from server import config; print(config.from_environment()['AUDIT_KEY'])"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.stdout == second.stdout and len(first.stdout.strip()) == 64
    mode = stat.S_IMODE((tmp_path / "inst" / "audit_key").stat().st_mode)
    assert mode == 0o600
    key = "from server import config; print(config.from_environment()['SECRET_KEY'])"
    other = subprocess.run([sys.executable, "-c", key], env=env, capture_output=True, text=True)
    assert other.stdout != first.stdout


def test_chain_from_before_the_key_is_accepted_as_a_prefix(app, demo):
    from server.audit.operations import record

    events = _events()
    _rehash_from(events[0], None)  # as an older Jiuzhu wrote them
    (Path(app.config["DATA_DIR"]) / "audit_head.json").unlink()
    verdict = verify()
    assert verdict.ok and verdict.note, verdict.problem
    record("test.after_upgrade", actor_name="system")
    db.session.commit()
    assert verify().ok and read_checkpoint()["id"] == _events()[-1].id
    events[1].details = {"tampered": True}
    db.session.commit()
    assert not verify().ok  # an edited old event is still found
