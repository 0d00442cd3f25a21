"""Intake drafts (partial applications saved to continue later), uploaded scans and
case-number counters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped
from ..schemas.models import SchemaVersion


class IntakeDraft(RegionScoped, Base):
    """A partial application: answers pinned to the schema version they are being filled with.

    ``region`` is the region of the user who started it (township or village), so the
    township's clerks see the drafts of their villages' assistants but no other township's.
    """

    __tablename__ = "intake_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    relief_type: Mapped[str] = mapped_column(String(8), ForeignKey("relief_item.code"))
    schema_version_id: Mapped[int] = mapped_column(ForeignKey("schema_version.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(String(100), default="")  # applicant name so far
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))  # set once submitted
    submitted_at: Mapped[datetime | None]

    schema_version: Mapped[SchemaVersion] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.case_id is not None


class Upload(RegionScoped, Base):
    """A scan uploaded by a user: answers reference it by id, never by hash alone.

    ``region`` is the uploader's region, so only that region (and the regions above it) may
    attach it to an application; the bytes are kept by content hash under the data directory
    (``schemas.fields.stored_name``).
    """

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))  # pdf / jpeg / png, sniffed from the content
    content_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")

    def describe(self) -> dict:
        """The clean answer value of a file field that holds this upload."""
        return {"upload_id": self.id, "name": self.name, "kind": self.kind,
                "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


class CaseNumberCounter(Base):
    """The last sequence number handed out per county, year and relief type.

    A row locked while the next number is taken keeps numbers unique and gap-free under
    concurrent submissions (PostgreSQL row lock; SQLite serializes writers anyway).
    """

    __tablename__ = "case_number_counter"
    __table_args__ = (UniqueConstraint("county_code", "year", "relief_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int]
    relief_type: Mapped[str] = mapped_column(String(4))
    last: Mapped[int] = mapped_column(default=0)
