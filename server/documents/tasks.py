"""Huey tasks of the documents room: print packs built in the background with progress."""
from __future__ import annotations

import logging

from sqlalchemy import select

from ..db import db
from ..extensions import app_task
from ..jobs import (
    INTERRUPTED,
    Recovery,
    is_transient,
    register_recovery,
    stored,
    stored_error,
)

log = logging.getLogger(__name__)


@app_task(retries=3, retry_delay=5, retry_backoff=2, context=True)
def build_print_pack(job_id: int, task=None) -> None:
    """Build a print job's merged PDF (or docx zip); the job row carries progress and errors.

    A locked database or a busy disk is retried; anything else fails the job with a message
    the clerk can read (never a server path).
    """
    from .models import PrintJob
    from .operations import fail_print_job, run_print_job

    job = db.session.get(PrintJob, job_id)
    if job is None or job.is_finished:
        return
    try:
        run_print_job(job)
    except Exception as exc:  # noqa: BLE001 - the page must show the failure, not spin forever
        db.session.rollback()
        job = db.session.get(PrintJob, job_id)
        retrying = is_transient(exc) and getattr(task, "retries", 0) > 0
        if retrying:
            job.status, job.error = "retrying", stored_error(exc)
        else:
            fail_print_job(job, stored_error(exc))
        db.session.commit()
        log.warning("print job %s failed: %r", job_id, exc)
        if retrying:
            raise
        return
    db.session.commit()


def _unfinished_print_jobs():
    from .models import PrintJob

    return db.session.scalars(select(PrintJob.id).where(
        PrintJob.status.in_(("queued", "running", "retrying"))))


def _fail_interrupted(job_id: int) -> None:
    """A pack a dead worker left half-made: documents may exist already, so no rerun; the
    clerk is told to start it again."""
    from .models import PrintJob
    from .operations import fail_print_job

    fail_print_job(db.session.get(PrintJob, job_id), stored(INTERRUPTED))
    db.session.commit()


register_recovery(Recovery(build_print_pack, _unfinished_print_jobs, _fail_interrupted))
