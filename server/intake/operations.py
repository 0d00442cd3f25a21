"""Intake writes: drafts of applications, and turning validated answers into a case.

Everything here runs inside the caller's transaction and never commits; a validation error is
raised before anything is added to the session, so nothing is half-saved.
"""
from __future__ import annotations

import uuid
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from ..audit.operations import record
from ..cases.models import Case, CaseDeadline, CaseEvent, Member
from ..cases.operations import check_acceptance, start_case
from ..db import db, lock_for_write, lock_names, locked_row, utcnow, write_alongside
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from ..relief import RELIEF_TYPES
from ..schemas.engine import Result, validate_answers, villages_for
from ..schemas.models import SchemaVersion
from ..schemas.roles import fields_by_role
from .household import household_from_answers
from .models import CaseNumberCounter, IntakeDraft, Upload

INITIAL_STATE = "accepted"
PERSON_LOCK = 727276  # lock_names namespace: one intake at a time per ID number


class IntakeError(ValueError):
    """Answers that cannot become a case; ``errors`` are (path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]], result: Result | None = None):
        self.errors = errors
        self.result = result
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in errors))


# -- case numbers -------------------------------------------------------------------------------

def next_case_number(county: Region, relief_type: str, year: int) -> str:
    """``220999-2026-DB-000123``: county code, year, relief type, a per-year sequence."""
    return reserve_case_numbers(county, relief_type, year, 1)[0]


def reserve_case_numbers(county: Region, relief_type: str, year: int, count: int) -> list[str]:
    """The next ``count`` case numbers in one step (a bulk import takes thousands at once)."""
    code = county.code[:6]
    counter = locked_row(CaseNumberCounter, county_code=code, year=year,
                         relief_type=relief_type)
    first = counter.last + 1
    counter.last += count
    db.session.flush()
    return [f"{code}-{year}-{relief_type}-{n:06d}" for n in range(first, first + count)]


# -- drafts -------------------------------------------------------------------------------------

def _title(version: SchemaVersion, answers: dict) -> str:
    try:
        return household_from_answers(version.definition, answers).applicant_name[:100]
    except (AttributeError, TypeError, KeyError):
        return ""


def save_draft(version: SchemaVersion, answers: dict, user, draft: IntakeDraft | None = None
               ) -> IntakeDraft:
    """Keep a partial application (unvalidated answers) to continue later."""
    if draft is None:
        draft = IntakeDraft(relief_type=version.relief_type, schema_version_id=version.id,
                            region_id=user.region_id, created_by_id=user.id)
        db.session.add(draft)
    if draft.is_submitted:
        raise IntakeError([("", _("This draft was submitted: it cannot be changed any more"))])
    draft.answers = answers
    draft.title = _title(version, answers)
    draft.updated_at = utcnow()
    db.session.flush()
    record("intake.draft_save", draft, actor=user,
           details={"relief_type": version.relief_type, "version": version.number})
    return draft


def delete_draft(draft: IntakeDraft, user) -> None:
    if draft.is_submitted:
        raise IntakeError([("", _("This draft was submitted: it cannot be deleted"))])
    record("intake.draft_delete", draft, actor=user)
    db.session.delete(draft)
    db.session.flush()


# -- cases --------------------------------------------------------------------------------------

def _village(code: str, user) -> Region | None:
    """The chosen village if it lies in the user's region (the village assistant's own one)."""
    if user.region.level == RegionLevel.village:
        return user.region if code in ("", user.region.code) else None
    # the villages under the user's region, already looked up for the form and its validation
    return next((v for v in villages_for(user) if v.code == code), None) if code else None


def _default_village(user) -> str:
    villages = villages_for(user)
    return villages[0].code if len(villages) == 1 else ""


def create_case_from_answers(version: SchemaVersion, answers, user, *, today: date | None = None
                             ) -> tuple[Case, Result]:
    """Validate the answers with the engine (as the web form and the API do) and create the
    case with its member rows. Raises IntakeError (nothing added) when they do not pass."""
    if version.status.value != "published":
        raise IntakeError([("", _("Only a published form version can take applications"))])
    result = validate_answers(version, answers, user, today=today)
    if not result.ok:
        raise IntakeError(list(result.errors), result)
    household = household_from_answers(version.definition, result.clean)
    village = _village(household.village_code or _default_village(user), user)
    if village is None:
        raise IntakeError([(_village_path(version),
                            _("Choose a village (community) in your area"))], result)
    if not household.applicant_name or not household.applicant_id_number:
        raise IntakeError([("", _("The form has no applicant name or ID number (mark them with "
                                  "a role in the form definition)"))], result)
    accepted_on = today or local_today()
    members = household.members or []
    if not members:  # a person-based form (特困) without a members table: the applicant alone
        from .household import MemberFacts

        members = [MemberFacts(household.applicant_name, household.applicant_id_number, "本人",
                               {}, True)]
    case = Case(
        case_number=f"~{uuid.uuid4().hex}",  # until the number is taken at the end
        relief_type=version.relief_type, schema_version_id=version.id, state=INITIAL_STATE,
        region_id=village.id, applicant_name=household.applicant_name,
        applicant_id_number=household.applicant_id_number, answers=result.clean,
        is_active=True, created_by_id=user.id, accepted_on=accepted_on,
        urban_rural=village.urban_rural.value,  # unless the form asks the household's 户籍
        persons_covered=1 if RELIEF_TYPES[version.relief_type].unit == "person" else len(members),
    )
    for attribute, value in household.case_facts.items():  # every answer with a role's target
        length = getattr(Case.__table__.c[attribute].type, "length", None)
        setattr(case, attribute, value[:length] if isinstance(value, str) and length else value)
    for position, facts in enumerate(members):
        case.members.append(Member(
            position=position, name=facts.name, id_number=facts.id_number,
            relationship_=facts.relationship[:20], sex=facts.sex, birth_date=facts.birth_date,
            is_applicant=facts.is_applicant, details=facts.details))
    # in memory, before any lock: the acceptance event, the first clocks (holidays) and the
    # relatives register flag, as every new case gets them (cases.operations.start_case)
    start_case(case, user)
    # From here on current data: intakes run side by side (PostgreSQL) and queue only per
    # person (the duplicate check), then at the end for the case number and the audit chain.
    write_alongside()
    lock_names(PERSON_LOCK, [m.id_number for m in members])
    refusals = check_acceptance([m.id_number for m in members], version.relief_type, village,
                                on=accepted_on, user=user)
    if refusals:  # dishonesty list (失信) or already in an active case of this type
        raise IntakeError([("", message) for message in refusals], result)
    case = insert_new_case(case)
    # the short end everyone queues for: the county's counter row, then the audit chain
    take_case_number(case, village.county, accepted_on.year)
    if result.uploads:
        store_uploads(result, user)  # the clean answers now name each upload
        case.answers = result.clean
        flag_modified(case, "answers")
    record("case.create", case, actor=user, details={
        "case_number": case.case_number, "relief_type": case.relief_type,
        "schema_version_id": version.id, "members": len(members)})
    return case, result


def _column_values(obj) -> dict:
    """The column attributes set on a new (transient) object, by attribute key."""
    return {attr.key: obj.__dict__[attr.key] for attr in sa_inspect(type(obj)).column_attrs
            if attr.key in obj.__dict__}


def insert_new_case(case: Case) -> Case:
    """Write a case built in memory (``start_case`` done) with its members, clocks and events:
    one INSERT per table instead of the unit of work's one per object (SQLite cannot batch
    them with RETURNING), in one short burst under the write lock. Returns the persistent
    case; its collections load on first use."""
    session = db.session
    children = {Member: case.members, CaseDeadline: case.deadlines, CaseEvent: case.events}
    stored = session.scalars(insert(Case).returning(Case), [_column_values(case)]).one()
    for model, objects in children.items():
        if objects:
            session.execute(insert(model), [{**_column_values(obj), "case_id": stored.id}
                                            for obj in objects])
    set_committed_value(stored, "region", case.region)
    return stored


def take_case_number(case: Case, county: Region, year: int) -> str:
    """Give a case inserted with a placeholder number the county's next one: the counter
    row is locked from here to the commit, so this comes last but the audit event."""
    code, relief_type = county.code[:6], case.relief_type
    counter = CaseNumberCounter
    last = db.session.execute(
        update(counter).where(counter.county_code == code, counter.year == year,
                              counter.relief_type == relief_type)
        .values(last=counter.last + 1).returning(counter.last)).scalar()
    number = (f"{code}-{year}-{relief_type}-{last:06d}" if last is not None
              else next_case_number(county, relief_type, year))  # the year's first: a new row
    db.session.execute(update(Case).where(Case.id == case.id).values(case_number=number))
    return number


def _village_path(version: SchemaVersion) -> str:
    spec = fields_by_role(version.definition).get("village")
    return spec["name"] if spec else ""


def _file_values(value):
    """Every file answer (a dict with a sha256) inside clean answers, top level or in rows."""
    if isinstance(value, dict):
        if isinstance(value.get("sha256"), str) and "kind" in value:
            yield value
            return
        for item in value.values():
            yield from _file_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_values(item)


def store_uploads(result: Result, user=None) -> None:
    """Keep uploaded scans by content hash under the data directory (idempotent) and, for a
    user, record each as an ``Upload`` of the user's region: the clean answers then refer to
    it by ``upload_id`` (the only way a stored file may be referenced again)."""
    if not result.uploads:
        return
    from ..extensions import data_dir
    from ..faults import atomic_write
    from ..schemas.fields import sniff, stored_name

    for digest, data in result.uploads.items():
        path = data_dir() / stored_name({"sha256": digest, "kind": sniff(data)})
        if not path.exists():
            atomic_write(path, data)
    if user is None:
        return
    for value in _file_values(result.clean):
        if value["sha256"] in result.uploads and "upload_id" not in value:
            upload = Upload(sha256=value["sha256"], size=value["size"], kind=value["kind"],
                            content_type=value["content_type"], name=value.get("name", ""),
                            region_id=user.region_id, created_by_id=user.id)
            db.session.add(upload)
            db.session.flush()
            value["upload_id"] = upload.id
            record("intake.upload", upload, actor=user,
                   details={"sha256": upload.sha256, "size": upload.size, "kind": upload.kind})


def create_upload(storage, user) -> Upload:
    """An uploaded scan (API): checked by content like a form's file field (PDFs must parse),
    stored, and recorded for the user's region. Raises IntakeError with the path ``file``."""
    from ..schemas.fields import FieldError, File

    if storage is None or not getattr(storage, "filename", None):
        raise IntakeError([("file", _("Choose the file to upload"))])
    ctx: dict = {}
    try:
        value = File({"name": "file", "type": "file"}).parse(storage, ctx)
    except FieldError as exc:
        raise IntakeError([("file", str(exc))]) from None
    result = Result(clean={"file": value}, uploads=ctx.get("uploads", {}))
    store_uploads(result, user)
    return db.session.get(Upload, value["upload_id"])


def submit_draft(draft: IntakeDraft, answers, user, *, today: date | None = None
                 ) -> tuple[Case, Result]:
    """Submit a draft's (latest) answers: creates the case and links the draft to it."""
    lock_for_write()  # one submit of a draft at a time (not side by side), then read it anew
    db.session.refresh(draft)
    if draft.is_submitted:
        raise IntakeError([("", _("This draft was submitted"))])
    case, result = create_case_from_answers(draft.schema_version, answers, user, today=today)
    draft.answers = result.clean
    draft.case_id = case.id
    draft.submitted_at = utcnow()
    db.session.flush()
    return case, result
