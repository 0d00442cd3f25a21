"""``jiuzhu backup DIR`` / ``backup verify DIR`` / ``restore DIR`` (server/backup.py).

A busy SQLite instance (a real ``jiuzhu worker`` building bundles) is backed up, restored
into a new instance directory and compared: row counts of every table, every data file's
hash, ``audit verify`` and ``archive verify``. The database-level test runs on SQLite and on
PostgreSQL (a second database of the test cluster as the restore target).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import uuid
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, make_url, text

from server.archives.cli import archive_group
from server.cli import backup_group
from server.db import db
from tests.conftest import PG_URL
from tests.test_cli import run
from tests.test_worker_e2e import JIUZHU, ROOT, _setup, _stop, _wait, _worker


def _jiuzhu(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(JIUZHU), *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                    for t in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def _statuses(path: Path) -> dict[int, str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT id, status FROM archive_job")).all())
    finally:
        engine.dispose()


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def _instance_env(base: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("JIUZHU_") and k != "REDIS_URL"}
    (base / "instance").mkdir(parents=True, exist_ok=True)
    env.update({"PYTHONPATH": str(ROOT),
                "JIUZHU_INSTANCE_DIR": str(base / "instance"),
                "JIUZHU_DATABASE_URL": f"sqlite:///{base / 'instance' / 'jiuzhu.db'}",
                "JIUZHU_HUEY_SQLITE_PATH": str(base / "instance" / "huey.db"),
                "JIUZHU_HUEY_IMMEDIATE": "0",
                "JIUZHU_ARCHIVE_PDF": "0"}, **extra)
    return env


def test_busy_sqlite_instance_is_backed_up_and_restored_elsewhere(tmp_path):
    source = _instance_env(tmp_path / "a")
    job_ids = _setup(source, cases=3)
    # slow enough per file that the other bundles still run while a loaded machine starts the
    # backup command
    proc = _worker(source, tmp_path, "worker", JIUZHU_TEST_BUNDLE_DELAY="0.6")
    try:
        _wait(source, job_ids[0], lambda j: j["status"] == "done", proc=proc)
        made = _jiuzhu(source, "backup", str(tmp_path / "snap"))  # while the others build
    finally:
        _stop(proc)
    assert made.returncode == 0, made.stderr
    snap = tmp_path / "snap"
    assert not list(tmp_path.glob(".snap*")), "the temporary folder was left behind"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["migration_revision"] and manifest["app_version"]
    assert (snap / "keys" / "audit_key").stat().st_mode & 0o777 == 0o600
    assert CliRunner().invoke(backup_group, ["verify", str(snap)]).exit_code == 0

    target = _instance_env(tmp_path / "b")
    restored = _jiuzhu(target, "restore", str(snap))
    assert restored.returncode == 0, restored.stderr
    copy = tmp_path / "snapshot.db"  # opening the backup itself would change it (WAL)
    copy.write_bytes((snap / manifest["database"]["file"]).read_bytes())
    assert _counts(target["JIUZHU_DATABASE_URL"]) == _counts(f"sqlite:///{copy}")
    statuses = _statuses(copy)
    assert statuses[job_ids[0]] == "done" and "done" in statuses.values()
    assert set(statuses.values()) - {"done"}, "the worker was idle: not a busy instance"
    data = tmp_path / "b" / "instance" / "data"
    assert _hashes(data) == _hashes(snap / "data")
    assert {f["path"][len("data/"):]: f["sha256"] for f in manifest["files"]
            if f["path"].startswith("data/")} == _hashes(data)
    audit = _jiuzhu(target, "audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    bundles = list((data / "archives" / "bundles").iterdir())
    assert bundles  # the finished bundle came along
    for folder in bundles:
        checked = CliRunner().invoke(archive_group, ["verify", str(folder)])
        assert checked.exit_code == 0, checked.output

    again = _jiuzhu(target, "restore", str(snap))  # now the target holds data
    assert again.returncode != 0 and "不是空的" in again.stderr and "not empty" in again.stderr


def _target_url(tmp_path) -> str:
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'restored.db'}"
    name = f"jiuzhu_restore_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        engine.dispose()


def test_backup_restore_refusal_and_tamper(app, demo, db_url, tmp_path):
    from server.audit.operations import record

    record("test.backup", details={"n": 1})
    db.session.commit()  # writes the audit checkpoint into the data directory
    upload = Path(app.config["DATA_DIR"]) / "uploads" / "a.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("材料")
    (upload.parent / ".half.txt.1234.tmp").write_text("in progress")  # skipped
    inside = run(app, "backup", str(upload.parent / "backup"))  # would copy itself next time
    assert inside.exit_code == 1 and "outside the data directory" in inside.output
    snap = tmp_path / "snap"
    made = run(app, "backup", str(snap))
    assert made.exit_code == 0, made.output
    assert "data/uploads/a.txt" in (snap / "manifest.json").read_text()
    assert not (snap / "data" / "uploads" / ".half.txt.1234.tmp").exists()

    refused = run(app, "restore", str(snap))  # into this very (non-empty) instance
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert upload.read_text() == "材料"

    target = _target_url(tmp_path)
    try:
        env = _instance_env(tmp_path / "b", JIUZHU_DATABASE_URL=target)
        # a fresh instance as `make run` leaves it: every table made, none with rows
        assert _jiuzhu(env, "db", "upgrade").returncode == 0
        done = _jiuzhu(env, "restore", str(snap))
        assert done.returncode == 0, done.stderr
        restored = _counts(target)
        restored.pop("alembic_version", None)  # the test database is made without alembic
        assert restored == _counts(db_url)
        audit = _jiuzhu(env, "audit", "verify")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert (tmp_path / "b" / "instance" / "data" / "uploads" / "a.txt").read_text() == "材料"
    finally:
        _drop(target)

    (snap / "data" / "uploads" / "a.txt").write_text("改过")
    tampered = run(app, "backup", "verify", str(snap))
    assert tampered.exit_code == 1 and "data/uploads/a.txt" in tampered.output


def test_restore_refuses_an_incomplete_backup(app, tmp_path):
    (tmp_path / "nothing").mkdir()
    result = run(app, "restore", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "manifest.json" in result.output


def test_nightly_backup_is_off_unless_configured_and_keeps_the_newest(app, demo, tmp_path):
    from server.backup import nightly_backup

    assert nightly_backup.call_local() is None  # JIUZHU_BACKUP_DIR unset: nothing
    app.config.update(BACKUP_DIR=str(tmp_path / "nightly"), BACKUP_KEEP=2)
    made = [nightly_backup.call_local() for _ in range(3)]
    kept = sorted(p.name for p in (tmp_path / "nightly").iterdir())
    assert kept == sorted(Path(m).name for m in made[1:])
    assert all((tmp_path / "nightly" / k / "manifest.json").exists() for k in kept)


def test_a_forged_manifest_is_refused_before_anything_is_written(app, demo, tmp_path):
    snap = tmp_path / "snap"
    assert run(app, "backup", str(snap)).exit_code == 0
    manifest = json.loads((snap / "manifest.json").read_text())
    good = dict(manifest)
    manifest["files"] = [*manifest["files"], {"path": "data/../../evil", "size": 0,
                                              "sha256": hashlib.sha256(b"").hexdigest()}]
    (snap / "manifest.json").write_text(json.dumps(manifest))
    checked = run(app, "backup", "verify", str(snap))
    assert checked.exit_code == 1 and "bad path" in checked.output

    good["migration_revision"] = "9999_from_the_future"
    (snap / "manifest.json").write_text(json.dumps(good))
    newer = _jiuzhu(_instance_env(tmp_path / "b"), "restore", str(snap))
    assert newer.returncode == 1 and "newer version" in newer.stderr
    assert not (tmp_path / "b" / "instance" / "jiuzhu.db").exists()


def test_the_worker_schedules_the_nightly_backup():
    from server.extensions import huey
    from server.worker import import_tasks

    import_tasks()
    assert "nightly_backup" in {t.name for t in huey._registry.periodic_tasks}


def test_restore_refuses_another_audit_key(app, tmp_path):
    snap = tmp_path / "snap"
    assert run(app, "backup", str(snap)).exit_code == 0
    env = _instance_env(tmp_path / "b", JIUZHU_AUDIT_KEY="another")
    refused = _jiuzhu(env, "restore", str(snap))
    assert refused.returncode == 1 and "JIUZHU_AUDIT_KEY" in refused.stderr
