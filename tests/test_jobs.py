"""Background jobs after faults: a dead worker's jobs are retried or failed in Chinese when a
worker starts; a locked database is waited for, then retried; no job error shows a class
name or a server path."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from server import jobs
from server.db import db
from server.documents.models import PrintJob
from server.documents.tasks import build_print_pack
from server.extensions import huey
from server.faults import user_message
from server.filings import tasks as filing_tasks
from server.filings.models import Filing
from server.filings.operations import filing_for

from .conftest import region

MONTH = date(2026, 3, 1)


@pytest.fixture
def dead_pid():
    """The pid of a process that has exited (the killed worker)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _lease(task, job_id: int, pid: int) -> None:
    import socket

    huey.storage.put_data(f"{jobs.LEASE}{task.task_class.__name__}:{job_id}",
                          f"{socket.gethostname()}:{pid}".encode())


def _filing(status: str) -> Filing:
    filing = filing_for(region("220999101000"), MONTH)
    filing.build_status = status
    db.session.commit()
    return filing


def _print_job(status: str) -> PrintJob:
    job = PrintJob(region_id=region("220999101000").id, step="accept", kinds=[],
                   status=status, progress=40, message="正在生成文书")
    db.session.add(job)
    db.session.commit()
    return job


@pytest.mark.parametrize("holder", ["dead", "same pid"])  # same pid: a restarted container
def test_filing_left_running_by_a_dead_worker_is_built_on_worker_start(demo, dead_pid, holder):
    import os

    filing = _filing("running")
    _lease(filing_tasks.build_filing, filing.id, dead_pid if holder == "dead" else os.getpid())
    repaired = jobs.recover()
    assert repaired == {"build_filing": [filing.id]}
    db.session.expire_all()
    assert (filing.build_status, filing.build_error) == ("done", "")
    assert filing.built_at is not None


def test_print_job_left_running_is_marked_failed_with_a_chinese_message(demo, dead_pid):
    running, queued = _print_job("running"), _print_job("queued")  # queued: nothing in queue
    _lease(build_print_pack, running.id, dead_pid)
    jobs.recover()
    db.session.expire_all()
    for job in (running, queued):
        assert job.status == "failed" and job.finished_at is not None
        assert "后台" in job.error and "重新" in job.error


def test_jobs_held_by_a_live_worker_or_waiting_in_the_queue_are_left_alone(demo):
    import os

    held, filing = _print_job("running"), _filing("queued")
    huey.immediate = False  # really queue the task (the session's SQLite Huey file)
    try:
        huey.flush()
        _lease(build_print_pack, held.id, os.getppid())  # a live process on this host
        filing_tasks.build_filing(filing.id)
        assert jobs.recover() == {}
    finally:
        huey.flush()
        huey.immediate = True
    db.session.expire_all()
    assert held.status == "running" and filing.build_status == "queued"


def _hold_lock(db_url: str, seconds: float, locked: threading.Event) -> None:
    if db_url.startswith("sqlite"):  # the driver itself: the app's engines begin their own way
        import sqlite3

        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        conn.rollback()
        conn.close()
        return
    engine = create_engine(db_url)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("LOCK TABLE filing IN ACCESS EXCLUSIVE MODE"))
        locked.set()
        time.sleep(seconds)
        conn.rollback()
    engine.dispose()


def test_a_briefly_locked_database_is_waited_for(demo, db_url):
    filing = _filing("queued")
    locked = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(db_url, 1.0, locked))
    holder.start()
    try:
        assert locked.wait(10)
        filing_tasks.build_filing(filing.id)
    finally:
        holder.join()
    db.session.expire_all()
    assert (filing.build_status, filing.build_error) == ("done", "")


def _locked(*args, **kwargs):
    import sqlite3

    raise OperationalError("UPDATE filing SET x=1 WHERE id = ?", (1,),
                           sqlite3.OperationalError("database is locked"))


