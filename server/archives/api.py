"""Archive API: barcode lookup, bundle a case, poll a bundle job."""
from __future__ import annotations

from flask import abort, request, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as api_abort
from marshmallow import Schema, fields, validate

from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..cases.models import Case
from ..db import db
from ..params import FIRST_DAY, LAST_DAY, MAX_ID
from ..periods import month_of
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped, get_scoped_or_404
from . import operations, queries, tasks
from .bundle import COPIES
from .models import ArchiveJob
from .retention import CLASSES, MAX_YEARS, stopped_on

blp = Blueprint("api_archives", __name__, url_prefix="/archives",
                description="Archive numbers and dual-copy archive bundles")


class LookupArgs(Schema):
    number = fields.Str(required=True,
                        metadata={"description": "A scanned archive number, or a case number"})


class CaseRef(Schema):
    case_id = fields.Int()
    case_number = fields.Str()
    archive_number = fields.Str()
    applicant_name = fields.Str()
    url = fields.Str()
    matched = fields.Str(metadata={"description": "Which number matched: archive_number or "
                                                  "case_number"})


class JobOut(Schema):
    id = fields.Int()
    status = fields.Str()
    status_label = fields.Str()
    progress = fields.Int()
    message = fields.Str()
    error = fields.Str()
    attempts = fields.Int()
    is_finished = fields.Bool()
    result = fields.Dict()


@blp.route("/lookup")
class Lookup(MethodView):
    @requires("archives.manage")
    @blp.arguments(LookupArgs, location="query")
    @blp.response(200, CaseRef)
    def get(self, args):
        """The case with this archive number, else this case number, and which matched (404
        when it is another region's number)."""
        from .views import case_url

        case, kind = queries.case_by_number(args["number"])
        if case is None:
            abort(404)
        return {"case_id": case.id, "case_number": case.case_number,
                "archive_number": case.archive_number, "applicant_name": case.applicant_name,
                "url": case_url(case), "matched": kind}


@blp.route("/cases/<int:case_id>/bundle")
class CaseBundle(MethodView):
    @requires("archives.manage")
    @blp.response(202, JobOut)
    def post(self, case_id: int):
        """Queue a bundle build (both copies) for a decided case."""
        case = get_scoped_or_404(Case, case_id)
        if case.decided_at is None:
            abort(409, "only decided cases can be archived")
        try:
            job = operations.create_job(region_id=case.region_id, case=case)
        except operations.ArchiveError as exc:  # the same bundle is being built
            abort(409, str(exc))
        db.session.commit()
        tasks.enqueue_or_fail(job)  # a queue failure shows as a failed job with its message
        db.session.refresh(job)
        return queries.job_json(job)


class DownloadArgs(Schema):
    copy = fields.Str(load_default="county", validate=validate.OneOf([c.key for c in COPIES]),
                      metadata={"description": "county (县级存档) or township (乡镇存档)"})
    fmt = fields.Str(load_default="pdf", validate=validate.OneOf(["pdf", "zip"]))


