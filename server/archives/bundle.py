"""Build a case's archive bundle: two copies (县级存档, 乡镇存档), each a ZIP with a manifest
and a merged PDF to print.

Deterministic: files are ordered, ZIP entries carry a fixed date, the manifest has no
timestamps, and PDFs are cached by source hash, so unchanged inputs give identical bytes.
Atomic: everything is written to a temporary folder inside the data dir and moved into place
with ``os.replace``; a worker killed mid-build leaves only the temporary folder, which the
next build removes.

Test hook: ``JIUZHU_TEST_BUNDLE_DELAY`` (seconds) sleeps after each written file, so a test can
kill a worker in the middle of a build. It is read only here and does nothing when unset.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pypdf import PdfReader, PdfWriter

from ..extensions import data_dir
from . import sources
from .sources import FIXED_ZIP_DATE, SourceFile, file_sha256

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Copy:
    key: str
    label: str


COPIES = (Copy("county", "县级存档"), Copy("township", "乡镇存档"))
COPY_BY_KEY = {c.key: c for c in COPIES}


def _test_delay() -> None:
    delay = float(os.environ.get("JIUZHU_TEST_BUNDLE_DELAY", "0") or 0)
    if delay > 0:
        time.sleep(delay)


def safe_name(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", value)


def archives_root() -> Path:
    path = data_dir() / "archives"
    path.mkdir(parents=True, exist_ok=True)
    return path


def bundle_dir(archive_number: str) -> Path:
    """Where a case's finished bundle lives (present only when complete). Creates nothing, so
    pages that only look stay up on a read-only data directory."""
    return data_dir() / "archives" / "bundles" / safe_name(archive_number)


def dump_manifest(manifest: dict) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


# -- page counts ------------------------------------------------------------------------------

def pdf_pages(path: Path) -> int:
    try:
        return len(PdfReader(str(path)).pages)
    except Exception:  # a damaged scan still goes into the file; count it as one page
        return 1


def docx_pages(path: Path) -> int:
    """Without a PDF: explicit page breaks + 1 (a lower bound, good enough for docx-only)."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return 1
    return 1 + xml.count('w:type="page"') + xml.count("<w:pageBreakBefore/>")


# -- building ---------------------------------------------------------------------------------

@dataclass
class Entry:
    """A file placed in a copy: its name inside the ZIP and the file that backs it."""

    name: str
    path: Path
    kind: str
    title: str
    pages: int
    template: str = ""

    def describe(self) -> dict:
        return {"path": self.name, "sha256": file_sha256(self.path),
                "size": self.path.stat().st_size, "kind": self.kind, "title": self.title,
                "pages": self.pages}


def _placed(index: int, source: SourceFile, pdfs: dict, folder: str, *,
            guess: bool = False) -> Entry:
    """The PDF where there is one, else the source file. ``guess``: a .docx not converted yet
    gets the pages its kind printed last time (see ``sources.guess_pages``)."""
    pdf = pdfs.get(source.sha256) or (source.extra or {}).get("pdf")
    path = pdf or source.path
    suffix = path.suffix.lower()
    stem = safe_name(Path(source.title).stem if source.kind == "scan" else source.kind)
    if suffix == ".pdf":
        pages = pdf_pages(path)
    elif suffix == ".docx":
        pages = sources.guess_pages(source) if guess else docx_pages(path)
    else:
        pages = 1
    return Entry(f"{folder}/{index:02d}-{stem}{suffix}", path, source.kind, source.title, pages,
                 source.template)


def _body(docs: list[SourceFile], scans: list[SourceFile], pdfs: dict, *,
          guess: bool = False) -> list[Entry]:
    """The documents and scans as placed in a copy, after the front pages."""
    return ([_placed(i, s, pdfs, "documents", guess=guess) for i, s in enumerate(docs, 1)]
            + [_placed(i, s, pdfs, "scans", guess=guess) for i, s in enumerate(scans, 1)])


