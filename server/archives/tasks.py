"""Huey tasks: bundle one case, bundle a township's decisions of a month.

Each task takes an ArchiveJob id and writes its progress and errors to that row, which the
UI polls. Transient errors (converter, database busy, file system hiccup) are retried with
backoff; a full or read-only data directory and anything else fail the job at once. The job
shows the user a message stored in Chinese and read back in the reader's language
(``jobs.stored_error``: no path, no class name); the technical error goes to the log. A worker that starts re-queues the jobs a dead worker left
(``server/jobs.py``).
"""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..audit.operations import record
from ..db import db
from ..extensions import app_task
from ..faults import UserFacing, is_storage_fault, user_message
from ..jobs import Recovery, register_recovery, stored, stored_error, stored_messages
from . import bundle
from .models import ArchiveJob, JobStatus
from .operations import (
    assign_archive_number,
    ensure_documents,
    fail_job,
    finish_job,
    set_progress,
    start_job,
)
from .sources import TransientError

log = logging.getLogger(__name__)
RETRIES = 3
TRANSIENT = (TransientError, OperationalError, OSError)
# what a job row says when done or failed: stored in Chinese, read back in the reader's language
BUNDLED = _l("Archive %(number)s made (both copies)")
BATCHED = _l("%(count)s files archived")
NOTHING_DECIDED = _l("No case was decided this month; nothing was archived")
BATCH_STOPPED = _l("%(count)s files archived; %(reason)s")
BATCH_FAILED = _l("%(count)s files archived, %(failed)s failed: %(reasons)s")
stored_messages(BUNDLED, BATCHED, NOTHING_DECIDED, BATCH_STOPPED, BATCH_FAILED)


def _commit_progress(job: ArchiveJob):
    def progress(percent: int, message: str) -> None:
        set_progress(job, percent, message)
        db.session.commit()

    return progress


def _run(job_id: int, task, work) -> None:
    """Run ``work(job)`` for the job, recording start, success or failure on its row."""
    job = db.session.get(ArchiveJob, job_id)
    if job is None or job.status == JobStatus.done:
        return
    start_job(job)
    db.session.commit()
    try:
        result = work(job)
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(ArchiveJob, job_id)
        transient = isinstance(exc, TRANSIENT) and not is_storage_fault(exc)
        retries_left = getattr(task, "retries", 0) if task is not None else 0
        fail_job(job, stored_error(exc),
                 will_retry=transient and retries_left > 0)
        db.session.commit()
        log.error("archive job %s failed: %s: %s", job_id, type(exc).__name__, exc,
                  exc_info=not transient)
        if transient:
            raise  # Huey retries with backoff
        return
    if result.get("message"):
        job.message = result["message"][:200]
    finish_job(job, result)
    record("archive.bundle", job, details={"result": result.get("archive_number", "")},
           actor_name="system")
    db.session.commit()


def _bundle_one(case, progress) -> dict:
    assign_archive_number(case)
    ensure_documents(case)
    db.session.commit()
    return bundle.build(case, progress)


@app_task(retries=RETRIES, retry_delay=5, retry_backoff=2, context=True)
def bundle_case(job_id: int, task=None) -> None:
    """Build both copies of one case's bundle."""
    _run(job_id, task, _bundle_case)


def _bundle_case(job: ArchiveJob) -> dict:
    result = _bundle_one(job.case, _commit_progress(job))
    return {**result, "message": stored(BUNDLED, number=result["archive_number"])}


def _bundle_batch(job: ArchiveJob) -> dict:
    from .queries import cases_decided_in

    cases = cases_decided_in(job.region, job.month)
    progress = _commit_progress(job)
    done, failed = [], {}
    for i, case in enumerate(cases):
        try:
            done.append(_bundle_one(case, lambda p, m: None)["archive_number"])
        except TRANSIENT as exc:
            if not is_storage_fault(exc):
                raise
            raise BatchFailed(stored(BATCH_STOPPED, count=len(done),
                                     reason=stored_error(exc))) from exc
        except Exception as exc:  # one broken case must not stop the month's batch
            db.session.rollback()
            log.warning("bundle of %s failed: %s: %s", case.case_number, type(exc).__name__, exc)
            failed[case.case_number] = stored_error(exc)
        progress(int(100 * (i + 1) / max(1, len(cases))), f"{i + 1}/{len(cases)}")
    if failed:
        raise BatchFailed(stored(BATCH_FAILED, count=len(done), failed=len(failed),
                                 reasons="；".join(f"{k}：{v}" for k, v in failed.items())))
    message = stored(BATCHED, count=len(done)) if done else stored(NOTHING_DECIDED)
    return {"bundled": done, "count": len(done), "message": message}


class BatchFailed(UserFacing):
    """A batch that bundled some cases and not others; the text is the user's message."""


@app_task(retries=RETRIES, retry_delay=5, retry_backoff=2, context=True)
def bundle_month(job_id: int, task=None) -> None:
    """Bundle every case decided in the job's township during the job's month."""
    _run(job_id, task, _bundle_batch)


TASKS = {"case": bundle_case, "batch": bundle_month}


def enqueue(job: ArchiveJob) -> None:
    """Queue the task for a committed job row."""
    TASKS[job.kind](job.id)


def enqueue_or_fail(job: ArchiveJob) -> str | None:
    """Queue the job; when the queue itself fails (read-only or full data directory), mark
    the job failed and return the Chinese message for the page instead of a 500."""
    job_id = job.id
    try:
        enqueue(job)
    except Exception as exc:  # noqa: BLE001 - whatever the queue raised, the user gets a message
        log.error("could not queue archive job %s: %s: %s", job_id, type(exc).__name__, exc)
        db.session.rollback()
        fail_job(db.session.get(ArchiveJob, job_id), stored_error(exc), will_retry=False)
        db.session.commit()
        return user_message(exc)  # the page's flash: in the reader's language
    return None


# -- recovery after a killed worker ----------------------------------------------------------

def _unfinished(kind: str):
    """The ids of a kind's unfinished jobs (each kind has its own task and queue messages)."""
    return lambda: db.session.scalars(select(ArchiveJob.id).where(
        ArchiveJob.kind == kind,
        ArchiveJob.status.in_((JobStatus.queued, JobStatus.running, JobStatus.retrying))))


def _requeue(job_id: int) -> None:
    """A bundle a dead worker left half-built: queue it again (the build starts from scratch
    and clears the stale temporary folder; nothing half-built is ever published)."""
    job = db.session.get(ArchiveJob, job_id)
    job.status, job.message = JobStatus.queued, "requeued after an interrupted worker"
    db.session.commit()
    enqueue(job)


for _kind, _task in TASKS.items():
    register_recovery(Recovery(_task, _unfinished(_kind), _requeue))
