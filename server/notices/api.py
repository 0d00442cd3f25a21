"""The public side over the API. Public (no token; rate-limited per address; nothing beyond
the printed notice): a notice by its token, sending an objection or report, looking up a
receipt. Staff (bearer token): what the public sent under the caller's region, answering."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from ..api.fields import UtcDateTime
from ..auth.access import public, requires
from ..db import db
from ..params import accept_language
from ..regions.queries import get_scoped_or_404
from . import limits, operations, queries
from .models import PublicSubmission

blp = Blueprint("api_notices", __name__, url_prefix="",
                description="The public side: verifiable notices, objections and reports")
PUBLIC = {"security": []}


@blp.after_request
def _private_headers(response):
    """Public answers are never indexed or cached."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    if request.path.startswith("/api/v1/public/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@blp.before_request
def _caller_language():
    """A public caller has no account: its ``Accept-Language`` chooses the language of the
    refusals, as a token's caller's does."""
    g.api_locale = accept_language()


def _limit(submit: bool = False) -> None:
    cfg = current_app.config
    try:
        limits.hit("view", cfg["PUBLIC_VIEWS_PER_10_MIN"], 600)
        if submit:
            limits.hit("submit", cfg["PUBLIC_SUBMISSIONS_PER_HOUR"], 3600)
    except limits.RateLimited as exc:
        abort(429, message=str(exc), errors=[], headers={"Retry-After": str(exc.retry_after)})


def _refused(exc: operations.SubmissionError):
    db.session.rollback()
    abort(exc.status, message=str(exc),
          errors=[{"path": path, "message": str(message)} for path, message in exc.errors])


class RowOut(Schema):
    number = fields.Int()
    name = fields.Str()
    persons = fields.Int(allow_none=True)
    relief_name = fields.Str()
    amount = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)


class PeriodOut(Schema):
    start = fields.Date()
    end = fields.Date()


class NoticeOut(Schema):
    title = fields.Str()
    kind = fields.Str()
    region = fields.Dict(keys=fields.Str(), values=fields.Str(allow_none=True))
    period = fields.Nested(PeriodOut, allow_none=True)
    is_period_over = fields.Bool()
    month = fields.Str(allow_none=True)
    issued_on = fields.Str(allow_none=True)
    rows = fields.List(fields.Nested(RowOut))
    total_households = fields.Int(allow_none=True)
    total_persons = fields.Int(allow_none=True)
    objection_phone = fields.Str(allow_none=True)
    objection_address = fields.Str(allow_none=True)
    is_current = fields.Bool()
    current_token = fields.Str(allow_none=True)
    accepts_objections = fields.Bool()


class SenderIn(Schema):
    text = fields.Str(required=True, metadata={"description": "plain text, ≤ 1000 characters"})
    name = fields.Str(load_default="")
    phone = fields.Str(load_default="")
    website = fields.Str(load_default="", metadata={"description": "leave empty"})


class NoticeSubmissionIn(SenderIn):
    row = fields.Int(load_default=None, allow_none=True,
                     metadata={"description": "row number of the household objected to"})


class ReportIn(SenderIn):
    county = fields.Str(required=True, metadata={"description": "county code"})
    township = fields.Str(load_default="", metadata={"description": "township code"})


class ReceiptOut(Schema):
    receipt = fields.Str()
    kind = fields.Str()
    kind_label = fields.Str()
    status = fields.Str(metadata={"description": "received, checking or answered"})
    status_label = fields.Str()
    received_at = UtcDateTime()
    answered_at = UtcDateTime(allow_none=True)
    answer = fields.Str(allow_none=True)


class ReceiptIn(Schema):
    receipt = fields.Str(required=True)


def _body(schema: Schema) -> dict:
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        message = _("The body of the request must be a JSON object")
        abort(422, message=message, errors=[{"path": "", "message": message}])
    values = {k: v for k, v in raw.items() if k in schema.fields}
    for key, value in values.items():
        if key != "row" and value is not None and not isinstance(value, str):
            abort(422, message=_("The input has errors"),
                  errors=[{"path": key, "message": _("Must be text")}])
    return values


