"""The delegation ledger (赋权清单): what the county delegated to each township, and when.

``DelegatedItem`` is one relief type's 审核确认 delegated to a township from ``starts_on`` to
``ends_on`` (inclusive; None: until withdrawn); delegation may be gradual, so a township can
hold some types and not others. ``DelegationTerms`` is the township's seal custodian
(首席代表) and the period of the 放权委托书.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..db import Base, utcnow
from ..regions.models import RegionScoped


class DelegatedItem(RegionScoped, Base):
    """One relief type delegated to a township (``region``) over a span of dates."""

    __tablename__ = "delegated_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    relief_type: Mapped[str] = mapped_column(String(8), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class DelegationTerms(RegionScoped, Base):
    """The township's seal custodian (首席代表: a user or a typed name) and the period."""

    __tablename__ = "delegation_terms"
    __table_args__ = (UniqueConstraint("region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    custodian_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    custodian_name: Mapped[str] = mapped_column(String(50), default="")
    custodian_post: Mapped[str] = mapped_column(String(50), default="首席代表")
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    letter_number: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    custodian_user: Mapped[User | None] = relationship()

    @property
    def custodian(self) -> str:
        """The custodian's name: the linked user's display name, else the typed name."""
        if self.custodian_user is not None:
            return self.custodian_user.display_name or self.custodian_user.username
        return self.custodian_name
