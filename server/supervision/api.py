"""Supervision over the API: the 备案 register (rows and per-township counts) and the draws."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from .. import idnumber
from ..api.errors import flatten
from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..db import db
from ..intake.api import UploadBody, UploadOut
from ..params import FIRST_DAY, LAST_DAY, MAX_ID, MAX_TEXT, month_arg
from ..periods import local_today, month_of
from ..regions.models import Region
from ..regions.queries import get_scoped_or_404
from . import operations, queries
from .models import Complaint, Rectification, SpotCheck, SpotCheckDraw
from .registry import (
    CHANNELS,
    COMPLAINT_STATUS,
    CONCERNS,
    FINDINGS,
    OUTCOMES,
    RECTIFICATION_STATES,
    RECTIFICATION_STEPS,
)
from .views import register_filters

blp = Blueprint("api_supervision", __name__, url_prefix="/supervision",
                description="County supervision: the decision register, spot-check draws, "
                            "check findings, rectifications and complaints")


class RegisterRowOut(Schema):
    on = fields.Function(lambda r: r.event.effective_on.isoformat())
    township_id = fields.Function(lambda r: r.township.id)
    township = fields.Function(lambda r: r.township.name)
    case_id = fields.Function(lambda r: r.case.id)
    case_number = fields.Function(lambda r: r.case.case_number)
    relief_type = fields.Function(lambda r: r.case.relief_type.value)
    applicant_name = fields.Function(lambda r: r.case.applicant_name)
    applicant_id_number = fields.Function(lambda r: idnumber.mask(r.case.applicant_id_number))
    decision = fields.Str(attribute="kind")
    action = fields.Function(lambda r: r.event.action)
    decided_by = fields.Str()
    due_on = fields.Date(allow_none=True)
    is_late = fields.Bool()
    decision_form_id = fields.Int(allow_none=True)


class TownshipCountOut(Schema):
    township_id = fields.Function(lambda s: s["township"].id)
    township = fields.Function(lambda s: s["township"].name)
    decided = fields.Int()
    on_time = fields.Int()
    late = fields.Int()


class RegisterOut(Schema):
    month = fields.Date()
    townships = fields.List(fields.Nested(TownshipCountOut))
    rows = fields.List(fields.Nested(RegisterRowOut))


@blp.route("/register")
class Register(MethodView):
    @requires("supervision.view")
    @blp.doc(parameters=[{"in": "query", "name": name, "schema": {"type": kind}}
                         for name, kind in (("month", "string"), ("township_id", "integer"),
                                            ("relief_type", "string"), ("decision", "string"))])
    @blp.response(200, RegisterOut)
    def get(self):
        """The month's township decisions with per-township counts (decided, on time, late).

        400 for a malformed filter (``errors`` names it), 404 for another county's township.
        """
        filters = register_filters(request.args)
        month = filters.pop("month")
        rows = queries.register(month, **filters)
        towns = [filters["township"]] if filters["township"] else queries.townships()
        return {"month": month, "rows": rows,
                "townships": queries.register_summary(rows, towns)}


class CheckOut(Schema):
    id = fields.Int()
    case_id = fields.Int()
    case_number = fields.Function(lambda c: c.case.case_number)
    applicant_name = fields.Function(lambda c: c.case.applicant_name)
    applicant_id_number = fields.Function(lambda c: idnumber.mask(c.case.applicant_id_number))
    sources = fields.List(fields.Str())
    assignee_id = fields.Int(allow_none=True)


class DrawOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    month = fields.Date()
    number = fields.Int()
    seed = fields.Str()
    rate_percent = fields.Int()
    population = fields.List(fields.Int())
    drawn = fields.List(fields.Int())
    must_visit = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()))
    reason = fields.Str()
    is_current = fields.Bool()
    created_at = UtcDateTime()
    checks = fields.List(fields.Nested(CheckOut))


class DrawIn(Schema):
    township_id = fields.Int(required=True, validate=validate.Range(min=1, max=MAX_ID))
    month = fields.Date(required=True, metadata={"description": "any day of the month"},
                        validate=validate.Range(min=FIRST_DAY, max=LAST_DAY))
    rate_percent = fields.Int(load_default=None, allow_none=True,
                              validate=validate.Range(min=0, max=100))
    reason = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))


@blp.route("/draws")
class Draws(MethodView):
    @requires("supervision.view")
    @blp.doc(parameters=[{"in": "query", "name": "month", "schema": {"type": "string"}}])
    @blp.response(200, DrawOut(many=True))
    def get(self):
        """The month's current draw of every township the caller sees."""
        month = month_arg("month", month_of(local_today()))
        return list(queries.current_draws(month).values())

    @requires("supervision.draw")
    @blp.response(201, DrawOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": DrawIn}}})
    def post(self):
        """Draw a township's month: ``{township_id, month, rate_percent, reason}``.

        404 another county's township; 422 a bad body, a rate below the county's least, or a
        second draw of the month without a ``reason`` (``errors`` names the field).
        """
        try:
            body = DrawIn().load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            abort(422, message="输入有误", errors=flatten(exc.messages))
        township = get_scoped_or_404(Region, body["township_id"])
        try:
            row = operations.draw(township, month_of(body["month"]), current_user,
                                  rate_percent=body["rate_percent"], reason=body["reason"])
        except operations.DrawError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": exc.path, "message": str(exc)}])
        db.session.commit()
        return row


@blp.route("/draws/<int:draw_id>")
class DrawItem(MethodView):
    @requires("supervision.view")
    @blp.response(200, DrawOut)
    def get(self, draw_id: int):
        """One draw with its checks (404 outside the caller's county)."""
        return get_scoped_or_404(SpotCheckDraw, draw_id)


# --- check findings and rectification (整改) ---------------------------------------------


def _load(schema: Schema) -> dict:
    try:
        return schema.load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        abort(422, message="输入有误", errors=flatten(exc.messages))


def _refused(exc):
    db.session.rollback()
    abort(422, message=str(exc), errors=[{"path": exc.path, "message": str(exc)}])


class EvidenceOut(Schema):
    id = fields.Int()
    upload_id = fields.Int()
    name = fields.Function(lambda e: e.upload.name)
    kind = fields.Function(lambda e: e.upload.kind)


class FindingOut(Schema):
    visited_on = fields.Date()
    people_met = fields.Str()
    problems = fields.List(fields.Str())
    problem_labels = fields.Function(lambda f: [str(FINDINGS[p]) for p in f.problems])
    notes = fields.Str()
    recorded_by_id = fields.Int(allow_none=True)
    recorded_at = UtcDateTime()
    evidence = fields.List(fields.Nested(EvidenceOut))


class CheckDetailOut(CheckOut):
    draw_id = fields.Int()
    finding = fields.Nested(FindingOut, allow_none=True)
    rectification_id = fields.Function(
        lambda c: c.rectification.id if c.rectification else None)


class FindingIn(Schema):
    visited_on = fields.Date(required=True, validate=validate.Range(min=FIRST_DAY, max=LAST_DAY))
    people_met = fields.Str(required=True, validate=validate.Length(max=MAX_TEXT))
    problems = fields.List(fields.Str(), required=True, metadata={
        "description": "[] when the case was found correct; else keys of: "
                       + ", ".join(FINDINGS)})
    notes = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))
    upload_ids = fields.List(fields.Int(validate=validate.Range(min=1, max=MAX_ID)),
                             load_default=list, metadata={
                                 "description": "ids from POST /supervision/uploads"})


