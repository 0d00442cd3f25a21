"""End to end with real Huey consumers (``jiuzhu worker``) on SQLite and on Redis storage.

Each test runs twice: on Huey's SQLite storage and on a throwaway ``redis-server``
(tests/redis_server.py, started once per session unless ``JIUZHU_TEST_REDIS_URL`` names one).
One test bundles a case through the worker; one kills the worker (SIGKILL) in the middle of a
bundle and checks that no partial bundle is visible and that a restarted worker finishes it;
one kills a worker while LibreOffice hangs on a print pack and checks that the next worker
marks the pack failed in Chinese; one has two workers share a batch of bundles. Builds are slowed down with the documented test
hook ``JIUZHU_TEST_BUNDLE_DELAY``. The children get ``PYTHONPATH`` set to this checkout so
the console script imports this code, not whatever checkout it was installed from.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests import redis_server

ROOT = Path(__file__).resolve().parent.parent
JIUZHU = ROOT / ".venv" / "bin" / "jiuzhu"

# Runs in a child process: makes the schema and loads the demo county, committed (made once
# per test process and copied per test by _setup; nothing is queued, which it checks).
SEED = r"""
from server import create_app
from server.db import db
from server.extensions import huey
from server.migrate import upgrade

app = create_app({"CHECK_MIGRATIONS": False})
with app.app_context():
    upgrade(app)
    from server import demo

    demo.load()
    db.session.commit()
assert huey.pending_count() == 0, "the demo queued work: a copy of the database would lose it"
db.engine.dispose()  # the WAL merged into the file that is copied
"""

# Runs in a child process (the test process's Huey is in immediate mode) on the seeded
# instance: adds E2E_CASES (default 1) decided cases and queues a bundle job for each. Prints
# the job ids on the last line.
SETUP = r"""
import os
from datetime import date, datetime
from server import create_app
from server.db import db

app = create_app({"CHECK_MIGRATIONS": False})
with app.app_context():
    from server.archives import operations, tasks
    from server.cases.models import Case, Member
    from server.idnumber import make
    from server.regions.queries import region_by_code
    from server.relief import ReliefCode
    from server.schemas.models import SchemaStatus, SchemaVersion

    county, village = region_by_code("220999000000"), region_by_code("220999101201")
    schema = SchemaVersion(county_id=county.id, relief_type=ReliefCode.DB, number=99,
                           status=SchemaStatus.published, source="{}", definition={})
    jobs = []
    for n in range(int(os.environ.get("E2E_CASES", "1"))):
        idn = make("220999", date(1960, 1, 1), 11 + 2 * n)
        case = Case(case_number=f"E2E-{n + 1:04d}", relief_type=ReliefCode.DB, region=village,
                    schema_version=schema, state="paying", applicant_name="端到端",
                    applicant_id_number=idn, decided_at=datetime(2026, 3, 10),
                    persons_covered=1, monthly_amount_fen=50000,
                    payment_start_month=date(2026, 4, 1))
        case.members.append(Member(position=0, name="端到端", id_number=idn, sex="M",
                                   birth_date=date(1960, 1, 1), is_applicant=True))
        db.session.add(case)
        db.session.flush()
        jobs.append(operations.create_job(region_id=case.region_id, case=case))
    db.session.commit()
    for job in jobs:
        tasks.enqueue(job)
    print(" ".join(str(job.id) for job in jobs))
"""


@pytest.fixture(scope="session")
def redis_url():
    """The Redis the Huey tests use: JIUZHU_TEST_REDIS_URL, else a throwaway redis-server."""
    given = os.environ.get("JIUZHU_TEST_REDIS_URL")
    if given:
        yield given
        return
    with redis_server.running() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def huey_storage(request):
    """Huey's storage for the workers: ``{}`` for SQLite, else the Redis URL (emptied)."""
    if request.param == "sqlite":
        return {}
    import redis

    url = request.getfixturevalue("redis_url")
    client = redis.Redis.from_url(url)
    client.flushdb()  # nothing left from the previous test's queue
    client.close()
    return {"JIUZHU_HUEY_URL": url}