@blp.route("/public/notices/<token>")
class PublicNotice(MethodView):
    @public
    @blp.doc(**PUBLIC)
    @blp.response(200, NoticeOut)
    def get(self, token: str):
        """What the posted notice shows and whether that copy is current (404: no such
        notice, nothing else said)."""
        _limit()
        notice = queries.notice_by_token(token)
        if notice is None:
            abort(404)
        return queries.public_view(notice)


@blp.route("/public/notices/<token>/submissions")
class PublicNoticeSubmission(MethodView):
    @public
    @blp.doc(**PUBLIC, requestBody={"required": True, "content": {
        "application/json": {"schema": NoticeSubmissionIn}}})
    @blp.response(201, ReceiptOut)
    def post(self, token: str):
        """Object to a listed household (``row``) or report a problem from a notice; answers
        the receipt. 422 names the refused field; 409 an objection to a replaced copy."""
        _limit(submit=True)
        notice = queries.notice_by_token(token)
        if notice is None:
            abort(404)
        values = _body(NoticeSubmissionIn())
        if values.get("row") is not None and not isinstance(values["row"], int):
            abort(422, message=_("The input has errors"),
                  errors=[{"path": "row", "message": _("Must be a row number")}])
        try:
            row = operations.submit_on_notice(notice, values)
        except operations.SubmissionError as exc:
            _refused(exc)
        db.session.commit()
        return queries.receipt_view(row)


@blp.route("/public/reports")
class PublicReports(MethodView):
    @public
    @blp.doc(**PUBLIC, requestBody={"required": True, "content": {
        "application/json": {"schema": ReportIn}}})
    @blp.response(201, ReceiptOut)
    def post(self):
        """Report a problem to a county (optionally naming one of its townships)."""
        from sqlalchemy import select

        from ..regions.models import Region, RegionLevel

        _limit(submit=True)
        values = _body(ReportIn())
        county = db.session.scalars(select(Region).where(
            Region.level == RegionLevel.county, Region.code == values.get("county", ""))).first()
        if county is None:
            abort(422, message=_("Choose a county"),
                  errors=[{"path": "county", "message": _("Unknown county")}])
        region = county
        if values.get("township"):
            region = next((t for t in county.children if t.code == values["township"]), None)
            if region is None:
                abort(422, message=_("Unknown township"),
                      errors=[{"path": "township", "message": _("Unknown township")}])
        try:
            row = operations.create_report(region, values)
        except operations.SubmissionError as exc:
            _refused(exc)
        db.session.commit()
        return queries.receipt_view(row)


@blp.route("/public/receipts")
class PublicReceipts(MethodView):
    @public
    @blp.doc(**PUBLIC, requestBody={"required": True, "content": {
        "application/json": {"schema": ReceiptIn}}})
    @blp.response(200, ReceiptOut)
    def post(self):
        """Look up a receipt: status and the office's answer (never what was sent)."""
        _limit()
        values = _body(ReceiptIn())
        row = queries.submission_by_receipt(values.get("receipt") or "")
        if row is None:
            abort(404)
        return queries.receipt_view(row)


class SubmissionOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    region_id = fields.Int()
    case_id = fields.Int(allow_none=True)
    row_number = fields.Int(allow_none=True)
    name = fields.Str()
    phone = fields.Str()
    text = fields.Str()
    status = fields.Str()
    answer = fields.Str()
    created_at = UtcDateTime()
    answered_at = UtcDateTime(allow_none=True)


class SubmissionAnswerIn(Schema):
    answer = fields.Str(required=True)


@blp.route("/notices/submissions")
class Submissions(MethodView):
    @requires("notices.answer")
    @blp.response(200, SubmissionOut(many=True))
    def get(self):
        """Objections and reports under the caller's region, newest first."""
        return queries.submissions()


@blp.route("/notices/submissions/<int:submission_id>/answer")
class SubmissionAnswer(MethodView):
    @requires("notices.answer")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": SubmissionAnswerIn}}})
    @blp.response(200, SubmissionOut)
    def post(self, submission_id: int):
        """Answer one (shown to the receipt's holder); 404 outside the caller's region."""
        row = get_scoped_or_404(PublicSubmission, submission_id)
        values = _body(SubmissionAnswerIn())
        try:
            operations.answer(row, values.get("answer") or "", current_user)
        except operations.SubmissionError as exc:
            _refused(exc)
        db.session.commit()
        return row