@blp.route("/uploads")
class Uploads(MethodView):
    @requires("supervision.upload")
    @blp.arguments(UploadBody, location="files")
    @blp.response(201, UploadOut)
    def post(self, files):
        """Upload evidence or proof (multipart field `file`: PDF that parses, JPEG or PNG, by
        content); refer to it by ``upload_ids``. 422 with path `file` for a bad file."""
        from ..intake.operations import IntakeError, create_upload

        try:
            upload = create_upload(files.get("file"), current_user)
        except IntakeError as exc:
            db.session.rollback()
            abort(422, message="文件不符合要求",
                  errors=[{"path": p, "message": m} for p, m in exc.errors])
        db.session.commit()
        return upload


@blp.route("/checks/<int:check_id>")
class CheckItem(MethodView):
    @requires("supervision.view")
    @blp.response(200, CheckDetailOut)
    def get(self, check_id: int):
        """One spot check with its finding and rectification id (404 outside the county)."""
        return get_scoped_or_404(SpotCheck, check_id)


@blp.route("/checks/<int:check_id>/finding")
class CheckFindingItem(MethodView):
    @requires("supervision.check")
    @blp.response(201, CheckDetailOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": FindingIn}}})
    def post(self, check_id: int):
        """Record the home visit (once). A problem opens the township's rectification, due in
        ``JIUZHU_RECTIFICATION_DAYS`` working days. 422 names the field."""
        check = get_scoped_or_404(SpotCheck, check_id)
        body = _load(FindingIn())
        try:
            operations.record_finding(check, current_user, **body)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return check


class StepOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    kind_label = fields.Function(lambda s: str(RECTIFICATION_STEPS[s.kind]))
    text = fields.Str()
    actor_id = fields.Int(allow_none=True)
    created_at = UtcDateTime()
    evidence = fields.List(fields.Nested(EvidenceOut))


class RectificationOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    township = fields.Function(lambda r: r.region.name)
    check_id = fields.Int()
    case_id = fields.Int()
    case_number = fields.Function(lambda r: r.case.case_number)
    applicant_name = fields.Function(lambda r: r.case.applicant_name)
    problems = fields.List(fields.Str())
    problem_labels = fields.Function(lambda r: [str(FINDINGS[p]) for p in r.problems])
    opened_on = fields.Date()
    due_on = fields.Date()
    is_overdue = fields.Function(lambda r: queries.is_overdue(r))
    state = fields.Str()
    state_label = fields.Function(lambda r: str(RECTIFICATION_STATES[r.state]))
    closed_on = fields.Date(allow_none=True)
    steps = fields.List(fields.Nested(StepOut))


class AnswerIn(Schema):
    text = fields.Str(required=True, validate=validate.Length(max=MAX_TEXT))
    upload_ids = fields.List(fields.Int(validate=validate.Range(min=1, max=MAX_ID)),
                             load_default=list)


class DecisionIn(Schema):
    text = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))


