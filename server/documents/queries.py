"""Reads for documents: templates in force, documents of a case, print jobs, office lines."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..config import ROOT
from ..db import db
from ..extensions import data_dir
from ..faults import atomic_write
from ..regions.queries import scoped
from .models import DocTemplateVersion, GeneratedDocument, OfficeContact, PrintJob, SealUse

BUILTIN_DIR = ROOT / "doc_templates"


def builtin_path(kind: str) -> Path:
    return BUILTIN_DIR / f"{kind}.docx"


def template_store() -> Path:
    path = data_dir() / "templates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_template_bytes(data: bytes, sha: str) -> str:
    """Keep a template file by content hash (relative path in the data dir)."""
    path = template_store() / f"{sha}.docx"
    if not path.exists():
        atomic_write(path, data)
    return str(path.relative_to(data_dir()))


def active_version(kind: str, county) -> DocTemplateVersion | None:
    """The uploaded version in force for the county, or None for the built-in one."""
    if county is None:
        return None
    return db.session.scalars(select(DocTemplateVersion).where(
        DocTemplateVersion.kind == kind, DocTemplateVersion.region_id == county.id,
        DocTemplateVersion.is_active.is_(True))).first()


def template_for(kind: str, county) -> tuple[DocTemplateVersion | None, bytes]:
    """(version or None for built-in, template bytes) in force for a county."""
    from .rendering import sha256

    version = active_version(kind, county)
    if version is not None:
        return version, (data_dir() / version.path).read_bytes()
    data = builtin_path(kind).read_bytes()
    store_template_bytes(data, sha256(data))  # the built-in file may change with upgrades
    return None, data


def versions_of(kind: str, county) -> list[DocTemplateVersion]:
    return list(db.session.scalars(scoped(DocTemplateVersion).where(
        DocTemplateVersion.kind == kind, DocTemplateVersion.region_id == county.id)
        .order_by(DocTemplateVersion.number.desc())))


def version_by_number(kind: str, county, number: int) -> DocTemplateVersion | None:
    """Uploaded version ``number`` of the kind in the county (None when there is none)."""
    return db.session.scalars(scoped(DocTemplateVersion).where(
        DocTemplateVersion.kind == kind, DocTemplateVersion.region_id == county.id,
        DocTemplateVersion.number == number)).first()


def template_bytes(kind: str, version: DocTemplateVersion | None) -> bytes:
    """An uploaded version's file, or the built-in template when ``version`` is None."""
    if version is None:
        return builtin_path(kind).read_bytes()
    return (data_dir() / version.path).read_bytes()


def preview_village():
    """The first village under the user's region: previews use its sample household."""
    from ..regions.models import Region, RegionLevel

    return db.session.scalars(scoped(Region).where(Region.level == RegionLevel.village)
                              .order_by(Region.code)).first()


def documents_for_case(case) -> list[GeneratedDocument]:
    """Generated documents of a case, newest first (the case page lists them)."""
    return list(db.session.scalars(scoped(GeneratedDocument).where(
        GeneratedDocument.case_id == case.id).order_by(GeneratedDocument.id.desc())))


def download_name(document: GeneratedDocument, suffix: str) -> str:
    """The file name a download offers: case number, title and id."""
    from ..cases.models import Case

    label = document.kind
    if document.case_id:
        case = db.session.get(Case, document.case_id)
        label = f"{case.case_number}-{document.title}" if case else document.title
    return f"{label}-{document.id}{suffix}"


def recent_documents(limit: int = 30) -> list[GeneratedDocument]:
    return list(db.session.scalars(scoped(GeneratedDocument)
                                   .order_by(GeneratedDocument.id.desc()).limit(limit)))


def recent_jobs(limit: int = 10) -> list[PrintJob]:
    return list(db.session.scalars(scoped(PrintJob).order_by(PrintJob.id.desc()).limit(limit)))


def soffice_path() -> str | None:
    """The LibreOffice binary if it is installed, else None (PDF then unavailable)."""
    configured = current_app.config.get("SOFFICE") or "soffice"
    if Path(configured).is_absolute():
        return configured if Path(configured).exists() else None
    return shutil.which(configured)


def office_row(region) -> OfficeContact | None:
    if region is None:
        return None
    return db.session.scalars(select(OfficeContact).where(
        OfficeContact.region_id == region.id)).first()


def office_for(region) -> dict:
    """Contact lines for documents of a region: its township's office and the county's."""
    township = region.township if region is not None else None
    county = region.county if region is not None else None
    row, county_row = office_row(township), office_row(county)
    default_name = f"{township.name}人民政府" if township else (
        f"{county.name}民政局" if county else None)
    return {
        "name": (row.office_name if row and row.office_name else default_name),
        "phone": row.phone if row else None,
        "address": row.address if row else None,
        "objection_phone": (row.objection_phone or row.phone) if row else None,
        "objection_address": (row.objection_address or row.address) if row else None,
        "county_office": (county_row.office_name if county_row and county_row.office_name
                          else (f"{county.name}民政局" if county else None)),
        "county_phone": county_row.phone if county_row else None,
    }


def seal_log(township_id: int | None = None, month=None, limit: int = 500) -> list[SealUse]:
    """The seal-use log under the caller's region, newest first; by township and/or month
    (local calendar month of the print)."""
    from datetime import time

    from ..periods import add_months, to_utc

    stmt = scoped(SealUse)
    if township_id:
        stmt = stmt.where(SealUse.region_id == township_id)
    if month is not None:
        start = to_utc(datetime.combine(month, time()))
        end = to_utc(datetime.combine(add_months(month, 1), time()))
        stmt = stmt.where(SealUse.printed_at >= start, SealUse.printed_at < end)
    return list(db.session.scalars(stmt.order_by(SealUse.id.desc()).limit(limit)))
