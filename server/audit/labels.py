"""What the audit trail shows a person: each room registers the labels of its actions, of the
objects it audits and of the keys and values in an event's details (``<room>/labels.py``), so
no page shows ``state: accepted``, ``reviewer_id: None`` or "Case 5"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTIONS: dict[str, object] = {}
# "case." -> verb -> label or None: families of actions named after another registry
FAMILIES: dict[str, Callable[[str], object | None]] = {}
FIELDS: dict[str, object] = {}
VALUES: dict[str, Callable[[object], str]] = {}


@dataclass(frozen=True)
class ObjectKind:
    label: object
    describe: Callable[[list[str]], dict[str, str]] | None = None  # ids -> names, in one query


OBJECTS: dict[str, ObjectKind] = {}


def named(model, *attrs: str) -> Callable[[list[str]], dict[str, str]]:
    """A ``describe`` for ``ObjectKind``: the objects' ``attrs`` by id, in one query."""

    def describe(ids: list[str]) -> dict[str, str]:
        from sqlalchemy import select

        from ..db import db

        keys = [int(i) for i in ids if i.isdigit()]
        columns = [getattr(model, attr) for attr in attrs]
        rows = db.session.execute(select(model.id, *columns).where(model.id.in_(keys)))
        return {str(row[0]): " ".join(str(v) for v in row[1:] if v not in (None, ""))
                for row in rows}

    return describe


def actions(mapping: dict[str, object]) -> None:
    ACTIONS.update(mapping)


def family(prefix: str, label_of: Callable[[str], object | None]) -> None:
    FAMILIES[prefix] = label_of


def objects(**kinds: ObjectKind) -> None:
    OBJECTS.update(kinds)


def fields(mapping: dict[str, object], **values: Callable[[object], str]) -> None:
    """Labels of detail keys; ``values`` give a key's formatter (state → its Chinese name)."""
    FIELDS.update(mapping)
    VALUES.update(values)


# stored actor names that are no person: the worker, a member of the public (a complaint)
NOT_PEOPLE = {"system": _l("System"), "公众": _l("The public")}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    for prefix, label_of in FAMILIES.items():
        if action.startswith(prefix) and (label := label_of(action[len(prefix):])):
            return str(label)
    return action  # unlabelled: the label test lists it


def field_label(key: str) -> str:
    return str(FIELDS.get(key, key))


def value_text(key: str, value) -> str:
    """A detail value as a person reads it; ``key`` picks a registered formatter."""
    if value is None or value == "" or value == []:
        return "—"
    if key in VALUES:
        return VALUES[key](value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return "、".join(value_text(key, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{field_label(k)}：{value_text(k, v)}" for k, v in value.items())
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    event: object
    actor: str
    action: str
    object: str
    changes: list[Change]


def _changes(details: dict) -> list[Change]:
    before, after = details.get("before") or {}, details.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [Change(field_label(k), value_text(k, before.get(k)) if k in before else "",
                   value_text(k, after.get(k))) for k in keys]


def _prefetch(events) -> None:
    """Let value formatters that look things up (user names) load a page's values at once."""
    wanted: dict[str, list] = {}
    for event in events:
        details = event.details or {}
        for side in (details.get("before"), details.get("after")):
            for key, value in (side.items() if isinstance(side, dict) else ()):
                if hasattr(VALUES.get(key), "prefetch"):
                    wanted.setdefault(key, []).append(value)
    for key, values in wanted.items():
        VALUES[key].prefetch(values)


def entries(events) -> list[Entry]:
    """Events with their actor, action, object and changes in words; names in one query per
    kind of object."""
    _prefetch(events)
    ids: dict[str, set[str]] = {"User": {str(e.actor_id) for e in events if e.actor_id}}
    for event in events:
        if event.object_type and event.object_id:
            ids.setdefault(event.object_type, set()).add(event.object_id)
    names: dict[tuple[str, str], str] = {}
    for kind, wanted in ids.items():
        describe = OBJECTS[kind].describe if kind in OBJECTS else None
        for object_id, name in (describe(sorted(wanted)) if describe else {}).items():
            names[kind, object_id] = name
    out = []
    for event in events:
        kind = OBJECTS.get(event.object_type)
        label = str(kind.label) if kind else event.object_type
        name = names.get((event.object_type, event.object_id), event.object_id)
        actor = names.get(("User", str(event.actor_id)), event.actor_name)
        if event.actor_name in NOT_PEOPLE:
            actor = str(NOT_PEOPLE[event.actor_name])
        out.append(Entry(event, actor, action_label(event.action),
                         f"{label} {name}".strip() if event.object_type else "",
                         _changes(event.details or {})))
    return out
