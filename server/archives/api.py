"""Archive API: barcode lookup, bundle a case, poll a bundle job."""
from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth.access import requires
from ..cases.models import Case
from ..db import db
from ..regions.queries import get_scoped_or_404
from . import operations, queries, tasks
from .models import ArchiveJob

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
        job = operations.create_job(region_id=case.region_id, case=case)
        db.session.commit()
        tasks.enqueue_or_fail(job)  # a queue failure shows as a failed job with its message
        db.session.refresh(job)
        return queries.job_json(job)


@blp.route("/jobs/<int:job_id>")
class Job(MethodView):
    @requires("archives.manage")
    @blp.response(200, JobOut)
    def get(self, job_id: int):
        """A bundle job's status, progress and error."""
        return queries.job_json(get_scoped_or_404(ArchiveJob, job_id))
