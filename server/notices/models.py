"""The public side: posted notices (one row per printed version, found by an unguessable
token), what the public sends in (objections and reports, found by a receipt number), the
photo of a posted notice, the county's policy notice lines and the public rate counters."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped

STATUS_LABELS = {"received": _l("Received (public submission)"),
                 "checking": _l("Being checked (public submission)"),
                 "answered": _l("Answered (public submission)")}
KIND_LABELS = {"objection": _l("Objection to a notice"), "report": _l("Report from the public")}


class PostedNotice(RegionScoped, Base):
    """One version of a village notice as printed. ``region`` is the village.

    ``snapshot`` is exactly the public part of the printed context (region names, office
    lines, rows, totals, period); ``case_ids`` maps each row to its case and is never shown.
    The same content printed again keeps its token; a new content is a new version and only
    the newest of a village and kind ``is_current``."""

    __tablename__ = "posted_notice"
    __table_args__ = (UniqueConstraint("region_id", "kind", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    case_ids: Mapped[list] = mapped_column(JSON, default=list)
    is_current: Mapped[bool] = mapped_column(default=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("generated_document.id", ondelete="SET NULL"))
    photo_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    photo_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]

    photo = relationship("Upload")


class PublicSubmission(RegionScoped, Base):
    """An objection to a listed household or a report of a problem, sent by anyone.

    ``region`` is the notice's village (or the township/county the sender chose); ``receipt``
    is what the sender keeps to look up the status. The sender's text, name and phone are
    for the office only and never shown publicly."""

    __tablename__ = "public_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "objection" or "report"
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("posted_notice.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"),
                                                index=True)
    row_number: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="received")  # checking, answered
    answer: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checking_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    # a report handed to the county's complaints (举报): its status and reply are the complaint's
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))

    notice = relationship(PostedNotice)
    case = relationship("Case")
    handled_by = relationship("User")


class PolicyNotice(RegionScoped, Base):
    """The county's lines of the printed policy notice (认定条件, 申请程序, complaint lines).
    ``region`` is the county; the standards in force come from the standards room."""

    __tablename__ = "policy_notice"
    __table_args__ = (UniqueConstraint("region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conditions: Mapped[str] = mapped_column(Text, default="")
    procedure: Mapped[str] = mapped_column(Text, default="")
    complaint_phone: Mapped[str] = mapped_column(String(40), default="")
    complaint_address: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RateCounter(Base):
    """Requests per (scope, client, window) for the public pages, shared by every thread and
    process through the database. ``client`` is a keyed hash of the address, never the IP."""

    __tablename__ = "rate_counter"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    client: Mapped[str] = mapped_column(String(32), primary_key=True)
    window: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def period_of(snapshot: dict) -> tuple[date | None, date | None]:
    """The printed period (start, end) of a snapshot, as dates."""
    period = snapshot.get("period") or {}
    return (date.fromisoformat(period["start"]) if period.get("start") else None,
            date.fromisoformat(period["end"]) if period.get("end") else None)
