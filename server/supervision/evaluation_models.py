"""Township evaluation (联评) records: the county's weights and bottom-township rule, and the
townships marked for close supervision next year (列为次年度重点督导单位)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped


class EvaluationSetting(RegionScoped, Base):
    """One county's evaluation settings. ``region`` is the county; ``weights`` maps a metric
    key to a whole-number weight (a missing key means the default weight); the bottom rule is
    a count of townships or a percentage of them."""

    __tablename__ = "evaluation_setting"
    __table_args__ = (UniqueConstraint("region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    bottom_kind: Mapped[str] = mapped_column(String(8), default="count")  # count / percent
    bottom_value: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CloseSupervisionMark(RegionScoped, Base):
    """A township marked for close supervision in ``year``, from the evaluation of ``period``
    (its key, e.g. ``2026``) where it ranked ``rank`` with ``score``. One per township and
    year; never deleted (the audit trail names who marked it)."""

    __tablename__ = "close_supervision_mark"
    __table_args__ = (UniqueConstraint("region_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    period: Mapped[str] = mapped_column(String(10))
    rank: Mapped[int]
    score: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    marked_by = relationship("User", foreign_keys=[marked_by_id])
