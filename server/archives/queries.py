"""Reads for archives, always through the region scope."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..cases.models import Case
from ..db import db
from ..extensions import data_dir
from ..filings.periods import utc_bounds
from ..jobs import progress_label, status_label  # noqa: F401 - one wording for all jobs
from ..regions.models import Region
from ..regions.queries import scoped
from .bundle import COPY_BY_KEY, bundle_dir
from .models import ArchiveJob

NUMBER_KINDS = {"archive_number": _l("archive number"), "case_number": _l("case number")}


def case_by_number(number: str, user=None) -> tuple[Case | None, str | None]:
    """The case in the user's region with this archive number or, failing that, this case
    number, and which of the two matched (``archive_number`` / ``case_number``)."""
    number = (number or "").strip()
    if not number:
        return None, None
    for kind in NUMBER_KINDS:
        case = db.session.scalars(scoped(Case, user).where(getattr(Case, kind) == number)).first()
        if case is not None:
            return case, kind
    return None, None


def cases_decided_in(township: Region, month: date) -> list[Case]:
    """Every case of the township decided during the (local) month, in decision order."""
    start, end = utc_bounds(month)
    area = select(Region.id).where(Region.code.startswith(township.prefix, autoescape=True))
    return list(db.session.scalars(
        select(Case).where(Case.region_id.in_(area), Case.decided_at >= start,
                           Case.decided_at < end).order_by(Case.decided_at, Case.id)))


def recent_jobs(user=None, limit: int = 50) -> list[ArchiveJob]:
    return list(db.session.scalars(scoped(ArchiveJob, user)
                                   .order_by(ArchiveJob.id.desc()).limit(limit)))


def latest_job(case: Case) -> ArchiveJob | None:
    return db.session.scalars(select(ArchiveJob).where(ArchiveJob.case_id == case.id)
                              .order_by(ArchiveJob.id.desc()).limit(1)).first()


def bundle_file(case: Case, copy: str, fmt: str) -> Path | None:
    """The finished bundle's ZIP or merged PDF of one copy, if it exists."""
    if not case.archive_number or copy not in COPY_BY_KEY or fmt not in ("zip", "pdf"):
        return None
    path = bundle_dir(case.archive_number) / f"{copy}.{fmt}"
    try:
        return path if path.is_file() and data_dir().resolve() in path.resolve().parents else None
    except OSError:  # an unreadable data directory: nothing to offer, not an error page
        return None


def job_json(job: ArchiveJob) -> dict:
    """What the progress poller reads."""
    return {"id": job.id, "status": job.status.value, "status_label": status_label(job.status), "progress": job.progress,
            "message": progress_label(job.message), "error": job.error, "attempts": job.attempts,
            "is_finished": job.is_finished, "result": job.result or {}}
