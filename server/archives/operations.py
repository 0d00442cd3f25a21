"""Writes for archives: archive numbers, settings and bundle jobs."""
from __future__ import annotations

import re
import string
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import OperationalError

from ..audit.operations import record
from ..db import db, locked_row, utcnow
from ..documents.registry import title_label
from ..faults import UserFacing
from ..i18n import in_page_language
from ..jobs import UNFINISHED, worker_identity
from ..regions.models import Region
from .models import (
    DEFAULT_PATTERN,
    ArchiveCounter,
    ArchiveJob,
    ArchiveRetention,
    ArchiveSettings,
    JobStatus,
)
from .retention import CLASSES, MAX_YEARS

PATTERN_FIELDS = {"county", "year", "type", "seq"}
CASE_NUMBER_SHAPE = re.compile(r"^\d{6}-\d{4}-[A-Z]{2}-\d{6}$")  # intake's case numbers


class ArchiveError(UserFacing):
    """A refusal with a message meant for the user; ``errors`` names the fields at fault
    (``[{"path", "message"}]``) for the API."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


def _sample(pattern: str) -> str:
    return pattern.format(county="220999", year=2026, type="DB", seq=1)


def pattern_in_force(county: Region) -> str:
    """The county's pattern; one saved before case-number-shaped patterns were refused gives
    way to the default, so no new archive number can pass for a case number."""
    pattern = settings_for(county).number_pattern
    try:
        looks_like_case = bool(CASE_NUMBER_SHAPE.match(_sample(pattern)))
    except (ValueError, KeyError, IndexError):
        looks_like_case = True
    return DEFAULT_PATTERN if looks_like_case else pattern


def validate_pattern(pattern: str) -> str:
    """The pattern must use known fields and contain {seq} (else numbers could repeat)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        sample = _sample(pattern)
    except (ValueError, KeyError, IndexError):
        raise ArchiveError(_l("The archive number pattern is not valid")) from None
    if "seq" not in names or not names <= PATTERN_FIELDS:
        raise ArchiveError(_l("The archive number pattern must contain %(seq)s and may only use "
                              "%(fields)s", seq="{seq}", fields="{county} {year} {type} {seq}"))
    if CASE_NUMBER_SHAPE.match(sample):
        raise ArchiveError(_l("The pattern makes numbers (such as %(sample)s) shaped like case "
                              "numbers, which is confusing: add a letter, such as %(example)s",
                              sample=sample, example="{county}-{year}-{type}-A{seq:06d}"))
    return pattern


def settings_for(county: Region) -> ArchiveSettings:
    row = db.session.scalars(select(ArchiveSettings).where(ArchiveSettings.county_id == county.id)).first()
    return row or ArchiveSettings(county_id=county.id, number_pattern=DEFAULT_PATTERN)


def set_pattern(county: Region, pattern: str) -> ArchiveSettings:
    row = settings_for(county)
    row.number_pattern = validate_pattern(pattern.strip())
    db.session.add(row)
    record("archive.pattern", row, details={"pattern": row.number_pattern}, region_id=county.id)
    return row


def parse_retention(values: dict) -> dict[str, int | None]:
    """The retention rules from form or JSON values (``{class: years}``; empty or "permanent"
    for permanent), every class checked: whole years within the class's floor and 100."""
    rules, errors = {}, []
    for key, doc_class in CLASSES.items():
        raw = values.get(key, "")
        raw = "" if raw is None else str(raw).strip()
        if raw in ("", "permanent"):
            rules[key] = None
            continue
        try:
            years = int(raw)
        except ValueError:
            errors.append({"path": key, "message": _("%(files)s: the retention must be whole "
                                                       "years or permanent", files=doc_class.label)})
            continue
        if not doc_class.floor <= years <= MAX_YEARS:
            errors.append({"path": key, "message": _(
                "%(files)s: the retention must be %(floor)s–%(most)s years or permanent",
                files=doc_class.label, floor=doc_class.floor, most=MAX_YEARS)})
            continue
        rules[key] = years
    if errors:
        raise ArchiveError(in_page_language("；", "; ").join(e["message"] for e in errors), errors)
    return rules


def set_retention(county: Region, values: dict) -> dict[str, int | None]:
    """Save the county's retention rule of every class (all or none), audited."""
    from .queries import retention_rules

    rules = parse_retention(values)
    before = retention_rules(county)
    rows = {row.doc_class: row for row in db.session.scalars(
        select(ArchiveRetention).where(ArchiveRetention.county_id == county.id))}
    for key, years in rules.items():
        row = rows.get(key) or ArchiveRetention(county_id=county.id, doc_class=key)
        row.years = years
        db.session.add(row)
    db.session.flush()
    record("archive.retention", None, details={"before": before, "after": rules},
           region_id=county.id)
    return rules