@blp.route("/cases/<int:case_id>/download")
class CaseDownload(MethodView):
    @requires("archives.manage")
    @blp.arguments(DownloadArgs, location="query")
    @blp.response(200, description="The copy's merged PDF or ZIP")
    @blp.doc(responses={"200": {"description": "The file", "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "application/zip": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, args, case_id: int):
        """One copy of the finished bundle (404 until it is built)."""
        case = get_scoped_or_404(Case, case_id)
        path = queries.bundle_file(case, args["copy"], args["fmt"])
        if path is None:
            api_abort(404, message=_("This file has not been archived as a bundle yet"))
        return send_file(path, as_attachment=args["fmt"] == "zip",
                         download_name=f"{case.archive_number}-{args['copy']}.{args['fmt']}")


class BatchIn(Schema):
    township_id = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    month = fields.Date(required=True, validate=validate.Range(min=FIRST_DAY, max=LAST_DAY),
                        metadata={"description": "Any day of the month whose decisions are "
                                                 "bundled"})


@blp.route("/batches")
class Batches(MethodView):
    @requires("archives.manage")
    @blp.arguments(BatchIn)
    @blp.response(202, JobOut)
    def post(self, body):
        """Queue bundles of every case of a township decided in the month; poll the job."""
        township = get_scoped(Region, body["township_id"])
        if township is None or township.level != RegionLevel.township:
            message = _("Choose a township (subdistrict) in your area")
            api_abort(422, message=message, errors=[{"path": "township_id", "message": message}])
        try:
            job = operations.create_job(region_id=township.id, month=month_of(body["month"]),
                                        actor=current_user)
        except operations.ArchiveError as exc:  # the same batch is being built
            abort(409, str(exc))
        db.session.commit()
        tasks.enqueue_or_fail(job)
        db.session.refresh(job)
        return queries.job_json(job)


@blp.route("/jobs/<int:job_id>")
class Job(MethodView):
    @requires("archives.manage")
    @blp.response(200, JobOut)
    def get(self, job_id: int):
        """A bundle job's status, progress and error."""
        return queries.job_json(get_scoped_or_404(ArchiveJob, job_id))


class RetentionOut(Schema):
    doc_class = fields.Str()
    label = fields.Str()
    years = fields.Int(allow_none=True, metadata={"description": "None: permanent"})
    floor = fields.Int(metadata={"description": "The fewest years allowed"})


def _retention_rows() -> list[dict]:
    rules = queries.retention_rules(current_user.region.county)
    return [{"doc_class": key, "label": str(c.label), "years": rules[key], "floor": c.floor}
            for key, c in CLASSES.items()]


RETENTION_IN = {"type": "object", "additionalProperties": False, "properties": {
    key: {"type": "integer", "minimum": c.floor, "maximum": MAX_YEARS, "nullable": True,
          "description": f"{c.title}: years kept, null for permanent"}
    for key, c in CLASSES.items()}}


@blp.route("/retention")
class Retention(MethodView):
    @requires("archives.configure")
    @blp.response(200, RetentionOut(many=True))
    def get(self):
        """The county's retention period per class of file."""
        return _retention_rows()

    @requires("archives.configure")
    @blp.response(200, RetentionOut(many=True))
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": RETENTION_IN}}})
    def put(self):
        """Set every class's period (``{"approval": 5, "annual_report": null}``; a class left
        out keeps its period); 422 with the class as field path when out of range."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            api_abort(422, message=_("The request body must be a JSON object"),
                      errors=[{"path": "", "message": _("Must be an object")}])
        unknown = [key for key in body if key not in CLASSES]
        if unknown:
            message = _("Unknown class of files")
            api_abort(422, message=message, errors=[
                {"path": key, "message": message} for key in unknown])
        if any(isinstance(v, (bool, float, dict, list)) for v in body.values()):
            api_abort(422, message=_("A retention must be whole years or null (permanent)"),
                      errors=[{"path": k, "message": _("Must be a whole number or null")}
                              for k, v in body.items()
                if isinstance(v, (bool, float, dict, list))])
        try:
            county = current_user.region.county
            operations.set_retention(county, {**queries.retention_rules(county), **body})
        except operations.ArchiveError as exc:
            db.session.rollback()
            api_abort(422, message=str(exc), errors=exc.errors)
        db.session.commit()
        return _retention_rows()


class FilesArgs(Schema):
    expired = fields.Bool(load_default=False,
                          metadata={"description": "Only files whose retention has run out"})


class FileOut(Schema):
    case_id = fields.Int(attribute="id")
    archive_number = fields.Str()
    case_number = fields.Str()
    applicant_name = fields.Str()
    relief_type = fields.Function(lambda c: c.relief_type)
    stopped_on = fields.Function(lambda c: _iso(stopped_on(c)), metadata={"type": "string", "format": "date",
                                                                   "nullable": True})
    retention = fields.Function(lambda c: queries.case_retention(c))


def _iso(day):
    return day.isoformat() if day is not None else None


@blp.route("/files")
class Files(MethodView):
    @requires("archives.manage")
    @blp.arguments(FilesArgs, location="query")
    @blp.response(200, FileOut(many=True))
    def get(self, args):
        """Archived household files of the caller's region (the newest 200), or only those
        whose retention has run out."""
        return queries.expired_cases() if args["expired"] else queries.archived_cases()


class ReportOut(Schema):
    filing_id = fields.Int(attribute="id")
    township = fields.Function(lambda f: f.region.name)
    month = fields.Date()
    submitted_at = UtcDateTime()
    retention = fields.Function(lambda f: queries.report_retention(f))


@blp.route("/expired-reports")
class ExpiredReports(MethodView):
    @requires("archives.manage")
    @blp.response(200, ReportOut(many=True))
    def get(self):
        """Monthly filings of the caller's region whose retention has run out."""
        return queries.expired_reports()


class PatternIO(Schema):
    number_pattern = fields.Str(required=True, validate=validate.Length(min=1, max=80),
                                metadata={"example": "{county}-{year}-{type}-A{seq:06d}"})


@blp.route("/settings")
class Settings(MethodView):
    @requires("archives.configure")
    @blp.response(200, PatternIO)
    def get(self):
        """The county's archive-number pattern."""
        return operations.settings_for(current_user.region.county)

    @requires("archives.configure")
    @blp.arguments(PatternIO)
    @blp.response(200, PatternIO)
    def put(self, body):
        """Change the pattern (``{seq}`` required; one shaped like case numbers is refused)."""
        try:
            row = operations.set_pattern(current_user.region.county, body["number_pattern"])
        except operations.ArchiveError as exc:
            db.session.rollback()
            api_abort(422, message=str(exc),
                      errors=[{"path": "number_pattern", "message": str(exc)}])
        db.session.commit()
        return row
