"""Cases and the household rows they carry.

A case is one application of one relief type for one household, in one village. Its answers
are pinned to the schema version they were filled with; members are real rows with indexed
ID numbers so duplicates across cases are found by query.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped
from ..relief import ReliefCode
from ..schemas.models import SchemaVersion


class Case(RegionScoped, Base):
    """``region`` is the applicant's village (so township and county scoping cover it)."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    relief_type: Mapped[ReliefCode] = mapped_column(Enum(ReliefCode, native_enum=False, length=4),
                                                    index=True)
    schema_version_id: Mapped[int] = mapped_column(ForeignKey("schema_version.id"))
    state: Mapped[str] = mapped_column(String(32), default="accepted", index=True)
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_id_number: Mapped[str] = mapped_column(String(18), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    accepted_on: Mapped[date | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    # Decision and payment facts, shared by the workflow, documents, archives and filings.
    urban_rural: Mapped[str] = mapped_column(String(8), default="rural")  # of the household
    persons_covered: Mapped[int] = mapped_column(default=0)
    decided_at: Mapped[datetime | None]
    monthly_amount_fen: Mapped[int] = mapped_column(default=0)  # DB/TK monthly payment
    one_off_amount_fen: Mapped[int] = mapped_column(default=0)  # LS one-off payment
    payment_start_month: Mapped[date | None]  # first day of the first paid month
    payment_end_month: Mapped[date | None]  # first day of the last paid month, once stopped
    care_level: Mapped[str | None] = mapped_column(String(16))  # TK: 全自理/半护理/全护理
    is_concentrated: Mapped[bool] = mapped_column(default=False)  # TK: 集中供养
    ls_kind: Mapped[str | None] = mapped_column(String(16))  # LS: emergency / spending
    archive_number: Mapped[str | None] = mapped_column(String(40), unique=True)

    schema_version: Mapped[SchemaVersion] = relationship()
    members: Mapped[list[Member]] = relationship(back_populates="case", order_by="Member.position",
                                                 cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def applicant(self) -> Member | None:
        return next((m for m in self.members if m.is_applicant), None)


class Member(Base):
    """A household member as recorded in a case."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    relationship_: Mapped[str] = mapped_column("relationship", String(20), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")  # "M" / "F", derived from the ID
    birth_date: Mapped[date | None]
    is_applicant: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # the row's other answers

    case: Mapped[Case] = relationship(back_populates="members")
