"""Monthly filings (备案) per township and month, reconciliation differences, reminders."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped


class FilingSettings(Base):
    """A county's monthly calendar: adjustments due by ``adjust_day``, payment and filing by
    ``filing_day``; reminders start ``remind_days`` before each."""

    __tablename__ = "filing_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), unique=True)
    adjust_day: Mapped[int] = mapped_column(default=15)
    filing_day: Mapped[int] = mapped_column(default=20)
    remind_days: Mapped[int] = mapped_column(default=3)

    @property
    def region_id(self) -> int:
        return self.county_id


class FilingStatus(str, enum.Enum):
    draft = "draft"  # being prepared (built, reconciled); editable
    submitted = "submitted"  # locked, waiting for the county
    accepted = "accepted"  # locked
    returned = "returned"  # the county sent it back with a comment; editable


LOCKED = frozenset({FilingStatus.submitted, FilingStatus.accepted})


class Filing(RegionScoped, Base):
    """One township's filing for one month. ``region`` is the township."""

    __tablename__ = "filing"
    __table_args__ = (UniqueConstraint("region_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    status: Mapped[FilingStatus] = mapped_column(
        Enum(FilingStatus, native_enum=False, length=16), default=FilingStatus.draft, index=True)
    build_status: Mapped[str] = mapped_column(String(16), default="")  # queued/running/done/failed
    build_error: Mapped[str] = mapped_column(Text, default="")
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    check_failures: Mapped[list] = mapped_column(JSON, default=list)
    roster_count: Mapped[int] = mapped_column(default=0)
    roster_total_fen: Mapped[int] = mapped_column(default=0)
    files: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> path under the data dir
    built_at: Mapped[datetime | None]
    bank_roster_name: Mapped[str] = mapped_column(String(200), default="")
    reconciled_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reopen_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    differences: Mapped[list[FilingDifference]] = relationship(
        back_populates="filing", order_by="FilingDifference.id", cascade="all, delete-orphan")

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED

    @property
    def unexplained(self) -> list[FilingDifference]:
        return [d for d in self.differences if not d.is_explained]


class FilingDifference(Base):
    """One line where the bank's roster and Jiuzhu's disagree; a note explains it."""

    __tablename__ = "filing_difference"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # missing / extra / amount / name / id_number
    id_number: Mapped[str] = mapped_column(String(18), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    expected: Mapped[str] = mapped_column(String(100), default="")  # Jiuzhu's value
    actual: Mapped[str] = mapped_column(String(100), default="")  # the bank's value
    note: Mapped[str] = mapped_column(Text, default="")
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    explained_at: Mapped[datetime | None]

    filing: Mapped[Filing] = relationship(back_populates="differences")

    @property
    def is_explained(self) -> bool:
        return bool(self.note.strip())


FilingDifference.__scope_via__ = (Filing, FilingDifference.filing_id)


class Reminder(RegionScoped, Base):
    """A dated reminder or late-filing flag for a township, shown on home panels."""

    __tablename__ = "filing_reminder"
    __table_args__ = (UniqueConstraint("region_id", "kind", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # adjust / filing / late
    month: Mapped[date]
    due_on: Mapped[date]
    message: Mapped[str] = mapped_column(String(300))
    is_resolved: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
