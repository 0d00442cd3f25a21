"""Documents over the API: which kinds a case may have now (with the reason for the others),
generating one under exactly the rules of the case page (``registry.available``), the case's
documents and their files, print packs (background jobs), and the county's templates
(upload with the lint result, activate) — each calling the operation its page calls."""
from __future__ import annotations

import io

from flask import request, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, ValidationError, fields, validate

from ..api.errors import flatten, load_json, refuse
from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..cases.models import Case
from ..db import db
from ..jobs import status_label
from ..regions.queries import get_scoped_or_404
from ..relief import ReliefCode
from . import operations, queries
from .errors import unknown_kind
from .models import GeneratedDocument, PrintJob
from .pdf import PdfFailed, PdfUnavailable
from .registry import COPY_MARKINGS, KINDS, STEP_DOCUMENTS, available, subject_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_RESPONSE = {"description": "The file", "content": {DOCX: {"schema": {"type": "string", "format": "binary"}},
                             "application/pdf": {"schema": {"type": "string",
                                                            "format": "binary"}}}}

blp = Blueprint("api_documents", __name__, url_prefix="/documents",
                description="Official documents of a case: availability and generation")


class KindOut(Schema):
    kind = fields.Str()
    title = fields.Str()
    step = fields.Str()
    available = fields.Bool()
    reason = fields.Str(allow_none=True, metadata={"description": "Why not, in Chinese"})


class GenerateIn(Schema):
    kind = fields.Str(required=True)
    copy = fields.Str(load_default=None, validate=validate.OneOf(list(COPY_MARKINGS)),
                      metadata={"description": "Archive documents: county or township copy"})


class DocumentOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    sha256 = fields.Str()
    case_id = fields.Int(allow_none=True)
    created_at = UtcDateTime()
    has_pdf = fields.Function(lambda d: bool(d.pdf_path))


def case_kinds(case) -> list[dict]:
    """Every kind of every step for the case, available or with the reason it is not."""
    rows = []
    for step, kinds in STEP_DOCUMENTS.items():
        for name in kinds:
            verdict = available(name, subject_of(KINDS[name], case))
            rows.append({"kind": name, "title": KINDS[name].title, "step": step,
                         "available": bool(verdict), "reason": verdict.reason})
    return rows


@blp.route("/cases/<int:case_id>")
class CaseDocuments(MethodView):
    @requires("cases.view")
    @blp.response(200, KindOut(many=True))
    def get(self, case_id: int):
        """The case's document kinds by step: which may be produced now, and why not."""
        return case_kinds(get_scoped_or_404(Case, case_id))

    @requires("documents.generate")
    @blp.response(201, DocumentOut)
    def post(self, case_id: int):
        """Generate one document from JSON ``{"kind": …}``; 404 another region's case, 409 with
        the Chinese reason when the case does not call for it now, 422 for an unknown kind or a
        template that fails."""
        case = get_scoped_or_404(Case, case_id)  # scoping first: no hint about other regions
        try:
            body = GenerateIn().load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            abort(422, message=_("Invalid input"), errors=flatten(exc.messages))
        kind = KINDS.get(body["kind"])
        if kind is None:
            abort(422, message=str(unknown_kind(body["kind"])),
                  errors=[{"path": "kind", "message": _("Unknown document kind")}])
        subject = subject_of(kind, case)
        verdict = available(kind, subject)
        if not verdict:
            abort(409, message=verdict.reason, errors=[{"path": "kind", "message": verdict.reason}])
        try:
            options = {"copy": body["copy"]} if body["copy"] else {}
            document = operations.generate(kind.name, subject, current_user, options)
        except operations.DocumentError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": "kind", "message": str(exc)}])
        db.session.commit()
        return document


@blp.route("/cases/<int:case_id>/files")
class CaseFiles(MethodView):
    @requires("cases.view")
    @blp.response(200, DocumentOut(many=True))
    def get(self, case_id: int):
        """The case's generated documents, newest first (download each by its id)."""
        return queries.documents_for_case(get_scoped_or_404(Case, case_id))


def _stored(path):
    """A stored file's bytes, or a 404 naming the lost file (never a 500)."""
    try:
        return io.BytesIO(path.read_bytes())
    except OSError:
        abort(404, message=_("The file no longer exists; generate it again"))


@blp.route("/<int:document_id>/docx")
class DocumentDocx(MethodView):
    @requires("cases.view")
    @blp.response(200, description="The .docx file", content_type=DOCX)
    @blp.doc(responses={"200": FILE_RESPONSE})
    def get(self, document_id: int):
        """Download a generated document as Word (.docx)."""
        document = get_scoped_or_404(GeneratedDocument, document_id)
        return send_file(_stored(operations.document_file(document)), mimetype=DOCX,
                         as_attachment=True, download_name=queries.download_name(document, ".docx"))


