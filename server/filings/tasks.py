"""Huey tasks: build a township's monthly filing, build a whole county's month, and the daily
reminder run. Failures land on the filing row (``build_error``, a Chinese message without
paths; the technical error is logged), shown on its page."""
from __future__ import annotations

import logging
from datetime import date

from huey import crontab
from sqlalchemy import select

from ..db import db
from ..extensions import app_periodic_task, app_task
from ..jobs import Recovery, is_transient, register_recovery, stored_error
from ..periods import local_today
from ..regions.models import Region
from .models import Filing
from .operations import build, build_county
from .reminders import due_reminders

log = logging.getLogger(__name__)


@app_task(retries=3, retry_delay=5, retry_backoff=2, context=True)
def build_filing(filing_id: int, task=None) -> None:
    """Compute and write one township's table and roster."""
    filing = db.session.get(Filing, filing_id)
    if filing is None:
        return
    filing.build_status, filing.build_error = "running", ""
    db.session.commit()
    try:
        build(filing)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        filing = db.session.get(Filing, filing_id)
        transient = is_transient(exc)
        retrying = transient and getattr(task, "retries", 0) > 0
        filing.build_status = "retrying" if retrying else "failed"
        filing.build_error = stored_error(exc)[:4000]  # for the clerk; the details are logged
        db.session.commit()
        log.error("filing %s failed: %s: %s", filing_id, type(exc).__name__, exc,
                  exc_info=not transient)
        if transient:
            raise


def enqueue_build(filing_id: int) -> None:
    """Queue a prepared (committed) build; a queue that fails (read-only or full data dir)
    fails the filing with a Chinese message on its row instead of a server error."""
    try:
        build_filing(filing_id)
    except Exception as exc:  # noqa: BLE001 - the queue failed
        log.error("could not queue filing %s: %s: %s", filing_id, type(exc).__name__, exc)
        db.session.rollback()
        filing = db.session.get(Filing, filing_id)
        filing.build_status, filing.build_error = "failed", stored_error(exc)
        db.session.commit()


def _unfinished_filings():
    return db.session.scalars(select(Filing.id).where(
        Filing.build_status.in_(("queued", "running", "retrying"))))


def _requeue_filing(filing_id: int) -> None:
    """A build a dead worker left: building is idempotent, so it simply runs again."""
    filing = db.session.get(Filing, filing_id)
    filing.build_status, filing.build_error = "queued", ""
    db.session.commit()
    build_filing(filing_id)


register_recovery(Recovery(build_filing, _unfinished_filings, _requeue_filing))


@app_task(retries=2, retry_delay=10, retry_backoff=2)
def build_county_month(county_id: int, month: str) -> dict:
    """Every township's filing of a month plus the county consolidation."""
    county = db.session.get(Region, county_id)
    result = build_county(county, date.fromisoformat(month))
    db.session.commit()
    return result


@app_periodic_task(crontab(hour="0", minute="5"))  # 08:05 China time (Huey schedules in UTC)
def daily_reminders() -> None:
    """Reminders before the adjustment and filing days; flags late filings."""
    added = due_reminders(local_today())
    db.session.commit()
    log.info("filing reminders added: %s", added)
