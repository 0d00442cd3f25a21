"""Writes to schema versions: create/update/discard a draft, publish, sync shipped files,
move a case to a newer version. Every write is audited; callers commit."""
from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _

from ..audit.operations import record
from ..db import db, utcnow
from ..relief import ReliefCode
from . import queries
from .engine import SchemaError, load_schema
from .models import SchemaStatus, SchemaVersion
from .roles import case_facts

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


class SchemaOperationError(ValueError):
    """A refused operation; ``errors`` holds (path, message) problems when the source is bad."""

    def __init__(self, message: str, errors=None):
        super().__init__(message)
        self.errors = list(errors or [])


def _load(source) -> dict:
    try:
        return load_schema(source)
    except SchemaError as exc:
        raise SchemaOperationError(_("The form definition has problems"), exc.errors) from None


def _check_type(definition: dict, relief_type) -> None:
    if definition["relief_type"] != ReliefCode(relief_type).value:
        raise SchemaOperationError(_("The form definition has problems"), [(
            "relief_type", _("Must be %(code)s (the relief type being edited)",
                             code=ReliefCode(relief_type).value))])


def create_draft(county, relief_type, user, source: str | None = None) -> SchemaVersion:
    """A new draft from ``source`` or, without it, from the newest version's source."""
    relief_type = ReliefCode(relief_type)
    existing = queries.draft_of(county.id, relief_type)
    if existing is not None:
        raise SchemaOperationError(_("There is a draft already (version %(number)s): edit that "
                                     "draft", number=existing.number))
    if source is None:
        base = queries.latest(county.id, relief_type, published_only=False)
        if base is None:
            raise SchemaOperationError(_("There is no version yet: give a form definition"))
        source = base.source
    definition = _load(source)
    _check_type(definition, relief_type)
    version = SchemaVersion(county_id=county.id, relief_type=relief_type,
                            number=queries.next_number(county.id, relief_type),
                            status=SchemaStatus.draft, source=source, definition=definition,
                            created_by_id=getattr(user, "id", None))
    db.session.add(version)
    db.session.flush()
    record("schemas.draft_created", version, actor=user, region_id=county.id,
           details={"relief_type": relief_type, "number": version.number})
    return version


def update_draft(version: SchemaVersion, source: str, user) -> SchemaVersion:
    """Replace a draft's source; a published version never changes."""
    if version.status != SchemaStatus.draft:
        raise SchemaOperationError(_("A published version cannot change: create a new draft"))
    definition = _load(source)
    _check_type(definition, version.relief_type)
    version.source, version.definition = source, definition
    record("schemas.draft_updated", version, actor=user, region_id=version.county_id,
           details={"number": version.number})
    return version


def discard_draft(version: SchemaVersion, user) -> None:
    if version.status != SchemaStatus.draft:
        raise SchemaOperationError(_("Only a draft can be discarded"))
    record("schemas.draft_discarded", version, actor=user, region_id=version.county_id,
           details={"relief_type": version.relief_type, "number": version.number})
    db.session.delete(version)
    db.session.flush()


def publish(version: SchemaVersion, user) -> SchemaVersion:
    """Make a draft the current, immutable version of its relief type."""
    if version.status != SchemaStatus.draft:
        raise SchemaOperationError(_("This version is published already"))
    _load(version.source)  # the engine may have grown stricter since the draft was saved
    version.status = SchemaStatus.published
    version.published_at = utcnow()
    record("schemas.published", version, actor=user, region_id=version.county_id,
           details={"relief_type": version.relief_type, "number": version.number})
    return version


def sync_forms(county, user=None, directory: Path | None = None) -> list[tuple[str, str]]:
    """Load forms/<TYPE>.yaml for the county: a new published version only when the file
    differs from the newest published one. Returns (relief type, what happened) rows; raises
    SchemaOperationError (nothing written) when a file is invalid."""
    directory = Path(directory or FORMS_DIR)
    report = []
    for code in ReliefCode:
        path = directory / f"{code.value}.yaml"
        if not path.exists():
            continue
        source = path.read_text(encoding="utf-8")
        current = queries.latest(county.id, code)
        if current is not None and current.source == source:
            report.append((code.value, f"unchanged (v{current.number})"))
            continue
        if queries.draft_of(county.id, code) is not None:
            report.append((code.value, "skipped: a draft is being edited"))
            continue
        try:
            version = publish(create_draft(county, code, user, source), user)
        except SchemaOperationError as exc:
            raise SchemaOperationError(f"{path.name}: {exc}", exc.errors) from None
        report.append((code.value, f"published v{version.number}"))
    return report


def migrate_case(case, user, target: SchemaVersion | None = None,
                 expected_target_id: int | None = None) -> dict:
    """Move a case's answers to ``target`` (default: newest published) as previewed.

    ``expected_target_id`` guards against publishing between preview and apply."""
    preview = queries.migration_preview(case, target, user)
    if expected_target_id is not None and preview["target_id"] != expected_target_id:
        raise SchemaOperationError(_("A newer version of the form was published: preview again"))
    if preview["is_current"]:
        raise SchemaOperationError(_("The case uses the newest version already"))
    old = case.schema_version
    case.schema_version = db.session.get(SchemaVersion, preview["target_id"])
    case.answers = preview["answers"]
    for attribute, value in case_facts(case.schema_version.definition, case.answers).items():
        setattr(case, attribute, value)  # the new form's roles say what the case holds
    record("schemas.case_migrated", case, actor=user,
           details={"from": old.number, "to": preview["to"],
                    "dropped": [d["path"] for d in preview["dropped"]],
                    "missing": preview["missing"]})
    return preview
