"""Reads of relief items: the items in force (cached per app) and the rows an admin sees."""
from __future__ import annotations

import json
import re
import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..db import db
from ..relief import FILE_ITEMS, ITEMS_SCHEMA, ReliefType
from .models import ReliefItem

CODE = re.compile(json.loads(ITEMS_SCHEMA.read_text(encoding="utf-8"))
                  ["properties"]["items"]["items"]["properties"]["code"]["pattern"])
"""What a code looks like (the items file's pattern): anything else names no item."""
CACHE_KEY = "relief_items"
CACHE_SECONDS = 60.0  # how soon another server process sees an item written elsewhere


def _load() -> dict[str, ReliefType] | None:
    """The published items: the shipped ones (from the file where a row is missing, e.g. on a
    database not yet synced), then the county's, in their order. One query, on its own
    connection so the cache holds committed rows only. None before the table exists (a
    database still to be upgraded)."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(select(ReliefItem.__table__).where(ReliefItem.is_active)
                                .order_by(ReliefItem.position, ReliefItem.code)).all()
    except (OperationalError, ProgrammingError):
        return None
    kinds = {row.code: ReliefItem(**row._mapping).as_type() for row in rows}
    items = {code: kinds.pop(code, kind) for code, kind in FILE_ITEMS.items()}
    items.update(kinds)
    return items


def items_in_force() -> dict[str, ReliefType]:
    """What ``RELIEF_TYPES`` serves in an app context: loaded once per app and kept for
    ``CACHE_SECONDS``, dropped when an item is written (``forget``), so a page that looks up
    items a hundred times costs no query."""
    cache = current_app.extensions.get(CACHE_KEY)
    now = time.monotonic()
    if cache is None or now - cache[0] > CACHE_SECONDS:
        items = _load()
        if items is None:
            return FILE_ITEMS
        cache = (now, items)
        current_app.extensions[CACHE_KEY] = cache
    return cache[1]


def forget(app=None) -> None:
    """Drop the cached items (after an item is written and committed)."""
    (app or current_app).extensions.pop(CACHE_KEY, None)


def rows(county_id: int | None = None) -> list[ReliefItem]:
    """Every item an admin of the county sees: the shipped ones and the county's own."""
    stmt = select(ReliefItem).order_by(ReliefItem.position, ReliefItem.code)
    if county_id is not None:
        stmt = stmt.where(ReliefItem.is_shipped | (ReliefItem.county_id == county_id))
    return list(db.session.scalars(stmt))


def find(code: str, county_id: int | None = None) -> ReliefItem | None:
    """One item by code, if the county may see it."""
    row = db.session.get(ReliefItem, code) if CODE.fullmatch(code or "") else None
    if row is None or (county_id is not None and not row.is_shipped
                       and row.county_id != county_id):
        return None
    return row
