"""Huey tasks of the documents room: print packs built in the background with progress."""
from __future__ import annotations

from ..db import db
from ..extensions import app_task


@app_task()
def build_print_pack(job_id: int) -> None:
    """Build a print job's merged PDF (or docx zip); the job row carries progress and errors."""
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
        fail_print_job(job, f"生成失败：{exc}")
    db.session.commit()
