"""What goes into a bundle, read from the rooms that own it: generated documents, uploaded
scans, the archive cover and file inventory, PDF conversion.

Each function is the single place a bundle touches another room, so a change there is wired
here only. Everything is read defensively: a missing file is skipped, never a crash.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db
from ..extensions import data_dir
from ..faults import UserFacing, atomic_write
from ..jobs import stored_messages
from ..schemas.fields import stored_name

log = logging.getLogger(__name__)
ARCHIVE_KINDS = ("archive_cover", "file_inventory")
SCAN_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}
IMAGE_SUFFIXES = SCAN_SUFFIXES - {".pdf"}
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # as documents.rendering.FIXED_ZIP_TIME


class TransientError(UserFacing):
    """A failure worth retrying (converter busy or timed out); the text is for the user."""


PDF_RETRY = _l("LibreOffice failed or timed out converting to PDF; it will be retried "
               "automatically.")
stored_messages(PDF_RETRY)  # a job row's error


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


def procedure_kinds(case) -> list[str]:
    """The document kinds the case's procedure called for: the acceptance step's (every case
    was accepted) and those of each transition it went through, that the documents room
    says the case calls for (a proxy letter only with a proxy, …)."""
    from ..cases.workflows import workflow_for
    from ..documents.registry import KINDS, available, kinds_for_step

    wanted = list(kinds_for_step("acceptance", case))
    workflow = workflow_for(case)
    for event in case.events:
        transition = workflow.transition(event.action)
        wanted += transition.documents if transition is not None else ()
    out = []
    for kind in dict.fromkeys(wanted):
        known = KINDS.get(kind)
        if (known is not None and known.scope == "case" and kind not in ARCHIVE_KINDS
                and known.applies_to(case.relief_type)
                and available(known, case)):
            out.append(kind)
    return out


def kind_title(kind: str) -> str:
    from ..documents.registry import KINDS

    return KINDS[kind].title if kind in KINDS else kind


# -- scans ------------------------------------------------------------------------------------

def _file_refs(value):
    """Yield (stored path, display name) for every uploaded file inside case answers (the
    form engine's file values, wherever they sit: top level, group rows)."""
    if isinstance(value, dict):
        ref = stored_name(value)
        if ref is not None:
            yield ref, str(value.get("name") or Path(ref).name)
            return
        for item in value.values():
            if isinstance(item, (dict, list)):
                yield from _file_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_refs(item)


SCAN_SOURCES: list = []
"""Functions ``case -> [(stored path, title)]`` other rooms add: files of theirs that belong
in the case's archive (notices: the photo of each posted notice that listed the case)."""


def case_scans(case) -> list[SourceFile]:
    """Uploaded scans referenced from the case answers, then the registered sources' files."""
    seen, out = set(), []
    refs = list(_file_refs(case.answers or {}))
    for source in SCAN_SOURCES:
        refs.extend(source(case))
    for ref, name in refs:
        path = _resolve(ref)
        if path is None or path in seen:
            continue
        seen.add(path)
        out.append(SourceFile(path, "scan", name))
    return out


# -- archive cover and file inventory ---------------------------------------------------------

def render_archive_document(case, kind: str, options: dict) -> bytes:
    """Render the archive cover or file inventory through the documents pipeline (the
    county's template in force), as stable .docx bytes.

    ``options``: ``copy`` (county/township, picks the copy marking) and, for the inventory,
    ``entries`` (title, pages = the page range 页号, note).
    """
    from ..documents.operations import render_kind

    return render_kind(kind, case, options)  # already stable bytes (fixed dates)


def same_for_copies(case, kind: str, options: dict, keys) -> bool:
    """Whether the document's context is equal for every copy key, so one rendering serves
    all copies (the inventory does not print the copy marking). Unequal or incomparable
    contexts answer False and the caller swaps the marking or renders again."""
    from ..documents.registry import KINDS

    first, *others = [KINDS[kind].build_context(case, {**options, "copy": key}) for key in keys]
    return all(other == first for other in others)


def swap_marking(docx: bytes, old: str, new: str) -> bytes | None:
    """The same document with the copy marking ``old`` replaced by ``new``, or None when the
    marking does not occur exactly once in the body (then the caller renders again)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        xml = source.read("word/document.xml").decode("utf-8")
        if xml.count(old) != 1 or new in xml:
            return None
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "word/document.xml":
                    data = xml.replace(old, new).encode("utf-8")
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def archive_template_sha(case, kind: str) -> str:
    """The SHA-256 of the template the cover/inventory are rendered with (for the manifest)."""
    from ..documents.queries import template_for
    from ..documents.rendering import sha256

    version, template = template_for(kind, case.region.county)
    return version.sha256 if version is not None else sha256(template)


# -- PDF --------------------------------------------------------------------------------------

def pdf_enabled() -> bool:
    """PDF output: on when LibreOffice is found, unless ARCHIVE_PDF says otherwise."""
    from ..documents.queries import soffice_path

    setting = str(current_app.config.get("ARCHIVE_PDF",
                                         os.environ.get("JIUZHU_ARCHIVE_PDF", "auto"))).lower()
    return setting not in {"0", "false", "no", "off"} and soffice_path() is not None


def _cache_dir() -> Path:
    path = data_dir() / "archives" / ".pdf-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def known_pdfs(files: list[tuple[Path, str]]) -> dict[str, Path]:
    """The PDFs of (path, sha256) pairs that need no soffice: PDFs themselves, PDFs cached by
    content, images (made into one-page PDFs here)."""
    cache = _cache_dir()
    out = {}
    for path, sha in files:
        cached = cache / f"{sha}.pdf"
        if path.suffix.lower() == ".pdf":
            out[sha] = path
        elif cached.is_file():
            out[sha] = cached
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            _image_to_pdf(path, cached)
            out[sha] = cached
    return out


def to_pdfs(files: list[tuple[Path, str]]) -> dict[str, Path]:
    """PDFs for (path, sha256) pairs, cached by content so equal inputs give equal PDFs.

    Images become one-page PDFs; .docx files are converted in one LibreOffice run, each
    content once.
    """
    out = known_pdfs(files)
    todo = list({sha: (path, sha) for path, sha in files if sha not in out}.values())
    if todo:
        out.update(_convert_docx(todo, _cache_dir()))
    return out


def _pages_file(source: SourceFile) -> Path:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{source.kind}-{source.template}")
    return _cache_dir() / "pages" / name


def guess_pages(source: SourceFile) -> int:
    """The pages a .docx not converted yet will print: what its kind printed last time from
    the same template, else its explicit page breaks + 1 (the bundle checks after converting)."""
    from .bundle import docx_pages

    try:
        return max(1, int(_pages_file(source).read_text()))
    except (OSError, ValueError):
        return docx_pages(source.path)


def remember_pages(pages: list[tuple[SourceFile, int]]) -> None:
    """Keep each document kind's page count (per template) for the next bundle's guess."""
    for source, count in pages:
        target = _pages_file(source)
        if source.path.suffix.lower() == ".docx" and not (
                target.is_file() and target.read_text() == str(count)):
            target.parent.mkdir(exist_ok=True)
            atomic_write(target, str(count).encode())


def _image_to_pdf(path: Path, target: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    with Image.open(path) as image:
        image.convert("RGB").save(buffer, "PDF", resolution=200.0)
    atomic_write(target, buffer.getvalue())


def _convert_docx(docs: list[tuple[Path, str]], cache: Path) -> dict[str, Path]:
    from ..documents.pdf import PdfFailed, convert

    with tempfile.TemporaryDirectory(dir=cache) as work:
        work = Path(work)
        inputs = []
        for i, (path, sha) in enumerate(docs):
            copy = work / f"{i:04d}-{sha[:16]}.docx"
            shutil.copyfile(path, copy)
            inputs.append((copy, sha))
        try:
            made = convert([p for p, _ in inputs], work / "out", warm=True)
        except PdfFailed as exc:
            log.warning("PDF conversion failed: %s", exc)
            raise TransientError(PDF_RETRY) from exc
        out = {}
        for (_, sha), pdf in zip(inputs, made):
            os.replace(pdf, cache / f"{sha}.pdf")
            out[sha] = cache / f"{sha}.pdf"
    return out
