"""Roll writes: an uploaded file kept and queued as a job, the import itself (all or nothing,
bulk inserts), the county's export column mappings, and the audit of exports.

Nothing here commits except ``run_import``, which is a task's unit of work: its progress
steps are committed before the import's one transaction begins, and that transaction holds
every case, member and event of the file, or none of them.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, text

from ..audit.operations import record
from ..cases.models import Case, CaseEvent, Member
from ..db import db, utcnow
from ..extensions import data_dir
from ..faults import atomic_write, user_message
from ..idnumber import birth_date, sex
from ..intake.operations import reserve_case_numbers
from ..jobs import UNFINISHED, stored, stored_messages
from ..periods import add_months, local_noon_utc, local_today
from ..regions.models import Region
from ..relief import ReliefCode
from ..sheets import Limits, SheetError, read_table
from . import validation
from .layout import LAYOUTS, MappingError, default_columns, unknown_layout, validate_mapping
from .models import RollImport, RollMapping

BATCH = 1000  # households per bulk insert
UPLOAD_KINDS = (".xlsx", ".csv")


class RollError(ValueError):
    """A refused upload or request; the message is a lazy msgid (the reader's language)."""


# -- uploads and jobs ---------------------------------------------------------------------------

def limits() -> Limits:
    """A county's roll is larger than a township's roster: 25,000 member rows and more
    (settings ROLL_MAX_ROWS, ROLL_MAX_BYTES, ROLL_SECONDS)."""
    config = current_app.config
    return Limits(max_bytes=int(config.get("ROLL_MAX_BYTES", 20 * 1024 * 1024)),
                  max_expanded=int(config.get("ROLL_MAX_EXPANDED", 160 * 1024 * 1024)),
                  max_rows=int(config.get("ROLL_MAX_ROWS", 100_000)),
                  seconds=float(config.get("ROLL_SECONDS", 120)))


def create_import(county: Region, filename: str, data: bytes, user, *, is_dry_run: bool
                  ) -> RollImport:
    """Keep the uploaded file under the data directory and add a queued job row for it."""
    filename = (filename or "").strip()
    if not filename or not data:
        raise RollError(_l("Choose a CSV or XLSX file to import"))
    if not filename.lower().endswith(UPLOAD_KINDS):
        raise RollError(_l("Only a CSV or XLSX file can be imported"))
    if len(data) > limits().max_bytes:
        raise RollError(_l("The file is larger than %(mb)s MB: split it and upload the parts",
                          mb=limits().max_bytes // (1 << 20)))
    digest = hashlib.sha256(data).hexdigest()
    relative = f"roll/{digest}{'.xlsx' if filename.lower().endswith('.xlsx') else '.csv'}"
    path = data_dir() / relative
    if not path.exists():
        atomic_write(path, data)
    if db.session.scalars(select(RollImport.id).where(
            RollImport.region_id == county.id, RollImport.sha256 == digest,
            RollImport.is_dry_run.is_(is_dry_run), RollImport.status.in_(UNFINISHED))).first():
        raise RollError(_l("The same file is being processed: wait until it is done"))  # a double click imports once
    job = RollImport(region_id=county.id, filename=filename[:200], sha256=digest, path=relative,
                     is_dry_run=is_dry_run, status="queued", created_by_id=user.id)
    db.session.add(job)
    db.session.flush()
    record("roll.upload", job, actor=user, details={
        "filename": job.filename, "sha256": digest, "dry_run": is_dry_run})
    return job


# what an import says as it goes and when done: stored in Chinese, shown in the reader's language
READING = _l("Reading the file")
CHECKING = _l("Checking %(rows)s rows")
REFUSED = _l("%(problems)s problems found: nothing was imported")
CORRECT = _l("%(problems)s problems found: correct them as shown, then import")
CHECKED = _l("Check passed: %(households)s households, %(members)s people; %(ready)s "
             "households can be imported")
CHECKED_SKIPPING = _l("Check passed: %(households)s households, %(members)s people; %(ready)s "
                      "households can be imported, %(skipped)s were imported before (skipped)")
IMPORTING = _l("Importing %(households)s households")
STOPPED = _l("The import stopped, nothing was imported: %(reason)s")
IMPORTED = _l("Imported %(added)s households")
IMPORTED_SKIPPING = _l("Imported %(added)s households, %(skipped)s were imported before "
                       "(skipped)")
stored_messages(READING, CHECKING, REFUSED, CORRECT, CHECKED_SKIPPING, CHECKED, IMPORTING,
                STOPPED, IMPORTED_SKIPPING, IMPORTED)


def _progress(job: RollImport, percent: int, message: str) -> None:
    job.progress, job.message = percent, message
    db.session.commit()


def run_import(job_id: int) -> None:
    """Check the job's file and, unless it is a dry run or has problems, import it; the
    outcome, the problems and the counts land on the job row."""
    job = db.session.get(RollImport, job_id)
    if job is None or job.is_finished:
        return
    job.status, job.problems, job.problem_count = "running", [], 0
    _progress(job, 5, stored(READING))
    from ..auth.models import User

    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    county = db.session.get(Region, job.region_id)
    try:
        table = read_table(job.path, (data_dir() / job.path).read_bytes(), limits())
    except SheetError as exc:
        _finish(job, "failed", stored(exc.args[0]))
        return
    _progress(job, 30, stored(CHECKING, rows=max(0, len(table) - 1)))
    checked = validation.check(table, county, mapping_columns(county, "roll"))
    job.problems, job.problem_count = checked.problems, checked.problem_count
    job.households = len(checked.households) + checked.skipped
    job.members = checked.member_count
    job.skipped = checked.skipped
    if not checked.ok:
        _finish(job, "failed" if not job.is_dry_run else "done",
                stored(CORRECT if job.is_dry_run else REFUSED, problems=checked.problem_count))
        return
    if job.is_dry_run:
        _finish(job, "done", stored(
            CHECKED_SKIPPING if checked.skipped else CHECKED, households=job.households,
            members=job.members, ready=len(checked.households), skipped=checked.skipped))
        return
    _progress(job, 50, stored(IMPORTING, households=len(checked.households)))
    try:
        added = write_households(checked.households, county, user, job)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the job says so; nothing stays
        db.session.rollback()  # all or nothing: not one case of the file stays
        job = db.session.get(RollImport, job_id)
        current_app.logger.error("roll import %s failed: %s: %s", job_id, type(exc).__name__, exc)
        _finish(job, "failed", stored(STOPPED, reason=user_message(exc)))
        return
    job.added = added
    record("roll.import", job, actor=user, region_id=county.id, details={
        "filename": job.filename, "sha256": job.sha256, "added": added,
        "skipped": checked.skipped, "members": job.members})
    _finish(job, "done", stored(IMPORTED_SKIPPING if checked.skipped else IMPORTED, added=added,
                                skipped=checked.skipped))
    analyze()


def _finish(job: RollImport, status: str, message: str) -> None:
    job.status, job.message, job.progress = status, message[:2000], 100
    job.finished_at = utcnow()
    db.session.commit()


def fail_job(job_id: int, message: str) -> None:
    """Mark a job failed (the queue refused it, or a worker died under it) and commit."""
    db.session.rollback()
    job = db.session.get(RollImport, job_id)
    if job is not None and not job.is_finished:
        _finish(job, "failed", message)


def analyze() -> None:
    """Fresh planner statistics after thousands of rows arrived at once."""
    with db.engine.begin() as conn:
        for table in (Case.__tablename__, Member.__tablename__, CaseEvent.__tablename__):
            conn.execute(text(f'ANALYZE "{table}"'))


# -- the bulk write -----------------------------------------------------------------------------

def _next_recheck(start, months: int, today):
    """The first recheck date after today, counting from the start month."""
    due = add_months(start, months)
    while due <= today:
        due = add_months(due, months)
    return due


def write_households(households, county: Region, user, job: RollImport) -> int:
    """Insert the households' cases, members and import events in bulk (no ORM object per
    row); inside the caller's transaction. Returns the number of cases written."""
    from ..cases.workflows import settings_for

    today, now = local_today(), utcnow()
    by_type: dict[str, list] = {}
    for household in households:
        by_type.setdefault(household.relief_type, []).append(household)
    numbers = {code: iter(reserve_case_numbers(county, code, today.year, len(rows)))
               for code, rows in by_type.items()}
    settings = {code: settings_for(code, county.id) for code in by_type}
    actor_id = user.id if user else None
    actor_name = user.username if user else "system"
    role = user.role.value if user else ""
    written = 0
    for first in range(0, len(households), BATCH):
        batch = households[first:first + BATCH]
        cases = [_case_row(h, next(numbers[h.relief_type]), settings[h.relief_type], actor_id,
                           today, now) for h in batch]
        ids = write_batch(cases, batch, actor_id, actor_name, role, job.id, now)
        written += len(ids)
    return written


def _case_row(h, number: str, s, actor_id, today, now) -> dict:
    from ..relief import RELIEF_TYPES

    code = ReliefCode(h.relief_type)
    category = s.default_recheck_category
    months = int(s.recheck_months.get(category) or 12)
    return {
        "case_number": number, "relief_type": code, "schema_version_id": h.schema_version_id,
        "state": h.state, "region_id": h.village.id, "applicant_name": h.head_name[:100] or next(
            (p.name for p in h.members if p.id_number == h.head_id_number), ""),
        "applicant_id_number": h.head_id_number,
        "answers": {"bank_account": h.bank_account} if h.bank_account else {},
        "is_active": True, "created_by_id": actor_id, "created_at": now, "updated_at": now,
        "accepted_on": h.start_month, "lock_version": 1, "urban_rural": h.urban_rural,
        "persons_covered": 1 if RELIEF_TYPES[code].unit == "person" else len(h.members),
        "decided_at": local_noon_utc(h.start_month), "decision": "approve",
        "monthly_amount_fen": h.amount_fen, "payment_start_month": h.start_month,
        "care_level": h.care_level, "is_concentrated": h.is_concentrated,
        "standard_version_id": h.standard_version_id, "recheck_category": category,
        "next_recheck_on": _next_recheck(h.start_month, months, today), "is_imported": True,
    }


def write_batch(cases: list[dict], batch, actor_id, actor_name, role, job_id: int,
                now: datetime) -> list[int]:
    """One batch of cases, then their members and events (a test cuts the import here)."""
    table = Case.__table__
    ids = list(db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), cases).scalars())
    members, events = [], []
    for case_id, household in zip(ids, batch):
        for position, person in enumerate(household.members):
            members.append({
                "case_id": case_id, "position": position, "name": person.name,
                "id_number": person.id_number, "relationship": person.relationship,
                "sex": sex(person.id_number), "birth_date": birth_date(person.id_number),
                "is_applicant": person.id_number == household.head_id_number, "details": {}})
        events.append({
            "case_id": case_id, "from_state": None, "to_state": household.state,
            "action": "import", "actor_id": actor_id, "actor_name": actor_name, "role": role,
            "created_at": now, "effective_on": household.start_month, "comment": "",
            "data": {"import_id": job_id, "row": household.row}})
    db.session.execute(insert(Member.__table__), members)
    db.session.execute(insert(CaseEvent.__table__), events)
    return ids


# -- export column mappings ---------------------------------------------------------------------

def mapping_columns(county: Region, layout: str) -> list[tuple[str, str]]:
    """The county's columns of an export layout (its saved mapping, else the default)."""
    row = db.session.scalars(select(RollMapping).where(RollMapping.region_id == county.id,
                                                       RollMapping.layout == layout)).first()
    if row is None or not row.columns:
        return default_columns(layout)
    return [(key, title) for key, title in row.columns]


def save_mapping(county: Region, layout: str, pairs, user) -> list[tuple[str, str]]:
    """Validate and keep a county's column mapping (no pairs: back to the default layout)."""
    pairs = list(pairs)
    if layout not in LAYOUTS:
        raise MappingError([unknown_layout(layout)])
    columns = validate_mapping(layout, pairs) if pairs else default_columns(layout)
    row = db.session.scalars(select(RollMapping).where(RollMapping.region_id == county.id,
                                                       RollMapping.layout == layout)).first()
    if row is None:
        row = RollMapping(region_id=county.id, layout=layout)
        db.session.add(row)
    row.columns = [list(c) for c in columns]
    row.updated_by_id = user.id
    db.session.flush()
    record("roll.mapping", row, actor=user, region_id=county.id,
           details={"layout": layout, "columns": row.columns})
    return columns


def record_export(region: Region, layout: str, month, fmt: str, rows: int, user) -> None:
    """Personal data leaving the system: who exported what (audit)."""
    record("roll.export", region, actor=user, region_id=region.id, details={
        "layout": layout, "month": f"{month:%Y-%m}", "format": fmt, "rows": rows})


def export_file(region: Region, layout: str, month, fmt: str, user) -> tuple[bytes, int]:
    """An export's bytes in the county's column layout, recorded in the audit trail."""
    from . import exports, queries
    from .layout import file_title

    rows = queries.ROWS[layout](region, month)
    data = exports.write(rows, mapping_columns(region.county, layout), fmt, file_title(layout))
    record_export(region, layout, month, fmt, len(rows), user)
    return data, len(rows)
