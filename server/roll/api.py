"""The roll over the API: upload a roll file to check or import (a background job), the job's
status and problems, the exports (roll or changes, XLSX or CSV) and the county's export column
layout. Same roles and scoping as the pages: only the county admin imports and edits layouts;
county staff export the county or any township, township staff their own township only."""
from __future__ import annotations

import io

from flask import request, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, ValidationError, fields, post_dump, validate

from ..api.errors import flatten
from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..db import db
from ..jobs import progress_label
from ..params import MAX_ID
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped
from . import exports, layout, operations, queries, tasks
from .models import RollImport
from .validation import parse_month

blp = Blueprint("api_roll", __name__, url_prefix="/roll",
                description="Going live: import the current roll, export for the province")

BINARY = {"schema": {"type": "string", "format": "binary"}}


class RollFileBody(Schema):
    file = UploadField(required=True, metadata={"description": "The roll as XLSX or CSV, in "
                                                               "the layout of the template"})


class RollProblemOut(Schema):
    row = fields.Int()
    column = fields.Str()
    message = fields.Str()


class RollImportOut(Schema):
    id = fields.Int()
    filename = fields.Str()
    is_dry_run = fields.Bool()
    status = fields.Str(metadata={"description": "queued, running, retrying, done or failed"})
    progress = fields.Int()
    message = fields.Str()
    households = fields.Int()
    members = fields.Int()
    added = fields.Int()
    skipped = fields.Int()
    problem_count = fields.Int()
    problems = fields.List(fields.Nested(RollProblemOut))
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)

    @post_dump
    def _in_the_reader_language(self, data: dict, **_kwargs) -> dict:
        """The outcome and the problems are stored in the office's language; the caller reads
        them in the one it asks for (Accept-Language)."""
        if "message" in data:
            data["message"] = progress_label(data["message"])
        if data.get("problems"):
            data["problems"] = queries.read_problems(data["problems"])
        return data


class RollExportArgs(Schema):
    layout = fields.Str(load_default="roll", validate=validate.OneOf(list(layout.LAYOUTS)))
    format = fields.Str(load_default="xlsx", validate=validate.OneOf(list(exports.FORMATS)))
    month = fields.Str(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"),
                       metadata={"description": "e.g. 2026-11"})
    region_id = fields.Int(load_default=None, validate=validate.Range(min=1, max=MAX_ID),
                           metadata={"description": "the county or a township (default: the "
                                                    "caller's region)"})


class RollLayoutArgs(Schema):
    layout = fields.Str(load_default="roll", validate=validate.OneOf(list(layout.LAYOUTS)))


class RollColumnIn(Schema):
    column = fields.Str(required=True, validate=validate.Length(max=100),
                        metadata={"description": "a column key or its default Chinese title"})
    title = fields.Str(load_default="", validate=validate.Length(max=100))


class RollMappingIn(Schema):
    layout = fields.Str(required=True, validate=validate.OneOf(list(layout.LAYOUTS)))
    columns = fields.List(fields.Nested(RollColumnIn), required=True,
                          validate=validate.Length(max=50))


class RollColumnOut(Schema):
    key = fields.Str()
    title = fields.Str()


class RollMappingOut(Schema):
    layout = fields.Str()
    columns = fields.List(fields.Nested(RollColumnOut))


def _mapping(name: str) -> dict:
    columns = operations.mapping_columns(current_user.region.county, name)
    return {"layout": name, "columns": [{"key": k, "title": t} for k, t in columns]}


@blp.route("/imports")
class Imports(MethodView):
    @requires("roll.import")
    @blp.arguments(RollFileBody, location="files")
    @blp.response(202, RollImportOut)
    def post(self, files):
        """Upload a roll file (multipart field `file`; form field `dry_run`, default `true`:
        check only). The check or import runs as a background job: poll
        `GET /roll/imports/{import_id}`; problems are listed by row and column."""
        dry_run = request.form.get("dry_run", "true").strip().lower() not in ("false", "0", "no")
        upload = files.get("file")
        try:
            job = operations.create_import(current_user.region.county,
                                           getattr(upload, "filename", "") or "",
                                           upload.read() if upload else b"", current_user,
                                           is_dry_run=dry_run)
        except operations.RollError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": "file", "message": str(exc)}])
        db.session.commit()
        tasks.enqueue_or_fail(job)
        return db.session.get(RollImport, job.id)


@blp.route("/imports/<int:import_id>")
class ImportItem(MethodView):
    @requires("roll.import")
    @blp.response(200, RollImportOut)
    def get(self, import_id: int):
        """One import's status, counts and problems (404 outside the caller's county)."""
        job = get_scoped(RollImport, import_id)
        if job is None:
            abort(404)
        return job


@blp.route("/template")
class Template(MethodView):
    @requires("roll.export")
    @blp.doc(responses={"200": {"description": "The import template (XLSX)",
                                "content": {exports.FORMATS["xlsx"]: BINARY}}})
    def get(self):
        """The import template: Chinese header row, one example row, a sheet on the columns."""
        return send_file(io.BytesIO(layout.template_xlsx()), as_attachment=True,
                         download_name="roll-template.xlsx", mimetype=exports.FORMATS["xlsx"])


@blp.route("/exports")
class Exports(MethodView):
    @requires("roll.export")
    @blp.arguments(RollExportArgs, location="query")
    @blp.doc(responses={"200": {"description": "The export file", "content": {
        exports.FORMATS["xlsx"]: BINARY, "text/csv": BINARY}}})
    def get(self, args):
        """The roll of a month (`layout=roll`, the import's layout) or its changes
        (`layout=changes`) for the county or one township, in the county's column layout."""
        month = parse_month(args["month"])
        if month is None or not 1990 <= month.year <= 2100:
            message = _("Write the month as 2026-11")
            abort(422, message=message, errors=[{"path": "month", "message": message}])
        region = get_scoped(Region, args["region_id"] or current_user.region_id)
        if region is None or region.level == RegionLevel.village:
            abort(404)
        data, _rows = operations.export_file(region, args["layout"], month, args["format"],
                                             current_user)
        db.session.commit()
        return send_file(io.BytesIO(data), as_attachment=True,
                         download_name=f"{args['layout']}-{month:%Y-%m}.{args['format']}",
                         mimetype=exports.FORMATS[args["format"]])


@blp.route("/mapping")
class Mapping(MethodView):
    @requires("roll.export")
    @blp.arguments(RollLayoutArgs, location="query")
    @blp.response(200, RollMappingOut)
    def get(self, args):
        """The county's columns of an export layout, in order."""
        return _mapping(args["layout"])

    @requires("roll.configure")
    @blp.response(200, RollMappingOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": RollMappingIn}}})
    def put(self):
        """Rename and reorder an export's columns: `{layout, columns: [{column, title}]}`
        (an empty list restores the default). An unknown column is refused (422)."""
        try:
            body = RollMappingIn().load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            abort(422, message=_("The input has errors"), errors=flatten(exc.messages))
        try:
            operations.save_mapping(current_user.region.county, body["layout"],
                                    [(c["column"], c["title"]) for c in body["columns"]],
                                    current_user)
        except layout.MappingError as exc:
            db.session.rollback()
            abort(422, message=str(exc),
                  errors=[{"path": "columns", "message": str(p)} for p in exc.problems])
        db.session.commit()
        return _mapping(body["layout"])
