"""The append-only audit trail. Each event carries the hash of the one before it, so editing
or deleting a past event breaks the chain (``jiuzhu audit verify`` finds the first break).
Hashes are HMACs keyed outside the database, so an edited event cannot be re-hashed."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    def compute_hash(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 of the event and its predecessor's hash under ``key``; without a key
        the plain SHA-256 of events written before the chain was keyed."""
        payload = json.dumps(
            [self.prev_hash, self.actor_id, self.actor_name, self.action, self.object_type,
             self.object_id, self.region_id, self.created_at.isoformat(timespec="microseconds"),
             self.details, self.client_address],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        if key is None:
            return hashlib.sha256(payload.encode()).hexdigest()
        return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
