"""Archive numbers (a pattern per county, a counter per county/year/type) and bundle jobs."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped

# The "A" keeps archive numbers visibly apart from case numbers (220999-2026-DB-000123).
DEFAULT_PATTERN = "{county}-{year}-{type}-A{seq:06d}"


class ArchiveSettings(Base):
    """The county's archive-number pattern (fields: county, year, type, seq)."""

    __tablename__ = "archive_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), unique=True)
    number_pattern: Mapped[str] = mapped_column(String(80), default=DEFAULT_PATTERN)

    @property
    def region_id(self) -> int:
        return self.county_id


class ArchiveCounter(Base):
    """The last archive sequence number handed out per county, year and relief type.

    Taken under a row lock (SELECT … FOR UPDATE on PostgreSQL) so numbers stay unique.
    """

    __tablename__ = "archive_counter"
    __table_args__ = (UniqueConstraint("county_id", "year", "relief_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    year: Mapped[int]
    relief_type: Mapped[str] = mapped_column(String(4))
    last: Mapped[int] = mapped_column(default=0)


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    retrying = "retrying"
    done = "done"
    failed = "failed"


class ArchiveJob(RegionScoped, Base):
    """One bundle request (a case, or a township's cases of a month): the row the UI polls.

    ``region`` is the case's village (case jobs) or the township (batch jobs). ``worker`` and
    ``heartbeat_at`` show who runs it and when it last moved (recovery uses leases, server/jobs.py).
    """

    __tablename__ = "archive_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="case")  # case / batch
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"),
                                                index=True)
    month: Mapped[date | None]  # batch: first day of the month whose decisions are bundled
    status: Mapped[JobStatus] = mapped_column(Enum(JobStatus, native_enum=False, length=16),
                                              default=JobStatus.queued, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    worker: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    case = relationship("Case")

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.done, JobStatus.failed)


class ArchiveRetention(Base):
    """How long the county keeps one class of file (``archives.retention.CLASSES``):
    ``years`` counted from the class's start (assistance stopping, for approval files), or
    None for permanent."""

    __tablename__ = "archive_retention"
    __table_args__ = (UniqueConstraint("county_id", "doc_class"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    doc_class: Mapped[str] = mapped_column(String(32))
    years: Mapped[int | None]

    @property
    def region_id(self) -> int:
        return self.county_id
