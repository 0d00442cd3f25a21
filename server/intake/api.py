"""Intake over the API: create a case from answers, validated exactly as the web form is
(``engine.validate_answers`` through ``operations.create_case_from_answers``).

A bad answer gives 422 with each problem's path (``members[1].id_number``); a clerk may only
create cases in villages of their own township (the village field is checked against the
caller's region, as the web form's picker is).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, fields, validate

from ..api.errors import INVALID
from ..auth.access import requires
from ..cases.api import CaseOut
from ..db import db
from ..relief import ReliefCode
from . import operations, queries

blp = Blueprint("api_intake", __name__, url_prefix="/intake",
                description="Taking applications: cases created from form answers")


class CaseBody(Schema):
    relief_type = fields.Str(required=True, validate=validate.OneOf([c.value for c in ReliefCode]))
    answers = fields.Dict(required=True)


class CaseCreated(CaseOut):
    """The case as the cases API shows it, plus what intake adds."""

    schema_version_id = fields.Int()
    members = fields.Function(lambda c: len(c.members))
    warnings = fields.List(fields.Str())


class UploadBody(Schema):
    file = UploadField(metadata={"description": "The scan: PDF (must parse), JPEG or PNG"})


class UploadOut(Schema):
    id = fields.Int(metadata={"description": "Refer to the file in answers as "
                                             "{\"upload_id\": id}"})
    name = fields.Str()
    kind = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    sha256 = fields.Str()


def _unprocessable(exc: operations.IntakeError):
    db.session.rollback()
    abort(422, message=INVALID,
          errors=[{"path": p, "message": m} for p, m in exc.errors])


@blp.route("/uploads")
class Uploads(MethodView):
    @requires("cases.intake")
    @blp.arguments(UploadBody, location="files")
    @blp.response(201, UploadOut)
    def post(self, files):
        """Upload a scan (multipart field `file`); the answer of a file field is then
        `{"upload_id": id}`. Only uploads of the caller's region may be referenced; a hash
        alone is never accepted. A PDF that does not parse is refused (422, path `file`)."""
        try:
            upload = operations.create_upload(files.get("file"), current_user)
        except operations.IntakeError as exc:
            _unprocessable(exc)
        db.session.commit()
        return upload


@blp.route("/cases")
class Cases(MethodView):
    @requires("cases.intake")
    @blp.arguments(CaseBody)
    @blp.response(201, CaseCreated)
    def post(self, body):
        """Create a case with the county's published form of `relief_type` from `answers`
        (``{field: value, group: [{subfield: value}]}``; money as strings; a file field as
        ``{"upload_id": id}`` from `POST /intake/uploads`)."""
        relief = ReliefCode(body["relief_type"])
        version = queries.published_version(current_user.region.county, relief)
        if version is None:
            abort(409, message=_("The county has not published an application form for this "
                                 "relief type yet"))
        try:
            case, result = operations.create_case_from_answers(version, body["answers"],
                                                               current_user)
        except operations.IntakeError as exc:
            _unprocessable(exc)
        db.session.commit()
        case.warnings = result.warnings + [d.message for d in queries.duplicate_members(
            [m.id_number for m in case.members], current_user, case.id)]
        return case
