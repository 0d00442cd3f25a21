"""Writes for documents: generating (with provenance), templates, office lines, print packs."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.operations import record
from ..config import ROOT
from ..db import db, utcnow
from ..extensions import data_dir
from ..faults import atomic_write
from ..i18n import in_page_language
from ..jobs import UNFINISHED, stored, stored_messages
from ..relief import RELIEF_TYPES, ReliefCode
from . import rendering
from .errors import DocumentError, unknown_kind
from .lint import LintReport, lint, schema_contract
from .models import DocTemplateVersion, GeneratedDocument, OfficeContact, PrintJob, SealUse
from .pdf import PdfFailed, PdfUnavailable, convert
from .queries import store_template_bytes, template_for
from .registry import KINDS, PUBLIC_ISSUERS, available, kinds_for_step, placeholder

__all__ = ["DocumentError"]


class TemplateRejected(DocumentError):
    def __init__(self, report: LintReport):
        super().__init__(in_page_language("；", "; ").join(str(i) for i in report.errors))
        self.report = report


def _county_of(subject):
    region = getattr(subject, "region", None) or subject
    return region.county


def _jsonable(options: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, (date, datetime)) else v
            for k, v in (options or {}).items()}


def _store(folder: str, data: bytes, suffix: str) -> str:
    """Content-addressed storage in the data dir; returns the relative path."""
    sha = rendering.sha256(data)
    path = data_dir() / folder / sha[:2] / f"{sha}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        atomic_write(path, data)
    return str(path.relative_to(data_dir()))


def render_kind(kind_name: str, subject, options: dict | None = None,
                template: bytes | None = None, context: dict | None = None) -> bytes:
    """Render a kind for a case/village/township with the county's template in force (in
    Chinese whatever the page's language: labels in the context are lazy msgids)."""
    kind = KINDS[kind_name]
    if template is None:
        _, template = template_for(kind_name, _county_of(subject))
    with force_locale("zh_CN"):
        if context is None:
            context = kind.build_context(subject, options or {})
        return rendering.render(template, context, placeholder(), kind.title)


def _posting_context(kind_name: str, subject, options: dict | None) -> dict | None:
    """A public kind's context with what the issuers add for posting (the verification
    address); None for other kinds (``render_kind`` builds theirs)."""
    kind = KINDS[kind_name]
    if not kind.is_public:
        return None
    context = kind.build_context(subject, options or {})
    for issuer in PUBLIC_ISSUERS:
        context.update(issuer.issue(kind_name, subject, context))
    return context


def generate(kind_name: str, subject, actor=None, options: dict | None = None
             ) -> GeneratedDocument:
    """Render and store one document; the row records what it was made from."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise DocumentError(unknown_kind(kind_name))
    case = subject if kind.scope == "case" else None
    verdict = available(kind, subject)
    if not verdict:
        raise DocumentError(verdict.reason)
    version, template = template_for(kind_name, _county_of(subject))
    context = _posting_context(kind_name, subject, options)
    data = render_kind(kind_name, subject, options, template, context)
    document = GeneratedDocument(
        case_id=case.id if case is not None else None,
        region_id=case.region_id if case is not None else subject.id,
        kind=kind_name, title=kind.title,
        template_version_id=version.id if version else None,
        template_sha256=version.sha256 if version else rendering.sha256(template),
        schema_version_id=case.schema_version_id if case is not None else None,
        options=_jsonable(options), sha256=rendering.sha256(data),
        text_sha256=rendering.sha256(rendering.document_text(data).encode("utf-8")),
        path=_store("documents", data, ".docx"), created_by_id=getattr(actor, "id", None),
        created_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    record("document.generate", document, actor=actor,
           details={"kind": kind_name, "case_id": document.case_id, "sha256": document.sha256})
    if context is not None:
        for issuer in PUBLIC_ISSUERS:
            issuer.issued(document, context)
    return document


def document_file(document: GeneratedDocument) -> Path:
    return data_dir() / document.path


def print_final(document: GeneratedDocument, actor) -> tuple[SealUse, bytes]:
    """Hand out a sealed document as final and enter it in the seal log (a reprint is a new
    entry); the log's SHA-256 is of the very bytes returned."""
    kind = KINDS.get(document.kind)
    if kind is None or not kind.bears_seal:
        raise DocumentError(_l("This document does not bear the delegated-matters seal; "
                                 "there is no seal use to log"))
    data = document_file(document).read_bytes()
    return _log_seal_use(document, data, actor), data


def _log_seal_use(document: GeneratedDocument, data: bytes, actor) -> SealUse:
    """One entry of the seal-use log for these printed bytes of a sealed document."""
    township = document.region.township or document.region
    case_number = ""
    if document.case_id:
        from ..cases.models import Case

        case = db.session.get(Case, document.case_id)
        case_number = case.case_number if case else ""
    use = SealUse(region=township, document_id=document.id, kind=document.kind,
                  title=document.title, case_number=case_number,
                  sha256=rendering.sha256(data), printed_by_id=getattr(actor, "id", None),
                  printed_at=utcnow())
    db.session.add(use)
    db.session.flush()
    record("document.seal_use", use, actor=actor,
           details={"document_id": document.id, "kind": document.kind, "sha256": use.sha256})
    return use