@blp.route("/rectifications")
class Rectifications(MethodView):
    @requires("supervision.rectifications")
    @blp.response(200, RectificationOut(many=True))
    def get(self):
        """The rectifications the caller sees (a township: its own), overdue first."""
        return queries.rectifications()


@blp.route("/rectifications/<int:rectification_id>")
class RectificationItem(MethodView):
    @requires("supervision.rectifications")
    @blp.response(200, RectificationOut)
    def get(self, rectification_id: int):
        """One rectification with its answers and the county's decisions."""
        return get_scoped_or_404(Rectification, rectification_id)


@blp.route("/rectifications/<int:rectification_id>/answer")
class RectificationAnswer(MethodView):
    @requires("supervision.answer")
    @blp.response(200, RectificationOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": AnswerIn}}})
    def post(self, rectification_id: int):
        """The township's answer: ``{text, upload_ids}`` (uploads of the township's own)."""
        row = get_scoped_or_404(Rectification, rectification_id)
        body = _load(AnswerIn())
        try:
            operations.answer_rectification(row, current_user, **body)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return row


def _decide(rectification_id: int, close: bool):
    row = get_scoped_or_404(Rectification, rectification_id)
    body = _load(DecisionIn())
    try:
        operations.decide_rectification(row, current_user, close=close, text=body["text"])
    except operations.Refused as exc:
        _refused(exc)
    db.session.commit()
    return row


@blp.route("/rectifications/<int:rectification_id>/close")
class RectificationClose(MethodView):
    @requires("supervision.check")
    @blp.response(200, RectificationOut)
    @blp.doc(requestBody={"content": {"application/json": {"schema": DecisionIn}}})
    def post(self, rectification_id: int):
        """Close an answered rectification (422 if it is not answered)."""
        return _decide(rectification_id, close=True)


@blp.route("/rectifications/<int:rectification_id>/return")
class RectificationReturn(MethodView):
    @requires("supervision.check")
    @blp.response(200, RectificationOut)
    @blp.doc(requestBody={"content": {"application/json": {"schema": DecisionIn}}})
    def post(self, rectification_id: int):
        """Return an answered rectification with why (``text`` required); the township
        answers again."""
        return _decide(rectification_id, close=False)


# --- complaints (举报) and hotline records -----------------------------------------------


class ComplaintOut(Schema):
    id = fields.Int()
    reference = fields.Str()
    channel = fields.Str()
    channel_label = fields.Function(lambda c: str(CHANNELS[c.channel]))
    concerns = fields.Str()
    case_id = fields.Int(allow_none=True)
    township_id = fields.Int(allow_none=True)
    staff_user_id = fields.Int(allow_none=True)
    is_anonymous = fields.Function(lambda c: not (c.complainant_name or c.complainant_phone))
    complainant_name = fields.Function(lambda c: queries.mask_name(c.complainant_name))
    complainant_phone = fields.Function(lambda c: queries.mask_phone(c.complainant_phone))
    content = fields.Str()
    received_on = fields.Date()
    due_on = fields.Date()
    is_overdue = fields.Function(lambda c: queries.is_overdue(c))
    status = fields.Function(lambda c: queries.complaint_status(c))
    status_label = fields.Function(lambda c: str(COMPLAINT_STATUS[queries.complaint_status(c)]))
    handler_id = fields.Int(allow_none=True)
    findings = fields.Str()
    outcome = fields.Str(allow_none=True)
    outcome_label = fields.Function(lambda c: str(OUTCOMES[c.outcome]) if c.outcome else None)
    reply = fields.Str()
    answered_on = fields.Date(allow_none=True)


class ComplaintDetailOut(ComplaintOut):
    """The complainant in full (the county only ever reaches this)."""

    complainant_name = fields.Str()
    complainant_phone = fields.Str()


class ComplaintIn(Schema):
    channel = fields.Str(required=True, validate=validate.OneOf(list(CHANNELS)))
    concerns = fields.Str(required=True, validate=validate.OneOf(list(CONCERNS)))
    content = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    case_id = fields.Int(load_default=None, allow_none=True,
                         validate=validate.Range(min=1, max=MAX_ID))
    township_id = fields.Int(load_default=None, allow_none=True,
                             validate=validate.Range(min=1, max=MAX_ID))
    staff_user_id = fields.Int(load_default=None, allow_none=True,
                               validate=validate.Range(min=1, max=MAX_ID))
    complainant_name = fields.Str(load_default=None, allow_none=True,
                                  validate=validate.Length(max=100))
    complainant_phone = fields.Str(load_default=None, allow_none=True,
                                   validate=validate.Length(max=40))


class AssignIn(Schema):
    handler_id = fields.Int(required=True, validate=validate.Range(min=1, max=MAX_ID))


class ComplaintAnswerIn(Schema):
    findings = fields.Str(required=True, validate=validate.Length(max=MAX_TEXT))
    outcome = fields.Str(required=True, validate=validate.OneOf(list(OUTCOMES)))
    reply = fields.Str(required=True, validate=validate.Length(max=MAX_TEXT))


@blp.route("/complaints")
class Complaints(MethodView):
    @requires("supervision.complaints")
    @blp.response(200, ComplaintOut(many=True))
    def get(self):
        """The county's complaints, overdue first (the complainant masked). County only."""
        return queries.complaints()

    @requires("supervision.complaints")
    @blp.response(201, ComplaintDetailOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": ComplaintIn}}})
    def post(self):
        """Record a complaint or hotline call; ``concerns`` is case (``case_id``), staff
        (``staff_user_id``) or township (``township_id``). 422 names the field."""
        body = _load(ComplaintIn())
        try:
            row = operations.record_complaint(current_user, **body)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return row


@blp.route("/complaints/<int:complaint_id>")
class ComplaintItem(MethodView):
    @requires("supervision.complaints")
    @blp.response(200, ComplaintDetailOut)
    def get(self, complaint_id: int):
        """One complaint with the complainant in full (county only)."""
        return get_scoped_or_404(Complaint, complaint_id)


@blp.route("/complaints/<int:complaint_id>/assign")
class ComplaintAssign(MethodView):
    @requires("supervision.complaints")
    @blp.response(200, ComplaintDetailOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": AssignIn}}})
    def post(self, complaint_id: int):
        """Give the complaint to a county administrator or supervisor to check."""
        row = get_scoped_or_404(Complaint, complaint_id)
        body = _load(AssignIn())
        try:
            operations.assign_complaint(row, body["handler_id"], current_user)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return row


@blp.route("/complaints/<int:complaint_id>/answer")
class ComplaintAnswer(MethodView):
    @requires("supervision.complaints")
    @blp.response(200, ComplaintDetailOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": ComplaintAnswerIn}}})
    def post(self, complaint_id: int):
        """Answer and close: ``{findings, outcome (substantiated|unsubstantiated), reply}``."""
        row = get_scoped_or_404(Complaint, complaint_id)
        body = _load(ComplaintAnswerIn())
        try:
            operations.answer_complaint(row, current_user, **body)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return row
