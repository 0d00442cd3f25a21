"""Huey task: check or import one uploaded roll file (``RollImport`` job row, progress polled
by the page). A worker that starts marks the imports a dead worker left as failed: nothing of
them was written (one transaction), and running the file again adds nothing twice."""
from __future__ import annotations

import logging

from sqlalchemy import select

from ..db import db
from ..extensions import app_task
from ..faults import user_message
from ..jobs import INTERRUPTED, Recovery, register_recovery, stored
from .models import RollImport
from .operations import fail_job, run_import

log = logging.getLogger(__name__)


@app_task(context=True)
def import_roll(job_id: int, task=None) -> None:
    """Check the job's file; import it unless it is a dry run or has problems."""
    try:
        run_import(job_id)
    except Exception as exc:  # noqa: BLE001 - the job row says what went wrong, never "running"
        log.exception("roll import %s failed", job_id)
        fail_job(job_id, user_message(exc))


def enqueue_or_fail(job: RollImport) -> str | None:
    """Queue the committed job; when the queue itself fails, mark the job failed and return
    the Chinese message for the page instead of a 500."""
    job_id = job.id
    try:
        import_roll(job_id)
    except Exception as exc:  # noqa: BLE001 - whatever the queue raised, the user gets a message
        log.error("could not queue roll import %s: %s: %s", job_id, type(exc).__name__, exc)
        message = user_message(exc)
        fail_job(job_id, message)
        return message
    return None


def _unfinished():
    return db.session.scalars(select(RollImport.id).where(
        RollImport.status.in_(("queued", "running", "retrying"))))


def _interrupted(job_id: int) -> None:
    fail_job(job_id, stored(INTERRUPTED))


register_recovery(Recovery(import_roll, _unfinished, _interrupted))