def ensure_pdf(document: GeneratedDocument) -> Path:
    """The document's PDF, converting it now if needed (raises PdfUnavailable/PdfFailed)."""
    if document.pdf_path and (data_dir() / document.pdf_path).exists():
        return data_dir() / document.pdf_path
    [pdf] = _convert_documents([document])
    return pdf


def convert_bytes(files: list[tuple[str, bytes]]) -> list[bytes]:
    """Convert (name, docx bytes) pairs to PDF bytes in one soffice run."""
    workdir = data_dir() / "tmp" / f"pdf-{utcnow():%Y%m%d%H%M%S%f}"
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        sources = []
        for index, (name, data) in enumerate(files):
            source = workdir / f"{index:03d}-{name}.docx"
            source.write_bytes(data)
            sources.append(source)
        return [pdf.read_bytes() for pdf in convert(sources, workdir / "out")]
    finally:
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        workdir.rmdir()


def _convert_documents(documents: list[GeneratedDocument]) -> list[Path]:
    """Convert several documents in one soffice run and remember their PDFs."""
    pdfs = convert_bytes([(d.kind, document_file(d).read_bytes()) for d in documents])
    for document, pdf in zip(documents, pdfs, strict=True):
        document.pdf_path = _store("documents", pdf, ".pdf")
    return [data_dir() / d.pdf_path for d in documents]


def preview_pdf(docx: bytes, kind_name: str) -> bytes:
    [pdf] = convert_bytes([(kind_name, docx)])
    return pdf


# -- templates ---------------------------------------------------------------------------------

def answers_contracts(kind_name: str, county) -> dict[str, dict | str]:
    """What ``answers.*`` offers in each form the kind serves (label → shape): the county's
    published schema of each relief type, else the shipped form."""
    from ..schemas.models import SchemaStatus, SchemaVersion

    kind, forms = KINDS[kind_name], {}
    for code in sorted(kind.relief_types):
        row = db.session.scalars(select(SchemaVersion).where(
            SchemaVersion.county_id == county.id, SchemaVersion.relief_type == code,
            SchemaVersion.status == SchemaStatus.published)
            .order_by(SchemaVersion.number.desc())).first()
        definition = row.definition if row is not None else None
        shipped = ROOT / "forms" / f"{ReliefCode(code).value}.yaml"
        if definition is None and shipped.exists():
            import yaml

            definition = yaml.safe_load(shipped.read_text(encoding="utf-8"))
        forms[RELIEF_TYPES[ReliefCode(code)].short_name] = schema_contract(
            [definition] if definition else [])
    return forms


def lint_template(kind_name: str, county, data: bytes) -> LintReport:
    kind = KINDS[kind_name]
    forms = answers_contracts(kind_name, county) if kind.scope == "case" else None
    return lint(data, kind.contract(), forms=forms)


def upload_template(kind_name: str, county, filename: str, data: bytes, actor=None,
                    note: str = "") -> DocTemplateVersion:
    """Lint and keep a new version (inactive until activated). Raises TemplateRejected."""
    if kind_name not in KINDS:
        raise DocumentError(unknown_kind(kind_name))
    report = lint_template(kind_name, county, data)
    if not report.ok:
        raise TemplateRejected(report)
    sha = rendering.sha256(data)
    number = (db.session.scalar(select(func.max(DocTemplateVersion.number)).where(
        DocTemplateVersion.kind == kind_name, DocTemplateVersion.region_id == county.id)) or 0) + 1
    version = DocTemplateVersion(
        kind=kind_name, region_id=county.id, number=number, filename=filename[:200],
        path=store_template_bytes(data, sha), sha256=sha, note=note,
        lint_warnings=[stored(i) for i in report.warnings],  # kept in the office's language
        uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow())
    db.session.add(version)
    db.session.flush()
    record("template.upload", version, actor=actor,
           details={"kind": kind_name, "number": number, "sha256": sha})
    return version


def activate_template(kind_name: str, county, version: DocTemplateVersion | None,
                      actor=None) -> None:
    """Put a version in force for the county (None: back to the built-in template)."""
    for row in db.session.scalars(select(DocTemplateVersion).where(
            DocTemplateVersion.kind == kind_name, DocTemplateVersion.region_id == county.id,
            DocTemplateVersion.is_active.is_(True))):
        row.is_active = False
    if version is not None:
        version.is_active = True
        version.activated_at = utcnow()
    db.session.flush()
    record("template.activate", version, actor=actor, region_id=county.id,
           details={"kind": kind_name, "number": version.number if version else 0})


