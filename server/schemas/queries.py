"""Reads of schema versions, a structured diff between two versions, migration previews.

Schema versions belong to a county and serve every township and village under it, so the
scope is "the user's county" (a township clerk must read the county's forms), not the
region-prefix rule of ``regions.queries.scoped`` (which would hide the county's rows).
"""
from __future__ import annotations

import difflib

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, func, select

from ..db import db
from ..relief import ReliefCode
from .engine import validate_answers
from .models import SchemaStatus, SchemaVersion


def _county_id(user) -> int:
    user = current_user if user is None else user
    return user.region.county.id


def scoped_versions(user=None) -> Select:
    """Versions of the user's county."""
    return select(SchemaVersion).where(SchemaVersion.county_id == _county_id(user))


def get_version(version_id: int, user=None) -> SchemaVersion | None:
    stmt = scoped_versions(user).where(SchemaVersion.id == version_id)
    return db.session.scalars(stmt).first()


def get_version_or_404(version_id: int, user=None) -> SchemaVersion:
    version = get_version(version_id, user)
    if version is None:
        abort(404)
    return version


def versions(relief_type: ReliefCode | str | None = None, user=None) -> list[SchemaVersion]:
    """Newest first."""
    stmt = scoped_versions(user)
    if relief_type is not None:
        stmt = stmt.where(SchemaVersion.relief_type == ReliefCode(relief_type))
    return list(db.session.scalars(stmt.order_by(SchemaVersion.relief_type,
                                                 SchemaVersion.number.desc())))


def _latest_stmt(county_id: int, relief_type, status: SchemaStatus | None):
    stmt = select(SchemaVersion).where(SchemaVersion.county_id == county_id,
                                       SchemaVersion.relief_type == ReliefCode(relief_type))
    if status is not None:
        stmt = stmt.where(SchemaVersion.status == status)
    return stmt.order_by(SchemaVersion.number.desc()).limit(1)


def latest(county_id: int, relief_type, *, published_only: bool = True) -> SchemaVersion | None:
    """The newest (published) version of a relief type in a county."""
    status = SchemaStatus.published if published_only else None
    return db.session.scalars(_latest_stmt(county_id, relief_type, status)).first()


def current_version(relief_type, user=None) -> SchemaVersion | None:
    """The published version new applications of the user's county are filled with."""
    return latest(_county_id(user), relief_type)


def draft_of(county_id: int, relief_type) -> SchemaVersion | None:
    return db.session.scalars(_latest_stmt(county_id, relief_type, SchemaStatus.draft)).first()


def next_number(county_id: int, relief_type) -> int:
    stmt = select(func.max(SchemaVersion.number)).where(
        SchemaVersion.county_id == county_id, SchemaVersion.relief_type == ReliefCode(relief_type))
    return (db.session.scalar(stmt) or 0) + 1


def summary(user=None) -> list[dict]:
    """One row per relief type: published number, draft number, version count."""
    rows = {code: {"relief_type": code, "published": None, "draft": None, "count": 0}
            for code in ReliefCode}
    for version in versions(user=user):
        row = rows[version.relief_type]
        row["count"] += 1
        key = "published" if version.status == SchemaStatus.published else "draft"
        if row[key] is None:
            row[key] = version
    return list(rows.values())


# -- diff -------------------------------------------------------------------------------------

IGNORED_KEYS = {"ast"}


def _field_map(definition: dict) -> dict[str, dict]:
    out = {}
    for spec in definition.get("fields", []):
        out[spec["name"]] = spec
        for sub in spec.get("fields") or []:
            out[f"{spec['name']}.{sub['name']}"] = sub
    return out


def _props(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k not in IGNORED_KEYS and k not in ("fields",)}


def diff_versions(old: SchemaVersion, new: SchemaVersion) -> dict:
    """Structured differences (fields added/removed/changed by path; checks and hints) and a
    unified text diff of the sources."""
    a, b = _field_map(old.definition), _field_map(new.definition)
    changed = []
    for path in [p for p in b if p in a]:
        before, after = _props(a[path]), _props(b[path])
        keys = sorted(set(before) | set(after))
        changes = {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
        if changes:
            changed.append({"path": path, "label": b[path].get("label"), "changes": changes})

    def rules(definition, key):
        return [{k: v for k, v in item.items() if k != "ast"} for item in definition.get(key) or []]

    text = "".join(difflib.unified_diff(
        old.source.splitlines(keepends=True), new.source.splitlines(keepends=True),
        fromfile=f"v{old.number}", tofile=f"v{new.number}"))
    return {
        "from": old.number, "to": new.number,
        "added": [{"path": p, "label": b[p].get("label"), "type": b[p].get("type")}
                  for p in b if p not in a],
        "removed": [{"path": p, "label": a[p].get("label"), "type": a[p].get("type")}
                    for p in a if p not in b],
        "changed": changed,
        "checks": {"added": [c for c in rules(new.definition, "checks")
                             if c not in rules(old.definition, "checks")],
                   "removed": [c for c in rules(old.definition, "checks")
                               if c not in rules(new.definition, "checks")]},
        "hints": {"added": [h for h in rules(new.definition, "hints")
                            if h not in rules(old.definition, "hints")],
                  "removed": [h for h in rules(old.definition, "hints")
                              if h not in rules(new.definition, "hints")]},
        "text": text,
    }


# -- migration of a case's answers --------------------------------------------------------------

def _answer_paths(answers: dict, computed: set[str]) -> dict[str, object]:
    out = {}
    for key, value in (answers or {}).items():
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            for i, row in enumerate(value):
                for sub, v in row.items():
                    out[f"{key}[{i}].{sub}"] = v
        elif key not in computed:
            out[key] = value
    return out


def _known_answers(definition: dict, answers: dict) -> dict:
    """The answers restricted to fields the definition knows (unknown ones are dropped)."""
    specs = {s["name"]: s for s in definition["fields"]}
    out = {}
    for key, value in (answers or {}).items():
        spec = specs.get(key)
        if spec is None or "compute" in spec:
            continue
        if spec["type"] == "group":
            subs = {s["name"] for s in spec["fields"] if "compute" not in s}
            out[key] = [{k: v for k, v in row.items() if k in subs}
                        for row in value or [] if isinstance(row, dict)]
        else:
            out[key] = value
    return out


def migration_preview(case, target: SchemaVersion | None = None, user=None) -> dict:
    """What moving a case to ``target`` (default: the newest published version) would do:
    answers dropped, required answers missing, other problems, and the resulting answers."""
    source_version = case.schema_version
    if target is None:
        target = latest(source_version.county_id, case.relief_type)
    computed_old = {p for p, _, _ in _computed_paths(source_version.definition)}
    kept = _known_answers(target.definition, case.answers)
    result = validate_answers(target, kept, user)
    before = _answer_paths(case.answers, computed_old)
    computed_new = {p for p, _, _ in _computed_paths(target.definition)}
    after = _answer_paths(result.clean, computed_new)
    dropped = [{"path": p, "value": v} for p, v in before.items()
               if p not in after and v not in (None, "", [])]
    missing = result.missing
    return {
        "from": source_version.number, "to": target.number, "target_id": target.id,
        "is_current": target.id == source_version.id,
        "dropped": dropped, "missing": missing,
        "problems": [{"path": p, "message": m} for p, m in result.errors if p not in missing],
        "answers": result.clean,
    }


def _computed_paths(definition: dict):
    for spec in definition["fields"]:
        if "compute" in spec:
            yield spec["name"], spec, None
        for sub in spec.get("fields") or []:
            if "compute" in sub:
                yield f"{spec['name']}.{sub['name']}", sub, spec
