"""Standard sets (救助标准): one county's money rules from a date on, as an immutable version.

A version is never updated (a flush that tries raises): new values make a new version, so a
decision that stored a version's id keeps meaning what it meant. Amounts are kept exactly as
scaled integers (fen for money), never floats.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..db import Base, utcnow
from ..regions.models import RegionScoped


class ScaledDecimal(TypeDecorator):
    """A Decimal stored as an integer of 10**-places units (money: places=2, i.e. fen)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2):
        super().__init__()
        self.places = places
        self.unit = Decimal(1).scaleb(-places)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        # half-up, as server.money rounds (the context default would round half-even)
        return int(Decimal(value).quantize(self.unit, rounding=ROUND_HALF_UP).scaleb(self.places))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places).quantize(self.unit)


Money = ScaledDecimal(2)
Factor = ScaledDecimal(4)


class DbMethod(str, enum.Enum):
    gap = "gap"  # 差额: (standard − per-capita income) × persons
    bands = "bands"  # 分档: a fixed amount per person by the size of the gap


class RoundingUnit(str, enum.Enum):
    yuan = "yuan"
    jiao = "jiao"
    fen = "fen"


class RoundingMode(str, enum.Enum):
    half_up = "half_up"  # 四舍五入
    up = "up"  # 进位 (any fraction rounds up)


class CareLevel(str, enum.Enum):
    """特困 self-care levels; the values are what cases store (Case.care_level)."""

    self_care = "全自理"
    partial = "半护理"
    full = "全护理"

    @property
    def label(self):
        """The level's name on a page (the value, Chinese, is what cases store)."""
        return CARE_LABELS[self]


CARE_LABELS = {CareLevel.self_care: _l("Fully self-caring"),
               CareLevel.partial: _l("Partly dependent"), CareLevel.full: _l("Fully dependent")}


class StandardSet(RegionScoped, Base):
    """The standards of one county (``region``) in force from ``effective_from``.

    Several versions may share a date (a correction): the newest one created wins.
    """

    __tablename__ = "standard_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(index=True)
    # 低保 standard, monthly yuan per person
    db_urban: Mapped[Decimal] = mapped_column(Money)
    db_rural: Mapped[Decimal] = mapped_column(Money)
    db_method: Mapped[str] = mapped_column(String(8), default=DbMethod.gap.value)
    db_minimum: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))  # per person
    # bands: [{"min_gap": "300.00", "amount": "400.00"}, ...], per person, any order
    db_bands: Mapped[list] = mapped_column(JSON, default=list)
    rounding_unit: Mapped[str] = mapped_column(String(8), default=RoundingUnit.yuan.value)
    rounding_mode: Mapped[str] = mapped_column(String(8), default=RoundingMode.half_up.value)
    # 特困: basic living = factor × 低保 standard unless an explicit amount is set
    tk_basic_factor: Mapped[Decimal] = mapped_column(Factor, default=Decimal("1.3"))
    tk_basic_urban: Mapped[Decimal | None] = mapped_column(Money)
    tk_basic_rural: Mapped[Decimal | None] = mapped_column(Money)
    care_self: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    care_partial: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    care_full: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # 临时救助: multiples of the monthly 低保 standard
    ls_township_multiple: Mapped[Decimal] = mapped_column(Factor, default=Decimal("3"))
    ls_max_multiple: Mapped[Decimal] = mapped_column(Factor, default=Decimal("12"))
    is_ls_cap_per_person: Mapped[bool] = mapped_column(default=False)
    # 低保边缘: per-capita income below factor × 低保 standard
    by_factor: Mapped[Decimal] = mapped_column(Factor, default=Decimal("1.5"))
    basis: Mapped[str] = mapped_column(String(200), default="")  # e.g. the county's document no.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")
    named_values: Mapped[list[StandardValue]] = relationship(
        back_populates="standard_set", order_by="StandardValue.position",
        cascade="all, delete-orphan")


class StandardValue(Base):
    """A value the county names itself (e.g. 事实无人抚养儿童保障标准) in one version.

    Part of the version: saved with it and as immutable, so a decision that stored the
    version's id keeps the named values it used. The name is how rules and formulas refer to
    it (an expression identifier: Chinese characters, letters, digits, underscores).
    """

    __tablename__ = "standard_value"
    __table_args__ = (UniqueConstraint("standard_set_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_set_id: Mapped[int] = mapped_column(ForeignKey("standard_set.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Money)
    unit: Mapped[str] = mapped_column(String(20), default="")  # e.g. 元/人/月, 元/年
    note: Mapped[str] = mapped_column(String(200), default="")

    standard_set: Mapped[StandardSet] = relationship(back_populates="named_values")


@event.listens_for(StandardSet, "before_update")
@event.listens_for(StandardValue, "before_update")
def _refuse_update(mapper, connection, target):
    raise ValueError(_l("A saved standard version cannot be changed; add a new version"))