@pytest.fixture
def worker_env(tmp_path, huey_storage):
    env = {**os.environ,
           "PYTHONPATH": str(ROOT),
           "JIUZHU_INSTANCE_DIR": str(tmp_path / "instance"),
           "JIUZHU_DATABASE_URL": f"sqlite:///{tmp_path / 'jiuzhu.db'}",
           "JIUZHU_HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
           "JIUZHU_DATA_DIR": str(tmp_path / "data"),
           "JIUZHU_HUEY_IMMEDIATE": "0",
           "JIUZHU_ARCHIVE_PDF": "0",
           "JIUZHU_SECRET_KEY": "e2e"}
    env.pop("JIUZHU_HUEY_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("JIUZHU_TEST_BUNDLE_DELAY", None)
    env.update(huey_storage)
    return env


def _setup(env, cases: int = 1) -> list[int]:
    """A migrated instance with the demo county at ``env``'s paths, plus ``cases`` decided cases
    each with a queued bundle job; returns the job ids."""
    _seed(env)
    done = subprocess.run([sys.executable, "-c", SETUP], env={**env, "E2E_CASES": str(cases)},
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return [int(i) for i in done.stdout.strip().splitlines()[-1].split()]


# where an instance keeps its files and queue: the seed is made with its own, copied to the
# test's (it queues nothing, so the queue's storage does not change it)
_PATHS = ("JIUZHU_INSTANCE_DIR", "JIUZHU_DATABASE_URL", "JIUZHU_HUEY_SQLITE_PATH",
          "JIUZHU_DATA_DIR", "JIUZHU_HUEY_URL")
_SEEDS: dict = {}


def _seed(env) -> None:
    """Migrate and load the demo into ``env``'s instance: a copy of the instance SEED made once
    per test process for the same settings and day (about 3 CPU-seconds a test), its database,
    data directory and instance keys (the audit chain is keyed by the instance's audit_key)."""
    from server.periods import local_today
    from tests.conftest import _SESSION_DIR

    database = Path(make_url(env["JIUZHU_DATABASE_URL"]).database)
    instance = Path(env["JIUZHU_INSTANCE_DIR"])
    data = Path(env.get("JIUZHU_DATA_DIR") or instance / "data")
    key = (local_today(), tuple(sorted((k, v) for k, v in env.items()
                                      if k.startswith("JIUZHU_") and k not in _PATHS)))
    seed = _SEEDS.get(key)
    if seed is None:
        seed = Path(tempfile.mkdtemp(prefix="seed-", dir=_SESSION_DIR))
        seed_env = {**env, "JIUZHU_INSTANCE_DIR": str(seed / "instance"),
                    "JIUZHU_DATABASE_URL": f"sqlite:///{seed / 'jiuzhu.db'}",
                    "JIUZHU_HUEY_SQLITE_PATH": str(seed / "huey.db"),
                    "JIUZHU_DATA_DIR": str(seed / "data")}
        done = subprocess.run([sys.executable, "-c", SEED], env=seed_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        assert not (seed / "jiuzhu.db-wal").exists()
        _SEEDS[key] = seed
    assert not database.exists(), "_setup seeds a new instance"
    shutil.copytree(seed / "instance", instance, dirs_exist_ok=True)
    shutil.copyfile(seed / "jiuzhu.db", database)
    shutil.copytree(seed / "data", data, dirs_exist_ok=True)


def _worker(env, tmp_path, name: str, **extra) -> subprocess.Popen:
    with open(tmp_path / f"{name}.log", "w") as log:  # the child keeps its own descriptor
        return subprocess.Popen([str(JIUZHU), "worker", "--workers", "1", "--max-delay", "0.2"],
                                env={**env, **extra}, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)


def _job(env, job_id: int) -> dict:
    engine = create_engine(env["JIUZHU_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT status, progress, error, result FROM archive_job "
                                    "WHERE id = :id"), {"id": job_id}).one()
    finally:
        engine.dispose()
    result = row.result if isinstance(row.result, dict) else json.loads(row.result or "{}")
    return {"status": row.status, "progress": row.progress, "error": row.error, "result": result}


def _wait(env, job_id, until, timeout=90.0, proc=None, tmp_path=None) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(env, job_id)
        if until(job):
            return job
        if proc is not None and proc.poll() is not None:
            log = (tmp_path / "worker.log").read_text() if tmp_path else ""
            raise AssertionError(f"worker exited {proc.returncode}: {log[-2000:]}")
        time.sleep(0.1)
    raise AssertionError(f"timed out; last state {job}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _verify(env, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(JIUZHU), "archive", "verify", str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_worker_process_builds_bundle(worker_env, tmp_path):
    [job_id] = _setup(worker_env)
    proc = _worker(worker_env, tmp_path, "worker")
    try:
        job = _wait(worker_env, job_id, lambda j: j["status"] in ("done", "failed"),
                    proc=proc, tmp_path=tmp_path)
    finally:
        _stop(proc)
    assert job["status"] == "done", job["error"]
    folder = Path(worker_env["JIUZHU_DATA_DIR"]) / job["result"]["dir"]
    assert {p.name for p in folder.iterdir()} == {"manifest.json", "county.zip", "township.zip"}
    checked = _verify(worker_env, folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_killed_worker_leaves_no_partial_bundle_and_restart_completes(worker_env, tmp_path):
    [job_id] = _setup(worker_env)
    data = Path(worker_env["JIUZHU_DATA_DIR"])
    tmp_root = data / "archives" / ".tmp"
    bundles = data / "archives" / "bundles"
    proc = _worker(worker_env, tmp_path, "worker", JIUZHU_TEST_BUNDLE_DELAY="0.4")
    try:
        # wait until the build has written part of the first copy into its temporary folder
        _wait(worker_env, job_id, lambda j: j["status"] == "running" and any(
            tmp_root.glob("*/county.zip")), proc=proc, tmp_path=tmp_path)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _job(worker_env, job_id)["status"] == "running"  # nobody finished it
    assert not bundles.exists() or not any(bundles.iterdir()), "a partial bundle is visible"
    assert any(tmp_root.iterdir())  # the half-built copy is only in the hidden temp folder

    restarted = _worker(worker_env, tmp_path, "worker2")
    try:
        job = _wait(worker_env, job_id, lambda j: j["status"] in ("done", "failed"),
                    proc=restarted, tmp_path=tmp_path)
    finally:
        _stop(restarted)
    assert job["status"] == "done", job["error"]
    folder = data / job["result"]["dir"]
    checked = _verify(worker_env, folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not any(tmp_root.iterdir())  # the stale temp folder was cleaned up


def _rows(env, sql: str) -> list:
    engine = create_engine(env["JIUZHU_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


def test_two_workers_share_a_batch_and_build_each_bundle_once(worker_env, tmp_path):
    """Two `jiuzhu worker` processes on one queue: both take work, no bundle is built twice."""
    job_ids = _setup(worker_env, cases=6)
    slow = {"JIUZHU_TEST_BUNDLE_DELAY": "0.1"}  # long enough that one worker cannot take all
    procs = [_worker(worker_env, tmp_path, f"worker{i}", **slow) for i in (1, 2)]
    try:
        for job_id in job_ids:
            _wait(worker_env, job_id, lambda j: j["status"] in ("done", "failed"), proc=procs[0])
    finally:
        for proc in procs:
            _stop(proc)
    ids = ", ".join(map(str, job_ids))
    jobs = _rows(worker_env, f"SELECT id, status, error, attempts, worker FROM archive_job "
                             f"WHERE id IN ({ids})")
    assert [(j.status, j.error) for j in jobs] == [("done", "")] * len(job_ids)
    assert [j.attempts for j in jobs] == [1] * len(job_ids)  # nobody started one twice
    pids = {str(p.pid) for p in procs}
    assert {j.worker.rpartition(":")[2] for j in jobs} == pids  # both workers took a share
    built = _rows(worker_env, "SELECT object_id, count(*) AS n FROM audit_event "
                              "WHERE action = 'archive.bundle' GROUP BY object_id")
    assert sorted((int(b.object_id), b.n) for b in built) == [(i, 1) for i in sorted(job_ids)]
    numbers = [r.archive_number for r in _rows(
        worker_env, "SELECT archive_number FROM \"case\" WHERE case_number LIKE 'E2E-%'")]
    assert len(set(numbers)) == len(job_ids) and None not in numbers
    bundles = Path(worker_env["JIUZHU_DATA_DIR"]) / "archives" / "bundles"
    assert len(list(bundles.iterdir())) == len(job_ids)


# Queues a print pack for a demo 低保 case (the demo county SETUP loaded). Prints the job id.
PRINT = r"""
from server import create_app
from server.db import db

app = create_app()
with app.app_context():
    from server.cases.models import Case
    from server.demo import demo_user
    from server.documents import operations
    from server.documents.tasks import build_print_pack
    from server.regions.queries import scoped
    from server.relief import ReliefCode

    clerk = demo_user("clerk")
    case = db.session.scalars(scoped(Case, clerk).where(Case.relief_type == ReliefCode.DB)
                              .order_by(Case.id)).first()
    job = operations.create_print_job(case, "acceptance", clerk)
    db.session.commit()
    build_print_pack(job.id)
    print(job.id)
"""


def _print_job(env, job_id: int):
    [row] = _rows(env, f"SELECT status, progress, error FROM print_job WHERE id = {job_id}")
    return row


def test_print_pack_of_a_killed_worker_is_failed_in_chinese_when_a_worker_starts(
        worker_env, tmp_path):
    """The worker dies while LibreOffice hangs; the next worker tells the clerk to start again
    instead of leaving the pack "running" forever."""
    _setup(worker_env)
    pids = tmp_path / "soffice.pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\necho $$ >> {pids}\nexec sleep 60\n")
    fake.chmod(0o755)
    env = {**worker_env, "JIUZHU_SOFFICE": str(fake), "JIUZHU_SOFFICE_TIMEOUT": "60"}
    done = subprocess.run([sys.executable, "-c", PRINT], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    job_id = int(done.stdout.strip().splitlines()[-1])
    proc = _worker(env, tmp_path, "worker")
    try:
        deadline = time.monotonic() + 90
        while not (pids.exists() and _print_job(env, job_id).status == "running"):
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for pid in pids.read_text().split() if pids.exists() else ():
            try:
                os.kill(int(pid), signal.SIGKILL)  # the hung converter we started
            except ProcessLookupError:
                pass
    assert _print_job(env, job_id).status == "running"  # what the clerk saw before the fix
    restarted = _worker(env, tmp_path, "worker2")
    try:
        deadline = time.monotonic() + 60
        while _print_job(env, job_id).status == "running":
            assert restarted.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        _stop(restarted)
    job = _print_job(env, job_id)
    assert job.status == "failed" and "后台服务" in job.error and "重新生成" in job.error


# Queues one more bundle job for the case SETUP made. Prints the job id.
ENQUEUE = r"""
from sqlalchemy import select
from server import create_app
from server.db import db

app = create_app()
with app.app_context():
    from server.archives import operations, tasks
    from server.cases.models import Case

    case = db.session.scalars(select(Case).where(Case.case_number == "E2E-0001")).one()
    job = operations.create_job(region_id=case.region_id, case=case)
    db.session.commit()
    tasks.enqueue(job)
    print(job.id)
"""


def test_worker_command_polls_at_least_every_second(app):
    """`jiuzhu worker` defaults: Huey's idle back-off is capped at one second, not ten."""
    from server.cli import worker
    from server.worker import make_consumer

    defaults = {p.name: p.default for p in worker.params}
    consumer = make_consumer(defaults["workers"], defaults["max_delay"])
    assert consumer.max_delay == 1.0 and consumer.default_delay == 0.1
    assert consumer.periodic  # reminders run in the same process


def test_idle_worker_picks_up_new_work_within_two_seconds(worker_env, tmp_path):
    """A real `jiuzhu worker` (defaults), idle for a while, starts a newly queued job fast."""
    [first] = _setup(worker_env)
    proc = subprocess.Popen([str(JIUZHU), "worker"], env=worker_env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(worker_env, first, lambda j: j["status"] == "done", proc=proc)
        time.sleep(6)  # idle long enough for Huey's polling back-off to reach its ceiling
        done = subprocess.run([sys.executable, "-c", ENQUEUE], env=worker_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        queued_at = time.monotonic()
        job_id = int(done.stdout.strip().splitlines()[-1])
        _wait(worker_env, job_id, lambda j: j["status"] != "queued", timeout=10, proc=proc)
        assert time.monotonic() - queued_at < 2.0
    finally:
        _stop(proc)