def inventory_entries(entries: list[Entry]) -> list[dict]:
    """卷内目录 rows: ``pages`` is the page range (页号) in the bound copy, from page 1."""
    rows, page = [], 1
    for entry in entries:
        last = page + entry.pages - 1
        rows.append({"title": entry.title, "pages": f"{page}-{last}" if last > page else str(page),
                     "note": f"共{entry.pages}页"})
        page = last + 1
    return rows


def _copies_of(case, kind: str, options: dict):
    """(copy, .docx bytes) for both copies: rendered once; the same bytes again when the
    context does not depend on the copy, else the second copy by swapping the marking when it
    occurs exactly once, else rendered again."""
    first, *others = COPIES
    data = sources.render_archive_document(case, kind, {**options, "copy": first.key})
    yield first, data
    if sources.same_for_copies(case, kind, options, [c.key for c in COPIES]):
        yield from ((copy, data) for copy in others)
        return
    for copy in others:
        yield copy, (sources.swap_marking(data, first.label, copy.label)
                     or sources.render_archive_document(case, kind, {**options, "copy": copy.key}))


STORED_SUFFIXES = (".docx", ".pdf", ".png", ".jpg", ".jpeg", ".zip", ".xlsx")  # compressed already


def _write_zip(target: Path, entries: list[Entry], manifest: bytes) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, reader in [*((e.name, e.path.read_bytes) for e in entries),
                             (MANIFEST, lambda: manifest)]:
            info = zipfile.ZipInfo(name, FIXED_ZIP_DATE)
            info.compress_type = (zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES)
                                  else zipfile.ZIP_DEFLATED)
            info.external_attr = 0o644 << 16
            z.writestr(info, reader())
            _test_delay()


def _write_merged_pdf(target: Path, paths: list[Path]) -> None:
    writer = PdfWriter()
    for path in paths:
        writer.append(str(path))
    writer.add_metadata({"/Producer": "Jiuzhu"})
    with open(target, "wb") as fh:
        writer.write(fh)


def _clean_stale(tmp_root: Path, prefix: str) -> None:
    for stale in tmp_root.glob(prefix + "-*"):
        shutil.rmtree(stale, ignore_errors=True)


