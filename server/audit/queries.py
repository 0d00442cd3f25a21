"""Reads of the audit trail."""
from __future__ import annotations

from sqlalchemy import select

from ..db import db
from .models import AuditEvent


def chain_head() -> tuple[int, str] | None:
    """The newest event's id and hash: printed on monthly filings so a later cut of the chain
    shows against paper (None while the trail is empty)."""
    row = db.session.execute(select(AuditEvent.id, AuditEvent.hash)
                             .order_by(AuditEvent.id.desc()).limit(1)).first()
    return (row.id, row.hash) if row is not None else None
