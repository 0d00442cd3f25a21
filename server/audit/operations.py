"""Writing to the audit trail. Every operation that changes data records an event here."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text

from ..db import db, utcnow
from .models import AuditEvent


def _client_address() -> str:
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def _current_actor():
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return None


def record(action: str, obj=None, *, details: dict | None = None, actor=None,
           actor_name: str | None = None, region_id: int | None = None) -> AuditEvent:
    """Append an event to the hash chain (in the caller's transaction)."""
    session = db.session
    actor = actor or _current_actor()
    if session.get_bind().dialect.name == "postgresql":
        # serialize writers so each event links to the true predecessor
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    session.flush()
    prev = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if region_id is None and obj is not None:
        region_id = getattr(obj, "region_id", None)
    if region_id is None and actor is not None:
        region_id = actor.region_id
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor_name or (actor.username if actor is not None else "system"),
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        region_id=region_id,
        created_at=utcnow(),
        details=details or {},
        client_address=_client_address(),
        prev_hash=prev or "",
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


def verify_chain() -> tuple[int, AuditEvent | None]:
    """Walk the chain in order. Returns (events checked, first broken event or None)."""
    prev_hash, count = "", 0
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(500):
        if event.prev_hash != prev_hash or event.compute_hash() != event.hash:
            return count, event
        prev_hash, count = event.hash, count + 1
    return count, None
