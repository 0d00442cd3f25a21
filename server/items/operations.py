"""Writes of relief items: a county's unpublished item, and the shipped rows kept equal to
``forms/items.yaml``. An item is checked with the file's schema and rules (``load_items``), so
the API names the same problems at the same paths (``unit``, ``settings.publicity_days``)."""
from __future__ import annotations

import json
from collections.abc import Callable

from flask import has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..audit.operations import record
from ..db import db
from ..relief import ItemsError, load_items
from . import queries
from .models import ReliefItem, sync_shipped

FIELDS = ("name", "name_en", "short_name", "short_name_en", "unit", "family", "is_paid",
          "basis", "settings")
CHANGED = "relief_items_changed"  # session.info: drop the cached items after the commit

SettingsCheck = Callable[[dict], list[tuple[str, str]]]
_settings_checks: list[SettingsCheck] = []


def check_settings_with(check: SettingsCheck) -> None:
    """Register ``check(settings) -> [(key, message)]``: the room that owns the procedure
    settings (cases) refuses unknown keys and bad values of a county's item."""
    _settings_checks.append(check)


def _problems(raw: dict) -> list[tuple[str, str]]:
    """Every problem of one item, at its path within the item (``unit``, ``settings.x``)."""
    try:
        load_items(json.dumps({"format": 1, "items": [raw]}, ensure_ascii=False))
    except ItemsError as exc:
        return [(path.removeprefix("items[0]").removeprefix("."), message)
                for path, message in exc.problems]
    settings = raw.get("settings") or {}
    return [(f"settings.{key}" if key else "settings", message)
            for check in _settings_checks for key, message in check(settings)]


def save_item(county, code: str, data: dict, actor) -> ReliefItem:
    """Create or update the county's unpublished item ``code`` from ``data`` (the fields of
    ``FIELDS``; missing optional ones are empty). Raises ItemsError with every problem's path;
    a shipped, published or other county's item is refused at ``code``."""
    raw = {"code": code, **{k: data[k] for k in FIELDS if k in data}}
    problems = _problems(raw)
    row = db.session.get(ReliefItem, code) if queries.CODE.fullmatch(str(code)) else None
    if row is not None and (row.is_shipped or row.county_id != county.id):
        problems.insert(0, ("code", f"代码 {code} 已被其他救助项目使用"))
    elif row is not None and row.is_active:
        problems.insert(0, ("code", f"救助项目 {code} 已发布，不能再修改"))
    if problems:
        raise ItemsError(problems)
    values = {"name_en": "", "short_name_en": "", "basis": "", "settings": {}, **{
        k: raw[k] for k in FIELDS if k in raw}}
    is_new = row is None
    if is_new:
        position = db.session.scalar(select(func.max(ReliefItem.position))) or 0
        row = ReliefItem(code=code, position=position + 1, county_id=county.id,
                         is_shipped=False, is_active=False)
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record("item.create" if is_new else "item.update", row, actor=actor,
           details={"code": code, "name": row.name, "family": row.family})
    return row


def sync_shipped_items() -> list[str]:
    """Bring the shipped rows in line with ``forms/items.yaml`` (``jiuzhu db upgrade``)."""
    written = sync_shipped(db.session.connection())
    if written:
        record("item.sync", details={"codes": ", ".join(written)}, actor_name="system")
        db.session.info[CHANGED] = True
    return written


@event.listens_for(Session, "after_flush")
def _note_item_writes(session, _context) -> None:
    """Any flushed change of an item row (an operation, a test) drops the cache at commit."""
    if any(isinstance(obj, ReliefItem)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session) -> None:
    if session.info.pop(CHANGED, False) and has_app_context():
        queries.forget()