def build(case, progress: Callable[[int, str], None] = lambda p, m: None, *,
          pdf: bool | None = None) -> dict:
    """Build both copies for a case that has an archive number; returns the job result."""
    number = case.archive_number
    assert number, "assign the archive number first"
    with_pdf = sources.pdf_enabled() if pdf is None else pdf
    root = archives_root()
    tmp_root = root / ".tmp"
    tmp_root.mkdir(exist_ok=True)
    _clean_stale(tmp_root, safe_name(number))  # left by a killed worker
    work = tmp_root / f"{safe_name(number)}-{uuid.uuid4().hex}"
    work.mkdir()
    try:
        result = _build_into(case, work, with_pdf, progress)
        return _publish(work, bundle_dir(number), result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _front(case, work: Path, entries: list[Entry]) -> dict[str, list[SourceFile]]:
    """Each copy's cover and inventory (listing ``entries``), rendered into ``work``."""
    front = {}
    for kind, title, options in (("archive_cover", "档案封面", {}),
                                 ("file_inventory", "卷内目录",
                                  {"entries": inventory_entries(entries)})):
        template = sources.archive_template_sha(case, kind)
        for copy, data in _copies_of(case, kind, options):
            path = work / f"{copy.key}-{kind}.docx"
            path.write_bytes(data)
            front.setdefault(copy.key, []).append(SourceFile(path, kind, title, template))
    return front


def _front_files(front: dict[str, list[SourceFile]]) -> list[tuple[Path, str]]:
    return [(s.path, s.sha256) for f in front.values() for s in f]


def _build_into(case, work: Path, with_pdf: bool, progress) -> dict:
    progress(5, "collecting")
    docs, scans = sources.case_documents(case), sources.case_scans(case)
    if not with_pdf:
        pdfs = {}
        entries = _body(docs, scans, pdfs)
        front = _front(case, work, entries)
    else:
        # One soffice pass for the documents, covers and inventory: the inventory's page
        # numbers come from the PDFs already cached and, for a document not converted yet,
        # from the pages its kind printed last time; checked against the real PDFs after.
        known = sources.known_pdfs([(s.path, s.sha256) for s in docs + scans])
        guessed = _body(docs, scans, known, guess=True)
        front = _front(case, work, guessed)
        progress(15, "converting documents, cover and inventory")
        pdfs = sources.to_pdfs([(s.path, s.sha256) for s in docs + scans]
                               + _front_files(front))
        entries = _body(docs, scans, pdfs)
        sources.remember_pages([(s, e.pages) for s, e in zip(docs, entries)])
        if [e.pages for e in entries] != [e.pages for e in guessed]:  # a guess was wrong
            progress(40, "converting the inventory again")
            front = _front(case, work, entries)
            pdfs.update(sources.to_pdfs(_front_files(front)))
    schema = case.schema_version
    templates = {s.kind: s.template for s in [*docs, *front["county"]] if s.template}
    manifest = {"format": FORMAT_VERSION, "archive_number": case.archive_number,
                "case_number": case.case_number, "relief_type": str(case.relief_type),
                "schema": {"id": schema.id, "number": schema.number} if schema else None,
                "templates": templates, "pdf": with_pdf, "copies": {}}
    step = 50
    for copy in COPIES:
        placed = [_placed(i, s, pdfs, "front") for i, s in enumerate(front[copy.key])] + entries
        copy_manifest = {"format": FORMAT_VERSION, "archive_number": case.archive_number,
                         "case_number": case.case_number, "copy": copy.key,
                         "copy_label": copy.label, "schema": manifest["schema"],
                         "templates": templates, "files": [e.describe() for e in placed]}
        zip_path = work / f"{copy.key}.zip"
        _write_zip(zip_path, placed, dump_manifest(copy_manifest))
        outputs = {"zip": {"path": zip_path.name, "sha256": file_sha256(zip_path),
                           "size": zip_path.stat().st_size}}
        if with_pdf:
            pdf_path = work / f"{copy.key}.pdf"
            _write_merged_pdf(pdf_path, [e.path for e in placed if e.path.suffix.lower() == ".pdf"])
            outputs["pdf"] = {"path": pdf_path.name, "sha256": file_sha256(pdf_path),
                              "size": pdf_path.stat().st_size}
            _test_delay()
        manifest["copies"][copy.key] = {**copy_manifest, "outputs": outputs}
        step += 20
        progress(step, f"{copy.label} written")
    (work / MANIFEST).write_bytes(dump_manifest(manifest))
    for f in front.values():  # the rendered .docx sources are inside the ZIPs already
        for s in f:
            s.path.unlink(missing_ok=True)
    return manifest


def _publish(work: Path, final: Path, manifest: dict) -> dict:
    """Move the finished folder into place; an identical existing bundle is left untouched."""
    final.parent.mkdir(parents=True, exist_ok=True)
    existing = final / MANIFEST
    new_bytes = (work / MANIFEST).read_bytes()
    if not (existing.is_file() and existing.read_bytes() == new_bytes):
        trash = None
        if final.exists():
            trash = work.parent / f"{final.name}-old-{uuid.uuid4().hex}"
            os.replace(final, trash)
        try:
            os.replace(work, final)
        except OSError:
            if trash is not None:  # put the previous bundle back: nothing is lost
                os.replace(trash, final)
            raise
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
    rel = final.relative_to(data_dir())
    return {"archive_number": manifest["archive_number"], "dir": str(rel),
            "manifest_sha256": hashlib.sha256(new_bytes).hexdigest(),
            "files": {key: {kind: str(rel / out["path"]) for kind, out in c["outputs"].items()}
                      for key, c in manifest["copies"].items()}}