@blp.route("/<int:document_id>/pdf")
class DocumentPdf(MethodView):
    @requires("cases.view")
    @blp.response(200, description="The PDF", content_type="application/pdf")
    @blp.doc(responses={"200": FILE_RESPONSE})
    def get(self, document_id: int):
        """Download a generated document as PDF (converted on first request); 503 when
        LibreOffice is missing or fails, with the reason."""
        document = get_scoped_or_404(GeneratedDocument, document_id)
        if not operations.document_file(document).is_file():
            abort(404, message=_("The file no longer exists; generate it again"))
        try:
            path = operations.ensure_pdf(document)
        except (PdfUnavailable, PdfFailed) as exc:
            db.session.rollback()
            abort(503, message=str(exc))
        db.session.commit()
        return send_file(_stored(path), mimetype="application/pdf",
                         download_name=queries.download_name(document, ".pdf"))


# -- print packs (background jobs) ------------------------------------------------------------

class PackIn(Schema):
    step = fields.Str(required=True, validate=validate.OneOf(list(STEP_DOCUMENTS)))


class PrintJobOut(Schema):
    id = fields.Int()
    case_id = fields.Int(allow_none=True)
    step = fields.Str()
    kinds = fields.List(fields.Str())
    status = fields.Str()
    status_label = fields.Function(lambda j: status_label(j.status))
    progress = fields.Int()
    message = fields.Str()
    error = fields.Str()
    is_finished = fields.Bool()
    result_type = fields.Str(allow_none=True, metadata={"description": "pdf or zip"})


@blp.route("/cases/<int:case_id>/packs")
class CasePacks(MethodView):
    @requires("documents.generate")
    @blp.response(202, PrintJobOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PackIn}}})
    def post(self, case_id: int):
        """Queue the print pack of one step (every document of it, merged); poll
        ``GET /documents/print-jobs/<id>``. 422 when the step has nothing to print."""
        case = get_scoped_or_404(Case, case_id)
        body = load_json(PackIn())
        try:
            job = operations.create_print_job(case, body["step"], current_user)
        except operations.DocumentError as exc:
            db.session.rollback()
            refuse(422, str(exc), "step")
        db.session.commit()
        from .tasks import build_print_pack

        build_print_pack(job.id)
        db.session.refresh(job)
        return job


@blp.route("/print-jobs/<int:print_job_id>")
class PrintJobItem(MethodView):
    @requires("cases.view")
    @blp.response(200, PrintJobOut)
    def get(self, print_job_id: int):
        """A print pack's status and progress."""
        return get_scoped_or_404(PrintJob, print_job_id)


