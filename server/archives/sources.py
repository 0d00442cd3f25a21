"""What goes into a bundle, read from the rooms that own it: generated documents, uploaded
scans, the archive cover and file inventory, PDF conversion.

Each function is the single place a bundle touches another room, so a change there is wired
here only. Everything is read defensively: a missing file is skipped, never a crash.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..db import db
from ..extensions import data_dir

ARCHIVE_KINDS = ("archive_cover", "file_inventory")
SCAN_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}
IMAGE_SUFFIXES = SCAN_SUFFIXES - {".pdf"}
PATH_KEYS = ("path", "stored_path", "file_path", "storage_path")
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # as documents.rendering.FIXED_ZIP_TIME


class TransientError(Exception):
    """A failure worth retrying (converter busy or timed out, file system hiccup)."""


@dataclass
class SourceFile:
    """One file of the bundle before it is placed: where it is and what it is."""

    path: Path
    kind: str  # a document kind, or "scan"
    title: str
    template: str = ""  # the template's SHA-256 (documents only)
    sha256: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.sha256:
            self.sha256 = file_sha256(self.path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _resolve(relative: str) -> Path | None:
    """A stored path (relative to the data dir, or absolute inside it) if the file exists."""
    root = data_dir().resolve()
    try:
        path = (root / relative).resolve()
    except (OSError, ValueError):
        return None
    if root not in path.parents or not path.is_file():
        return None
    return path


# -- generated documents ----------------------------------------------------------------------

def case_documents(case) -> list[SourceFile]:
    """The newest generated document of each kind for the case, oldest kind first."""
    from ..documents.models import GeneratedDocument

    rows = db.session.scalars(
        select(GeneratedDocument).where(GeneratedDocument.case_id == case.id,
                                        GeneratedDocument.kind.not_in(ARCHIVE_KINDS))
        .order_by(GeneratedDocument.created_at, GeneratedDocument.id)
    ).all()
    newest = {}
    for row in rows:
        newest.pop(row.kind, None)  # keep insertion order of the newest version
        newest[row.kind] = row
    out = []
    for row in newest.values():
        path = _resolve(row.path) if row.path else None
        if path is None:
            continue
        pdf = _resolve(row.pdf_path) if row.pdf_path else None
        out.append(SourceFile(path, row.kind, row.title or row.kind, row.template_sha256 or "",
                              extra={"pdf": pdf, "document_id": row.id}))
    return out


# -- scans ------------------------------------------------------------------------------------

def _file_refs(value):
    """Yield (stored path, display name) for every file reference inside case answers."""
    if isinstance(value, dict):
        for key in PATH_KEYS:
            ref = value.get(key)
            if isinstance(ref, str) and Path(ref).suffix.lower() in SCAN_SUFFIXES:
                name = value.get("filename") or value.get("name") or Path(ref).name
                yield ref, str(name)
                break
        for item in value.values():
            if isinstance(item, (dict, list)):
                yield from _file_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_refs(item)


def case_scans(case) -> list[SourceFile]:
    """Uploaded scans referenced from the case answers (and upload rows, once they exist)."""
    seen, out = set(), []
    for ref, name in _file_refs(case.answers or {}):
        path = _resolve(ref)
        if path is None or path in seen:
            continue
        seen.add(path)
        out.append(SourceFile(path, "scan", name))
    return out


# -- archive cover and file inventory ---------------------------------------------------------

def normalize_docx(data: bytes) -> bytes:
    """Fixed ZIP entry dates so equal content gives equal bytes (the documents room's rule)."""
    from ..documents.rendering import stable_zip

    return stable_zip(data)


def render_archive_document(case, kind: str, options: dict) -> bytes:
    """Render the archive cover or file inventory (.docx bytes with fixed entry dates).

    ``options``: ``copy`` (county/township), ``copy_label``, ``fields`` (cover) or
    ``entries`` (inventory rows: title, pages = page range, note). Goes through the documents
    room's pipeline when it offers an in-memory renderer, ``_fallback_render`` otherwise.
    """
    renderer = _documents_renderer()
    if renderer is not None:
        return normalize_docx(renderer(case, kind, options))
    return normalize_docx(_fallback_render(case, kind, options))


def _documents_renderer():
    """The documents room's ``render_bytes(case, kind, options) -> bytes``, once it exists."""
    try:
        from ..documents import operations as documents_operations
    except ImportError:
        return None
    return getattr(documents_operations, "render_bytes", None)


def _fallback_render(case, kind: str, options: dict) -> bytes:
    """A plain python-docx cover/inventory (no template), for when no renderer is wired."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    doc.add_heading("社会救助档案" if kind == "archive_cover" else "卷内目录", level=0)
    doc.add_paragraph(options["copy_label"])
    if kind == "archive_cover":
        from ..documents.rendering import barcode_png

        doc.add_picture(io.BytesIO(barcode_png(case.archive_number)), width=Mm(80))
        for label, value in options["fields"]:
            doc.add_paragraph(f"{label}：{value}")
    else:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("序号", "文件题名", "页号", "备注")):
            cell.text = text
        for number, row in enumerate(options["entries"], 1):
            for cell, text in zip(table.add_row().cells,
                                  (number, row["title"], row["pages"], row["note"])):
                cell.text = str(text)
    doc.core_properties.created = doc.core_properties.modified = datetime(2000, 1, 1)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# -- PDF --------------------------------------------------------------------------------------

def pdf_enabled() -> bool:
    """PDF output: on when LibreOffice is found, unless ARCHIVE_PDF says otherwise."""
    setting = str(current_app.config.get("ARCHIVE_PDF",
                                         os.environ.get("JIUZHU_ARCHIVE_PDF", "auto"))).lower()
    if setting in {"0", "false", "no", "off"}:
        return False
    return shutil.which(current_app.config.get("SOFFICE", "soffice")) is not None


def _cache_dir() -> Path:
    path = data_dir() / "archives" / ".pdf-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def to_pdfs(files: list[tuple[Path, str]]) -> dict[str, Path]:
    """PDFs for (path, sha256) pairs, cached by content so equal inputs give equal PDFs.

    Missing ones are made in one LibreOffice call (a private profile per call).
    """
    cache = _cache_dir()
    out, todo = {}, []
    for path, sha in files:
        cached = cache / f"{sha}.pdf"
        if path.suffix.lower() == ".pdf":
            out[sha] = path
        elif cached.is_file():
            out[sha] = cached
        else:
            todo.append((path, sha))
    images = [(p, s) for p, s in todo if p.suffix.lower() in IMAGE_SUFFIXES]
    for path, sha in images:
        _image_to_pdf(path, cache / f"{sha}.pdf")
        out[sha] = cache / f"{sha}.pdf"
    docs = [(p, s) for p, s in todo if p.suffix.lower() not in IMAGE_SUFFIXES]
    if docs:
        out.update(_soffice_convert(docs, cache))
    return out


def _image_to_pdf(path: Path, target: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        tmp = target.with_suffix(".tmp")
        image.convert("RGB").save(tmp, "PDF", resolution=200.0,
                                  creationDate=None, modDate=None)
    os.replace(tmp, target)


def _soffice_convert(docs: list[tuple[Path, str]], cache: Path) -> dict[str, Path]:
    cfg = current_app.config
    with tempfile.TemporaryDirectory(dir=cache) as work:
        work = Path(work)
        inputs = []
        for i, (path, sha) in enumerate(docs):
            link = work / f"{i:04d}-{sha[:16]}.docx"
            shutil.copyfile(path, link)
            inputs.append((link, sha))
        cmd = [cfg.get("SOFFICE", "soffice"), f"-env:UserInstallation=file://{work / 'profile'}",
               "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(work / "out"),
               *[str(p) for p, _ in inputs]]
        try:
            subprocess.run(cmd, check=True, capture_output=True,
                           timeout=cfg.get("SOFFICE_TIMEOUT", 120))
        except subprocess.TimeoutExpired as exc:
            raise TransientError(f"LibreOffice timed out: {exc}") from exc
        except subprocess.CalledProcessError as exc:
            raise TransientError(f"LibreOffice failed: {exc.stderr.decode(errors='replace')[-300:]}") from exc
        out = {}
        for link, sha in inputs:
            made = work / "out" / (link.stem + ".pdf")
            if not made.is_file():
                raise TransientError(f"LibreOffice made no PDF for {link.name}")
            os.replace(made, cache / f"{sha}.pdf")
            out[sha] = cache / f"{sha}.pdf"
    return out
