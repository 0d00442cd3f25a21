"""Huey tasks: bundle one case, bundle a township's decisions of a month.

Each task takes an ArchiveJob id and writes its progress and errors to that row, which the
UI polls. Transient errors (converter, database busy, file system) are retried with backoff;
anything else fails the job at once. Errors are worded for the clerk (server/jobs.py); the
details go to the log. A worker that starts re-queues the jobs a dead worker left.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..audit.operations import record
from ..db import db
from ..extensions import app_task
from ..jobs import Recovery, describe_error, register_recovery
from . import bundle
from .models import ArchiveJob, JobStatus
from .operations import (
    assign_archive_number,
    fail_job,
    finish_job,
    set_progress,
    start_job,
)
from .sources import TransientError

log = logging.getLogger(__name__)
RETRIES = 3
TRANSIENT = (TransientError, OperationalError, OSError)


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
        transient = isinstance(exc, TRANSIENT)
        retries_left = getattr(task, "retries", 0) if task is not None else 0
        fail_job(job, describe_error(exc), will_retry=transient and retries_left > 0)
        log.warning("archive job %s failed: %r", job_id, exc)
        db.session.commit()
        if transient:
            raise  # Huey retries with backoff
        log.exception("archive job %s failed", job_id)
        return
    finish_job(job, result)
    record("archive.bundle", job, details={"result": result.get("archive_number", "")},
           actor_name="system")
    db.session.commit()


def _bundle_one(case, progress) -> dict:
    assign_archive_number(case)
    db.session.commit()
    return bundle.build(case, progress)


@app_task(retries=RETRIES, retry_delay=5, retry_backoff=2, context=True)
def bundle_case(job_id: int, task=None) -> None:
    """Build both copies of one case's bundle."""
    _run(job_id, task, lambda job: _bundle_one(job.case, _commit_progress(job)))


def _bundle_batch(job: ArchiveJob) -> dict:
    from .queries import cases_decided_in

    cases = cases_decided_in(job.region, job.month)
    progress = _commit_progress(job)
    done, failed = [], {}
    for i, case in enumerate(cases):
        try:
            done.append(_bundle_one(case, lambda p, m: None)["archive_number"])
        except TRANSIENT:
            raise
        except Exception as exc:  # one broken case must not stop the month's batch
            db.session.rollback()
            failed[case.case_number] = describe_error(exc)
            log.warning("bundle of %s failed: %r", case.case_number, exc)
        progress(int(100 * (i + 1) / max(1, len(cases))), f"{i + 1}/{len(cases)}")
    if failed:
        raise ValueError("; ".join(f"{k}: {v}" for k, v in failed.items()))
    return {"bundled": done, "count": len(done)}


@app_task(retries=RETRIES, retry_delay=5, retry_backoff=2, context=True)
def bundle_month(job_id: int, task=None) -> None:
    """Bundle every case decided in the job's township during the job's month."""
    _run(job_id, task, _bundle_batch)


TASKS = {"case": bundle_case, "batch": bundle_month}


def enqueue(job: ArchiveJob) -> None:
    """Queue the task for a committed job row."""
    TASKS[job.kind](job.id)


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
