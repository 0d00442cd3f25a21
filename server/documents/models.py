"""Template versions, generated documents (provenance) and print jobs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..db import Base, utcnow
from ..regions.models import RegionScoped


class DocTemplateVersion(RegionScoped, Base):
    """An uploaded template of one kind for one county (``region`` is the county).

    The shipped file in ``doc_templates/`` is version 0 and has no row; every uploaded file is
    kept (content-addressed by SHA-256) so older documents stay reproducible.
    """

    __tablename__ = "doc_template_version"
    __table_args__ = (UniqueConstraint("region_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    number: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200), default="")
    path: Mapped[str] = mapped_column(String(300))  # relative to the data dir
    sha256: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    lint_warnings: Mapped[list] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]

    uploaded_by: Mapped[User | None] = relationship()


class GeneratedDocument(RegionScoped, Base):
    """One rendered document and what it was made from.

    ``region`` is the case's village, the village of a notice, or the township of a delegation
    letter. ``template_sha256`` names the template file even for the built-in version.
    """

    __tablename__ = "generated_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"),
                                                index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    template_version_id: Mapped[int | None] = mapped_column(ForeignKey("doc_template_version.id"))
    template_sha256: Mapped[str] = mapped_column(String(64))
    schema_version_id: Mapped[int | None] = mapped_column(ForeignKey("schema_version.id"))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    sha256: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(String(300))
    pdf_path: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template_version: Mapped[DocTemplateVersion | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class PrintJob(RegionScoped, Base):
    """A print pack being built by a worker; the page polls ``status``/``progress``."""

    __tablename__ = "print_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"),
                                                index=True)
    step: Mapped[str] = mapped_column(String(32))
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # running/done/failed
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    result_path: Mapped[str | None] = mapped_column(String(300))
    result_type: Mapped[str | None] = mapped_column(String(8))  # "pdf" or "zip"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def is_finished(self) -> bool:
        return self.status in {"done", "failed"}


class OfficeContact(RegionScoped, Base):
    """Contact lines printed on documents, one row per township (or the county's own office)."""

    __tablename__ = "office_contact"
    __table_args__ = (UniqueConstraint("region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    objection_phone: Mapped[str] = mapped_column(String(40), default="")
    objection_address: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SealUse(RegionScoped, Base):
    """One final print of a document bearing the 委托事项专用章 (审批专用章使用登记).

    ``region`` is the township whose seal is used (so its custodian and the county see it);
    ``sha256`` is of the exact file handed out. A reprint is a new row.
    """

    __tablename__ = "seal_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("generated_document.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    case_number: Mapped[str] = mapped_column(String(40), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    printed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    document: Mapped[GeneratedDocument] = relationship()
    printed_by: Mapped[User | None] = relationship()
