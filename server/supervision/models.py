"""Spot-check draws (抽查): what was drawn, from which population, with which seed, and the
checks each assigned to a county supervisor. A redraw is a new numbered row; none is deleted."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped


class SpotCheckDraw(RegionScoped, Base):
    """One draw of one township's month. ``region`` is the township; ``number`` counts the draws
    of that month (a second one needs a reason); only the newest is ``is_current``."""

    __tablename__ = "spot_check_draw"
    __table_args__ = (UniqueConstraint("region_id", "month", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(index=True)
    number: Mapped[int] = mapped_column(default=1)
    seed: Mapped[str] = mapped_column(String(20))  # a 64-bit unsigned integer, as decimal text
    rate_percent: Mapped[int]
    population: Mapped[list] = mapped_column(JSON, default=list)  # new recipients' case ids, sorted
    drawn: Mapped[list] = mapped_column(JSON, default=list)  # case ids drawn at random, sorted
    must_visit: Mapped[dict] = mapped_column(JSON, default=dict)  # case id -> must-visit sources
    reason: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    checks: Mapped[list[SpotCheck]] = relationship(
        back_populates="draw", order_by="SpotCheck.id", cascade="all, delete-orphan")
    created_by = relationship("User", foreign_keys=[created_by_id])


class SpotCheck(Base):
    """One case to visit in a draw, with why (drawn at random and/or a must-visit source)."""

    __tablename__ = "spot_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draw.id", ondelete="CASCADE"),
                                         index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    sources: Mapped[list] = mapped_column(JSON, default=list)  # "random", "relative", "doubt"…
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    draw: Mapped[SpotCheckDraw] = relationship(back_populates="checks")
    case = relationship("Case")
    assignee = relationship("User", foreign_keys=[assignee_id])


SpotCheck.__scope_via__ = (SpotCheckDraw, SpotCheck.draw_id)

from .evaluation_models import CloseSupervisionMark, EvaluationSetting  # noqa: E402,F401

# --- 复核 review and correction (point 4) ------------------------------------------------


class Review(RegionScoped, Base):
    """A county review (复核) of one township decision on a case. ``region`` is the case's
    township (a township sees its own reviews); ``source`` says what opened it (objection,
    complaint, finding, register, other) and ``source_ref`` the id of that record, if any."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16))  # registry.REVIEW_OUTCOMES key
    amount_fen: Mapped[int | None]  # the corrected monthly amount
    decided_on: Mapped[date | None] = mapped_column(index=True)
    case_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case = relationship("Case")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


# --- 一事一议 meetings and the reserve fund (point 8) -------------------------------------


class Meeting(RegionScoped, Base):
    """A township's 会商 meeting: who met, when, and the cases it sends up to the county's
    joint meeting (一事一议). ``region`` is the township."""

    __tablename__ = "consultation_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date]
    attendees: Mapped[list] = mapped_column(JSON, default=list)  # names
    case_ids: Mapped[list] = mapped_column(JSON, default=list)  # the items sent up
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReserveEntry(RegionScoped, Base):
    """One line of a township's 临时救助备用金 ledger: a county top-up (positive) or emergency
    aid paid out (negative). The balance is the sum; lines are never edited."""

    __tablename__ = "reserve_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "top_up" or "draw"
    amount_fen: Mapped[int]  # signed
    on: Mapped[date] = mapped_column(index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case = relationship("Case")


# --- check findings and rectification (整改) ---------------------------------------------


class CheckFinding(Base):
    """What the home visit of one spot check found. ``problems`` lists finding keys of
    ``registry.FINDINGS`` (empty: the case was found correct). Recorded once; it is evidence."""

    __tablename__ = "check_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("spot_check.id", ondelete="CASCADE"),
                                          unique=True)
    visited_on: Mapped[date]
    people_met: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    check = relationship(SpotCheck, backref=backref("finding", uselist=False))
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    evidence: Mapped[list[Evidence]] = relationship(
        primaryjoin="Evidence.finding_id == CheckFinding.id", order_by="Evidence.id",
        viewonly=True)


CheckFinding.__scope_via__ = (SpotCheck, CheckFinding.check_id)


class Rectification(RegionScoped, Base):
    """A township's 整改 of a check that found a problem. ``region`` is the township; the
    state runs open → answered → closed, or answered → returned → answered again."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("spot_check.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    opened_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    check = relationship(SpotCheck, backref=backref("rectification", uselist=False))
    case = relationship("Case")
    steps: Mapped[list[RectificationStep]] = relationship(
        back_populates="rectification", order_by="RectificationStep.id",
        cascade="all, delete-orphan")


class RectificationStep(Base):
    """One step of a rectification: the township's answer, or the county closing/returning it."""

    __tablename__ = "rectification_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectification.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # answer / close / return
    text: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rectification: Mapped[Rectification] = relationship(back_populates="steps")
    actor = relationship("User")
    evidence: Mapped[list[Evidence]] = relationship(
        primaryjoin="Evidence.step_id == RectificationStep.id", order_by="Evidence.id",
        viewonly=True)


RectificationStep.__scope_via__ = (Rectification, RectificationStep.rectification_id)


class Evidence(Base):
    """An uploaded file (intake's ``Upload``, checked by content) attached to a check's
    finding or to a rectification step."""

    __tablename__ = "supervision_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"))
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_finding.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(
        ForeignKey("rectification_step.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    upload = relationship("Upload")


# --- complaints (举报) and hotline records -----------------------------------------------


class Complaint(RegionScoped, Base):
    """A complaint or hotline record. ``region`` is the county: townships never see complaints
    (one about their staff must stay hidden from them). ``township_id`` is the township it
    concerns; ``reference`` is the unguessable number a public complainant asks about."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    concerns: Mapped[str] = mapped_column(String(12))  # case / staff / township
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    complainant_name: Mapped[str] = mapped_column(String(100), default="")
    complainant_phone: Mapped[str] = mapped_column(String(40), default="")
    content: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    findings: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16))  # substantiated / unsubstantiated
    reply: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region = relationship("Region", foreign_keys="Complaint.region_id")
    case = relationship("Case")
    township = relationship("Region", foreign_keys=[township_id])
    staff_user = relationship("User", foreign_keys=[staff_user_id])
    handler = relationship("User", foreign_keys=[handler_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