@blp.route("/print-jobs/<int:print_job_id>/file")
class PrintJobFile(MethodView):
    @requires("cases.view")
    @blp.response(200, description="The merged PDF or a ZIP of .docx files")
    @blp.doc(responses={"200": {"description": "The file", "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "application/zip": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, print_job_id: int):
        """The finished pack (404 until it is done)."""
        from ..extensions import data_dir

        job = get_scoped_or_404(PrintJob, print_job_id)
        if not job.result_path:
            abort(404, message=_("The print pack is not finished yet"))
        is_pdf = job.result_type == "pdf"
        return send_file(_stored(data_dir() / job.result_path),
                         mimetype="application/pdf" if is_pdf else "application/zip",
                         as_attachment=not is_pdf,
                         download_name=f"print-pack-{job.step}-{job.id}.{job.result_type}")


# -- templates (county admin) -----------------------------------------------------------------

class TemplateVersionOut(Schema):
    number = fields.Int()
    filename = fields.Str()
    sha256 = fields.Str()
    note = fields.Str()
    is_active = fields.Bool()
    lint_warnings = fields.List(fields.Str(), metadata={"description": "The lint's warnings"})
    uploaded_at = UtcDateTime()
    activated_at = UtcDateTime(allow_none=True)


class TemplateKindOut(Schema):
    kind = fields.Str()
    title = fields.Str()
    active_number = fields.Int(metadata={"description": "0: the built-in template"})
    versions = fields.List(fields.Nested(TemplateVersionOut))


class TemplateUploadIn(Schema):
    file = UploadField(metadata={"description": "The template (.docx); a form field ``note`` "
                                                "may describe it"})


class ActivateIn(Schema):
    number = fields.Int(required=True, strict=True, validate=validate.Range(min=0, max=10**9),
                        metadata={"description": "An uploaded version, or 0 for built-in"})


def _county():
    return current_user.region.county


def _kind_or_404(kind: str):
    if kind not in KINDS:
        abort(404, message=str(unknown_kind(kind)))
    return KINDS[kind]


def _template_kind(kind: str) -> dict:
    county = _county()
    active = queries.active_version(kind, county)
    return {"kind": kind, "title": KINDS[kind].title,
            "active_number": active.number if active else 0,
            "versions": queries.versions_of(kind, county)}


@blp.route("/templates")
class Templates(MethodView):
    @requires("templates.manage")
    @blp.response(200, TemplateKindOut(many=True))
    def get(self):
        """Every document kind with the county's uploaded versions and the one in force."""
        return [_template_kind(kind) for kind in KINDS]


@blp.route("/templates/<kind>")
class TemplateKind(MethodView):
    @requires("templates.manage")
    @blp.response(200, TemplateKindOut)
    def get(self, kind: str):
        """One kind's versions, with each version's lint warnings."""
        _kind_or_404(kind)
        return _template_kind(kind)

    @requires("templates.manage")
    @blp.arguments(TemplateUploadIn, location="files")
    @blp.response(201, TemplateVersionOut)
    def post(self, files, kind: str):
        """Upload a new version (multipart ``file``, form ``note``): linted against the kind's
        contract; 422 lists every lint error (path ``file``); the version stays inactive until
        activated."""
        _kind_or_404(kind)
        upload = files.get("file")
        if upload is None or not upload.filename:
            refuse(422, _("Choose a template file (.docx)"), "file")
        if not upload.filename.lower().endswith(".docx"):
            refuse(422, _("Only .docx files can be uploaded"), "file")
        note = request.form.get("note", "")[:500]
        try:
            version = operations.upload_template(kind, _county(), upload.filename, upload.read(),
                                                 current_user, note)
        except operations.TemplateRejected as exc:
            db.session.rollback()
            abort(422, message=_("The template did not pass the check"), errors=[
                {"path": "file", "message": str(issue)} for issue in exc.report.errors])
        db.session.commit()
        return version


@blp.route("/templates/<kind>/active")
class TemplateActive(MethodView):
    @requires("templates.manage")
    @blp.response(200, TemplateKindOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": ActivateIn}}})
    def put(self, kind: str):
        """Put a version in force (``{"number": 0}`` goes back to the built-in template)."""
        _kind_or_404(kind)
        body = load_json(ActivateIn())
        version = None
        if body["number"]:
            version = queries.version_by_number(kind, _county(), body["number"])
            if version is None:
                refuse(422, _("There is no version %(number)s", number=body["number"]), "number")
        operations.activate_template(kind, _county(), version, current_user)
        db.session.commit()
        return _template_kind(kind)


class TemplateFileArgs(Schema):
    number = fields.Int(load_default=0, validate=validate.Range(min=0, max=10**9),
                        metadata={"description": "An uploaded version, or 0 for built-in"})


class PreviewArgs(TemplateFileArgs):
    relief = fields.Str(load_default=None, validate=validate.OneOf([c.value for c in ReliefCode]),
                        metadata={"description": "The sample household's relief type"})


def _version(kind: str, number: int):
    """Version ``number`` of the county (None for 0, the built-in one); 404 when missing."""
    if not number:
        return None
    version = queries.version_by_number(kind, _county(), number)
    if version is None:
        abort(404, message=_("There is no version %(number)s", number=number))
    return version


@blp.route("/templates/<kind>/file")
class TemplateFile(MethodView):
    @requires("templates.manage")
    @blp.arguments(TemplateFileArgs, location="query")
    @blp.response(200, description="The template", content_type=DOCX)
    @blp.doc(responses={"200": FILE_RESPONSE})
    def get(self, args, kind: str):
        """Download a version of the template (to edit it in Word)."""
        _kind_or_404(kind)
        version = _version(kind, args["number"])
        return send_file(io.BytesIO(queries.template_bytes(kind, version)), mimetype=DOCX,
                         as_attachment=True, download_name=f"{kind}-v{args['number']}.docx")


@blp.route("/templates/<kind>/preview")
class TemplatePreview(MethodView):
    @requires("templates.manage")
    @blp.arguments(PreviewArgs, location="query")
    @blp.response(200, description="The template rendered for a sample household",
                  content_type=DOCX)
    @blp.doc(responses={"200": FILE_RESPONSE})
    def get(self, args, kind: str):
        """Render a version with a sample household of the county (nothing is stored)."""
        _kind_or_404(kind)
        version = _version(kind, args["number"])
        village = queries.preview_village()
        if village is None:
            abort(404, message=_("There is no village (community) in this area to preview with"))
        relief = ReliefCode(args["relief"]) if args["relief"] else None
        try:
            data = operations.preview(kind, queries.template_bytes(kind, version), village,
                                      relief)
        except operations.DocumentError as exc:
            refuse(422, str(exc), "relief" if args["relief"] else "")
        return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                         download_name=f"preview-{kind}-v{args['number']}.docx")