def _locked_counter(county_id: int, year: int, relief_type: str) -> ArchiveCounter:
    """The counter row, locked for this transaction (created on first use)."""
    return locked_row(ArchiveCounter, county_id=county_id, year=year, relief_type=relief_type)


def assign_archive_number(case, actor=None) -> str:
    """Give the case its archive number once; later calls return the same number."""
    if case.archive_number:
        return case.archive_number
    county = case.region.county
    pattern = pattern_in_force(county)
    year = (case.decided_at or utcnow()).year
    code = str(case.relief_type)
    counter = _locked_counter(county.id, year, code)
    from ..cases.models import Case

    while True:  # skip numbers already taken, as archive or as case number (older patterns)
        counter.last += 1
        number = pattern.format(county=county.code[:6], year=year, type=code, seq=counter.last)
        taken = db.session.scalar(select(Case.id).where(
            or_(Case.archive_number == number, Case.case_number == number)))
        if taken is None:
            break
    case.archive_number = number
    db.session.flush()
    record("archive.number", case, details={"archive_number": number}, actor=actor)
    return number


def ensure_documents(case, actor=None) -> list[str]:
    """Generate the procedure documents the case lacks, so its 卷内目录 is never empty;
    refuse (naming them) when some cannot be generated. Returns the kinds generated."""
    from ..documents import operations as documents
    from . import sources

    have = {source.kind for source in sources.case_documents(case)}
    made, missing = [], []
    for kind in sources.procedure_kinds(case):
        if kind in have:
            continue
        try:
            with db.session.begin_nested():
                documents.generate(kind, case, actor)
        except (OSError, OperationalError):
            raise  # the machine's fault, not the case's: the job says so
        except Exception as exc:  # noqa: BLE001 - any refusal names the document below
            missing.append(_("%(document)s (%(reason)s)", document=title_label(
                sources.kind_title(kind)), reason=_reason(exc)))
            continue
        made.append(kind)
    if missing:
        raise ArchiveError(_l("These documents of the procedure are not generated yet, so the "
                              "file cannot be archived: %(documents)s. Generate them on the "
                              "case page first.",
                              documents=in_page_language("；", "; ").join(missing)))
    return made


def _reason(exc: Exception) -> str:
    from ..faults import user_message

    return user_message(exc).rstrip("。")


def create_job(*, region_id: int, actor=None, case=None, month: date | None = None) -> ArchiveJob:
    """A queued bundle job; refused while the same case's (or township-month's) job runs, so a
    double click builds once."""
    same = (ArchiveJob.case_id == case.id) if case is not None else (
        (ArchiveJob.region_id == region_id) & (ArchiveJob.month == month)
        & ArchiveJob.case_id.is_(None))
    if db.session.scalars(select(ArchiveJob.id).where(
            same, ArchiveJob.status.in_([JobStatus(s) for s in UNFINISHED]))).first():
        raise ArchiveError(_l("This file is being archived; wait until it is done before making "
                              "it again"))
    job = ArchiveJob(kind="case" if case is not None else "batch", region_id=region_id,
                     case_id=case.id if case is not None else None, month=month,
                     created_by_id=actor.id if actor is not None else None)
    db.session.add(job)
    db.session.flush()
    record("archive.job", job, details={"case_id": job.case_id, "month": str(month or "")},
           actor=actor)
    return job


def start_job(job: ArchiveJob) -> None:
    now = utcnow()
    job.status = JobStatus.running
    job.attempts += 1
    job.error = ""
    job.started_at = job.started_at or now
    job.heartbeat_at = now
    job.worker = worker_identity()


def set_progress(job: ArchiveJob, progress: int, message: str = "") -> None:
    job.progress = max(0, min(100, int(progress)))
    job.message = message[:200]
    job.heartbeat_at = utcnow()


def finish_job(job: ArchiveJob, result: dict) -> None:
    job.status = JobStatus.done
    job.progress = 100
    job.result = result
    job.error = ""
    job.finished_at = utcnow()


def fail_job(job: ArchiveJob, error: str, *, will_retry: bool) -> None:
    job.status = JobStatus.retrying if will_retry else JobStatus.failed
    job.error = error[:4000]
    if not will_retry:
        job.finished_at = utcnow()
