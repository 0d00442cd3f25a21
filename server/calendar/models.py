"""The county's holiday table: holidays and make-up working days (调休) it has entered.

A row overrides chinese-calendar for its date and supplies years the package does not know.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from ..regions.models import RegionScoped


class HolidayKind(str, enum.Enum):
    holiday = "holiday"  # a day off (the weekdays of a statutory holiday)
    makeup_workday = "makeup_workday"  # a weekend day worked in exchange (调休上班)


class Holiday(RegionScoped, Base):
    """One county-entered day; ``region`` is the county whose table it belongs to."""

    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("region_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    kind: Mapped[HolidayKind] = mapped_column(Enum(HolidayKind, native_enum=False, length=16))
    name: Mapped[str] = mapped_column(String(50), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_working(self) -> bool:
        return self.kind == HolidayKind.makeup_workday
