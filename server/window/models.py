"""The one window (一门受理、协同办理): every request the township window receives, Jiuzhu case
or not, the department it is referred to, and the two clocks (Jiangyin seed): the referral
leaves within 2 working days, the result reaches the applicant within 2 days of completion."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..db import Base, utcnow
from ..regions.models import RegionScoped


class WindowDepartment(RegionScoped, Base):
    """A department the county's windows refer to (``region`` is the county)."""

    __tablename__ = "window_department"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    matters: Mapped[str] = mapped_column(String(200), default="")  # what it handles, in words
    is_active: Mapped[bool] = mapped_column(default=True)


class WindowRequest(RegionScoped, Base):
    """One request registered at a township window (``region`` is the township)."""

    __tablename__ = "window_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    applicant_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(40), default="")
    matter: Mapped[str] = mapped_column(String(20))  # a MATTERS key
    description: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date]
    referral_due_on: Mapped[date]
    department_id: Mapped[int | None] = mapped_column(ForeignKey("window_department.id"))
    referred_on: Mapped[date | None]
    completed_on: Mapped[date | None]  # the department finished handling it
    result: Mapped[str] = mapped_column(Text, default="")
    feedback_due_on: Mapped[date | None]
    fed_back_on: Mapped[date | None]  # the result reached the applicant
    satisfaction: Mapped[str | None] = mapped_column(String(16))  # a SATISFACTION key
    satisfaction_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[WindowDepartment | None] = relationship()
    created_by: Mapped[User | None] = relationship()
