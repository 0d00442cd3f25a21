"""The one window over the API: list and register requests, refer one to a department."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..api.errors import load_json
from ..auth.access import requires
from ..db import db
from ..params import FIRST_DAY, LAST_DAY, MAX_ID
from ..regions.queries import get_scoped_or_404
from . import operations, queries
from .labels import MATTERS, state_of
from .models import WindowDepartment, WindowRequest

blp = Blueprint("api_window", __name__, url_prefix="/window",
                description="The one window (一门受理、协同办理): requests and referrals")

DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY)


class RequestOut(Schema):
    id = fields.Int()
    number = fields.Str()
    township_id = fields.Int(attribute="region_id")
    applicant_name = fields.Str()
    matter = fields.Str()
    matter_label = fields.Function(lambda r: str(MATTERS[r.matter]))
    state = fields.Function(state_of)
    received_on = fields.Date()
    referral_due_on = fields.Date()
    department = fields.Function(lambda r: r.department.name if r.department else None)
    referred_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    feedback_due_on = fields.Date(allow_none=True)
    fed_back_on = fields.Date(allow_none=True)
    satisfaction = fields.Str(allow_none=True)


class RequestIn(Schema):
    applicant_name = fields.Str(required=True, validate=validate.Length(min=1, max=50))
    matter = fields.Str(required=True, validate=validate.OneOf(list(MATTERS)))
    phone = fields.Str(load_default="", validate=validate.Length(max=40))
    description = fields.Str(load_default="", validate=validate.Length(max=2000))
    received_on = fields.Date(load_default=None, allow_none=True, validate=DAY)


class ReferIn(Schema):
    department_id = fields.Int(required=True, validate=validate.Range(min=1, max=MAX_ID))
    on = fields.Date(load_default=None, allow_none=True, validate=DAY)




def _refused(exc: operations.WindowError):
    db.session.rollback()
    abort(422, message=str(exc), errors=[{"path": exc.field, "message": str(exc)}])


@blp.route("/requests")
class Requests(MethodView):
    @requires("window.view")
    @blp.response(200, RequestOut(many=True))
    def get(self):
        """Requests under the caller's region, newest first (200 at most)."""
        return queries.requests()

    @requires("window.register")
    @blp.response(201, RequestOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": RequestIn}}})
    def post(self):
        """Register a request at the caller's township window; the referral clock starts."""
        body = load_json(RequestIn())
        try:
            row = operations.register_request(
                current_user.region, body["applicant_name"], body["matter"], current_user,
                phone=body["phone"], description=body["description"],
                received_on=body["received_on"])
        except operations.WindowError as exc:
            _refused(exc)
        db.session.commit()
        return row


@blp.route("/requests/<int:request_id>/referral")
class Referral(MethodView):
    @requires("window.register")
    @blp.response(200, RequestOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ReferIn}}})
    def post(self, request_id: int):
        """Refer the request to one of the county's departments (422 with the field path)."""
        row = get_scoped_or_404(WindowRequest, request_id)
        body = load_json(ReferIn())
        try:
            operations.refer(row, db.session.get(WindowDepartment, body["department_id"]),
                             current_user, body["on"])
        except operations.WindowError as exc:
            _refused(exc)
        db.session.commit()
        return row
