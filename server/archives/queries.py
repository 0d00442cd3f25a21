"""Reads for archives, always through the region scope."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from ..cases.models import Case
from ..db import db
from ..extensions import data_dir
from ..filings.periods import utc_bounds
from ..jobs import progress_label, status_json, status_label  # noqa: F401 - one wording for all jobs
from ..periods import as_date, local_today, month_of, to_utc
from ..regions.models import Region
from ..regions.queries import scoped
from .bundle import COPY_BY_KEY, bundle_dir
from .models import ArchiveJob, ArchiveRetention
from .retention import CASE_CLASS, CLASSES, add_years, cover_label, expires_on

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
    return {"id": job.id, **status_json(job.status, job.progress, job.message, job.error),
            "attempts": job.attempts, "result": job.result or {}}


# -- retention --------------------------------------------------------------------------------

def retention_rules(county: Region) -> dict[str, int | None]:
    """Years kept per class for the county (None: permanent); the defaults until it saves."""
    saved = {row.doc_class: row.years for row in db.session.scalars(
        select(ArchiveRetention).where(ArchiveRetention.county_id == county.id))}
    return {key: saved[key] if key in saved else doc_class.default
            for key, doc_class in CLASSES.items()}


def case_retention(case: Case) -> str:
    """The cover's 保管期限 of a case's file under its county's rule."""
    years = retention_rules(case.region.county)[CASE_CLASS]
    return cover_label(CLASSES[CASE_CLASS], years, expires_on(case, years))


def expired_cases(user=None, today: date | None = None, limit: int = 200) -> list[Case]:
    """Archived cases of the user's region whose file's retention has run out (assistance
    stopped, or refused, more than the county's years ago), oldest stop first."""
    from flask_login import current_user

    user = user or current_user
    years = retention_rules(user.region.county)[CASE_CLASS]
    if years is None:
        return []
    cutoff = add_years(today or local_today(), -years)
    # stopped on the last day of payment_end_month: before the cutoff iff that month is before
    # the cutoff's month; a refusal stops on its decision day
    stopped_before = or_(Case.payment_end_month < month_of(cutoff),
                         and_(Case.payment_end_month.is_(None), Case.decision == "refuse",
                              Case.decided_at < to_utc(datetime.combine(cutoff, time()))))
    return list(db.session.scalars(
        scoped(Case, user).where(Case.archive_number.is_not(None), stopped_before)
        .order_by(Case.payment_end_month, Case.decided_at, Case.id).limit(limit)))


def expired_reports(user=None, today: date | None = None, limit: int = 200) -> list:
    """Monthly filings of the user's region whose retention (counted from submission) has
    run out, oldest first; none while the county keeps monthly reports permanently."""
    from flask_login import current_user

    from ..filings.models import Filing

    user = user or current_user
    years = retention_rules(user.region.county)["monthly_report"]
    if years is None:
        return []
    cutoff = to_utc(datetime.combine(add_years(today or local_today(), -years), time()))
    return list(db.session.scalars(
        scoped(Filing, user).where(Filing.submitted_at.is_not(None), Filing.submitted_at < cutoff)
        .order_by(Filing.month, Filing.id).limit(limit)))


def report_retention(filing) -> str:
    """The period of a monthly filing under its county's rule, with its end date."""
    doc_class = CLASSES["monthly_report"]
    years = retention_rules(filing.region.county)[doc_class.key]
    submitted = as_date(filing.submitted_at)
    until = add_years(submitted, years) if submitted and years is not None else None
    return cover_label(doc_class, years, until)


def archived_cases(user=None, limit: int = 200) -> list[Case]:
    """The newest archived cases of the user's region (the archive list without a filter)."""
    return list(db.session.scalars(scoped(Case, user).where(Case.archive_number.is_not(None))
                                   .order_by(Case.id.desc()).limit(limit)))