@pytest.mark.parametrize("build", ["filing", "print"])
def test_a_database_locked_too_long_is_retried_with_a_chinese_message(demo, monkeypatch, build):
    if build == "filing":
        monkeypatch.setattr(filing_tasks, "build", _locked)
        row = _filing("queued")
        filing_tasks.build_filing(row.id)
        db.session.expire_all()
        status, error = row.build_status, row.build_error
    else:
        from server.documents import operations

        monkeypatch.setattr(operations, "run_print_job", _locked)
        row = _print_job("queued")
        build_print_pack(row.id)
        db.session.expire_all()
        status, error = row.status, row.error
    assert status == "retrying"
    assert "数据库繁忙" in error and "自动" in error
    assert "OperationalError" not in error and "UPDATE" not in error


def test_errors_never_show_paths_or_class_names(app):
    disk = user_message(OSError(28, "No space left on device", "/srv/jiuzhu/data/x.zip"))
    assert "/srv" not in disk and "OSError" not in disk and "磁盘" in disk
    internal = user_message(KeyError("members"))
    assert "KeyError" not in internal and "members" not in internal and "错误" in internal
    assert user_message(ValueError("该环节没有需要打印的文书")) == "该环节没有需要打印的文书"


def test_job_pages_show_status_and_progress_in_chinese(login):
    from server.archives.models import ArchiveJob, JobStatus

    clerk = login("clerk")
    job = _print_job("running")
    page = clerk.get(f"/documents/jobs/{job.id}").get_data(as_text=True)
    assert "data-progress-status>进行中" in page and ">running<" not in page
    assert clerk.get(f"/documents/jobs/{job.id}/status").json["status_label"] == "进行中"
    bundle = ArchiveJob(kind="case", region_id=job.region_id, status=JobStatus.running,
                        message="converting cover and inventory")
    db.session.add(bundle)
    db.session.commit()
    polled = clerk.get(f"/archives/jobs/{bundle.id}").json
    assert (polled["status_label"], polled["message"]) == ("进行中", "正在将封面和卷内目录转换为 PDF")
    bundle.message = "县级档案 written"
    db.session.commit()
    assert clerk.get(f"/archives/jobs/{bundle.id}").json["message"] == "县级档案已写入"
    filing = _filing("retrying")
    page = clerk.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "失败，将自动重试" in page and "retrying" not in page


def test_stored_progress_is_chinese_and_read_back_in_the_readers_language(app):
    """A job stores its progress in the office's language; an English page shows it in
    English (values read back), a message no room registered as it is (issue 15 point 2)."""
    from flask_babel import force_locale

    from server.documents.operations import GENERATED_ONE, PACKED_PDF
    from server.roll.operations import IMPORTED, IMPORTED_SKIPPING

    with app.test_request_context():
        with force_locale("en"):  # stored from an English request: still Chinese
            imported = jobs.stored(IMPORTED_SKIPPING, added=12, skipped=3)
            packed = jobs.stored(PACKED_PDF, count=4)
        assert imported == "已导入 12 户，3 户此前已导入（跳过）"
        assert packed == "已生成 4 份文书，打印包为PDF"
        assert jobs.progress_label(imported) == imported
        with force_locale("en"):
            assert jobs.progress_label(imported) == \
                "Imported 12 households, 3 were imported before (skipped)"
            assert jobs.progress_label(jobs.stored(IMPORTED, added=5)) == "Imported 5 households"
            assert jobs.progress_label(packed) == \
                "4 documents generated; the print pack is a PDF"
            assert jobs.progress_label(jobs.stored(GENERATED_ONE, document="受理回执")) == \
                "Generated: Acceptance slip"
            assert jobs.progress_label(jobs.stored(jobs.INTERRUPTED)) == str(jobs.INTERRUPTED)
            assert jobs.progress_label("已生成报表和花名册：12 户") == "已生成报表和花名册：12 户"
