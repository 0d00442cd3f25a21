"""Schema versions over the API: list, read, create a draft, replace a draft's source, publish.

Errors use the shared error shape; a bad source gives 422 with every problem's path.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..db import db
from ..relief import ReliefCode
from . import operations, queries
from .engine import MAX_SOURCE_BYTES

blp = Blueprint("api_schemas", __name__, url_prefix="/schemas",
                description="Intake form schemas and their versions")


class VersionSchema(Schema):
    id = fields.Int()
    relief_type = fields.Function(lambda v: v.relief_type)
    number = fields.Int()
    status = fields.Function(lambda v: v.status.value)
    title = fields.Str()
    created_at = UtcDateTime()
    published_at = UtcDateTime(allow_none=True)


class VersionDetailSchema(VersionSchema):
    source = fields.Str()
    definition = fields.Dict()


class VersionQuery(Schema):
    relief_type = fields.Str(validate=validate.OneOf([c.value for c in ReliefCode]))


class DraftBody(Schema):
    relief_type = fields.Str(required=True, validate=validate.OneOf([c.value for c in ReliefCode]))
    source = fields.Str(load_default=None,
                        validate=validate.Length(max=MAX_SOURCE_BYTES))


class SourceBody(Schema):
    source = fields.Str(required=True, validate=validate.Length(max=MAX_SOURCE_BYTES))


def _refuse(exc: operations.SchemaOperationError):
    if exc.errors:
        abort(422, message=str(exc), errors=[{"path": p, "message": m} for p, m in exc.errors])
    abort(409, message=str(exc))


@blp.route("/versions")
class Versions(MethodView):
    @requires("schemas.view")
    @blp.arguments(VersionQuery, location="query")
    @blp.response(200, VersionSchema(many=True))
    def get(self, args):
        """Versions of the caller's county, newest first (optionally of one relief type)."""
        return queries.versions(args.get("relief_type"))

    @requires("schemas.manage")
    @blp.arguments(DraftBody)
    @blp.response(201, VersionDetailSchema)
    def post(self, body):
        """Create a draft from `source` (YAML or JSON) or from the newest version."""
        try:
            version = operations.create_draft(current_user.region.county, body["relief_type"],
                                              current_user, body.get("source"))
        except operations.SchemaOperationError as exc:
            db.session.rollback()
            _refuse(exc)
        db.session.commit()
        return version


@blp.route("/versions/<int:version_id>")
class Version(MethodView):
    @requires("schemas.view")
    @blp.response(200, VersionDetailSchema)
    def get(self, version_id):
        """One version with its source and compiled definition."""
        return queries.get_version_or_404(version_id)

    @requires("schemas.manage")
    @blp.arguments(SourceBody)
    @blp.response(200, VersionDetailSchema)
    def put(self, body, version_id):
        """Replace a draft's source (published versions are immutable: 409)."""
        version = queries.get_version_or_404(version_id)
        try:
            operations.update_draft(version, body["source"], current_user)
        except operations.SchemaOperationError as exc:
            db.session.rollback()
            _refuse(exc)
        db.session.commit()
        return version


@blp.route("/versions/<int:version_id>/publish")
class Publish(MethodView):
    @requires("schemas.manage")
    @blp.response(200, VersionDetailSchema)
    def post(self, version_id):
        """Publish a draft: it becomes the current, immutable version."""
        version = queries.get_version_or_404(version_id)
        try:
            operations.publish(version, current_user)
        except operations.SchemaOperationError as exc:
            db.session.rollback()
            _refuse(exc)
        db.session.commit()
        return version


@blp.route("/versions/<int:version_id>/diff/<int:other_id>")
class Diff(MethodView):
    @requires("schemas.view")
    @blp.response(200)
    def get(self, version_id, other_id):
        """Structured and text differences from version `version_id` to `other_id`."""
        old = queries.get_version_or_404(version_id)
        new = queries.get_version_or_404(other_id)
        return queries.diff_versions(old, new)