def preview(kind_name: str, template: bytes, village, relief=None) -> bytes:
    """Render a template with a sample household (nothing is stored)."""
    from .samples import sample_case

    kind = KINDS[kind_name]
    if kind.scope == "case":
        relief = relief or sorted(kind.relief_types)[0]
        subject = sample_case(relief, village)
    else:
        subject = village if kind.scope == "village" else village.township
    with force_locale("zh_CN"):  # documents are Chinese whatever the page's language
        return rendering.render(template, kind.build_context(subject, {}), placeholder(),
                                kind.title)


# -- office lines ------------------------------------------------------------------------------

OFFICE_FIELDS = ("office_name", "phone", "address", "objection_phone", "objection_address")


def save_office_contact(region, values: dict, actor=None) -> OfficeContact:
    row = db.session.scalars(select(OfficeContact).where(
        OfficeContact.region_id == region.id)).first()
    if row is None:
        row = OfficeContact(region_id=region.id)
        db.session.add(row)
    for name in OFFICE_FIELDS:
        setattr(row, name, (values.get(name) or "").strip())
    db.session.flush()
    record("office_contact.save", row, actor=actor, details={k: getattr(row, k)
                                                             for k in OFFICE_FIELDS})
    return row


# -- print packs -------------------------------------------------------------------------------

def create_print_job(case, step: str, actor=None) -> PrintJob:
    kinds = kinds_for_step(step, case)
    if not kinds:
        raise DocumentError(_l("This step has no documents to print"))
    if db.session.scalars(select(PrintJob.id).where(
            PrintJob.case_id == case.id, PrintJob.step == step,
            PrintJob.status.in_(UNFINISHED))).first():
        raise DocumentError(_l("This step's print pack is being made; wait until it is done"))  # a double click prints once
    job = PrintJob(case_id=case.id, region_id=case.region_id, step=step, kinds=kinds,
                   created_by_id=getattr(actor, "id", None), created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    record("print_job.create", job, actor=actor, details={"step": step, "kinds": kinds})
    return job


# what a print pack says as it goes: stored in Chinese, shown in the reader's language
GENERATING = _l("Generating the documents")
GENERATED_ONE = _l("Generated: %(document)s")
CONVERTING = _l("Converting to PDF (the first conversion starts LibreOffice and may take half "
                "a minute)")
MERGING = _l("Merging the PDF files")
PACKED_PDF = _l("%(count)s documents generated; the print pack is a PDF")
PACKED_ZIP = _l("%(count)s documents generated; the print pack is a ZIP of Word files")
stored_messages(PACKED_PDF, PACKED_ZIP, GENERATING, CONVERTING, MERGING, GENERATED_ONE)


def _progress(job: PrintJob, progress: int, message: str) -> None:
    """Progress is committed at once so the polling page sees it."""
    job.progress, job.message = progress, message
    db.session.commit()


def run_print_job(job: PrintJob) -> None:
    """Generate every document of the step, convert them in one batch and merge one PDF.

    Without LibreOffice (or when it fails) the pack is a zip of the .docx files and the job
    says why, so the clerk can still print.
    """
    from ..auth.models import User
    from ..cases.models import Case

    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    case = db.session.get(Case, job.case_id)
    job.status = "running"
    _progress(job, 5, stored(GENERATING))
    documents = []
    for index, kind_name in enumerate(job.kinds, start=1):
        subject = case if KINDS[kind_name].scope == "case" else case.region
        documents.append(generate(kind_name, subject, actor))
        _progress(job, 5 + 55 * index // len(job.kinds),
                  stored(GENERATED_ONE, document=KINDS[kind_name].title))
    # the first conversion starts LibreOffice, which takes a while: say so
    _progress(job, 65, stored(CONVERTING))
    try:
        pdfs = _convert_documents(documents)
    except (PdfUnavailable, PdfFailed) as exc:
        job.result_path = _store("packs", _zip(documents), ".zip")
        job.result_type = "zip"
        job.status = "failed" if isinstance(exc, PdfFailed) else "done"
        job.error = stored(exc.args[0])  # read back in the reader's language (pdf.py)
    else:
        _progress(job, 90, stored(MERGING))
        job.result_path = _store("packs", _merge(pdfs), ".pdf")
        job.result_type = "pdf"
        job.status = "done"
    if job.status == "done":  # the pack is what gets printed: its sealed documents are logged
        for document in documents:
            if KINDS[document.kind].bears_seal:
                _log_seal_use(document, document_file(document).read_bytes(), actor)
    job.progress, job.finished_at = 100, utcnow()
    job.message = stored(PACKED_PDF if job.result_type == "pdf" else PACKED_ZIP,
                         count=len(documents))
    record("print_job.finish", job, actor=actor,
           details={"status": job.status, "error": job.error})


def fail_print_job(job: PrintJob, error: str) -> None:
    job.status, job.error, job.progress, job.finished_at = "failed", error, 100, utcnow()


def _merge(pdfs: list[Path]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(str(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(documents: list[GeneratedDocument]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, document in enumerate(documents, start=1):
            archive.writestr(f"{index:02d}-{document.title}.docx",
                             document_file(document).read_bytes())
    return out.getvalue()
