"""Roll imports (a county's current recipients read from a file, as a background job) and the
county's saved column layouts for the provincial exports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from ..regions.models import RegionScoped


class RollImport(RegionScoped, Base):
    """One uploaded roll file checked (``is_dry_run``) or imported. ``region`` is the county.

    ``status`` is a job status (queued/running/retrying/done/failed); ``problems`` lists every
    problem found as ``{"row", "column", "message"}`` (Chinese), row numbers as in the file.
    """

    __tablename__ = "roll_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(200))  # the stored upload, under the data dir
    is_dry_run: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    message: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[list] = mapped_column(JSON, default=list)
    problem_count: Mapped[int] = mapped_column(default=0)
    households: Mapped[int] = mapped_column(default=0)  # in the file
    members: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)  # households imported by this run
    skipped: Mapped[int] = mapped_column(default=0)  # households already imported before
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def is_finished(self) -> bool:
        return self.status in ("done", "failed")


class RollMapping(RegionScoped, Base):
    """A county's column layout of one export (``layout``: roll / changes): the columns in
    order as ``[[key, title], ...]``, to match its province's import form."""

    __tablename__ = "roll_mapping"
    __table_args__ = (UniqueConstraint("region_id", "layout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    layout: Mapped[str] = mapped_column(String(16))
    columns: Mapped[list] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
