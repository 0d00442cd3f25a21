"""Supervision over the API: the 备案 register (rows and per-township counts) and the draws."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from .. import idnumber
from ..api.errors import flatten, load_json
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
    relief_type = fields.Function(lambda r: r.case.relief_type)
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
            abort(422, message=_("The input has errors"), errors=flatten(exc.messages))
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


# -- township evaluation (联评) ----------------------------------------------------------------

class MetricOut(Schema):
    key = fields.Str()
    label = fields.Function(lambda m: str(m.label))
    better = fields.Str(metadata={"description": "higher or lower"})
    unit = fields.Str(metadata={"description": "percent, days, count or score"})


class EvaluationRowOut(Schema):
    township_id = fields.Function(lambda r: r.township.id)
    township = fields.Function(lambda r: r.township.name)
    values = fields.Dict(keys=fields.Str(), values=fields.Float(allow_none=True))
    normalised = fields.Dict(keys=fields.Str(), values=fields.Float(allow_none=True))
    score = fields.Float(allow_none=True)
    rank = fields.Int(allow_none=True)
    is_bottom = fields.Bool()
    marked_for = fields.Function(lambda r: r.mark.year if r.mark else None, allow_none=True)


class EvaluationOut(Schema):
    period = fields.Function(lambda e: e.period.key)
    label = fields.Function(lambda e: e.period.label)
    start = fields.Function(lambda e: e.period.start.isoformat())
    end = fields.Function(lambda e: e.period.end.isoformat())
    metrics = fields.List(fields.Nested(MetricOut))
    weights = fields.Dict(keys=fields.Str(), values=fields.Int())
    bottom_kind = fields.Function(lambda e: e.bottom[0])
    bottom_value = fields.Function(lambda e: e.bottom[1])
    townships = fields.List(fields.Nested(EvaluationRowOut), attribute="rows")


class EvaluationSettingIn(Schema):
    weights = fields.Dict(keys=fields.Str(), values=fields.Raw(), load_default=dict,
                          metadata={"description": "metric key -> whole number 0–100"})
    bottom_kind = fields.Str(required=True, validate=validate.OneOf(("count", "percent")))
    bottom_value = fields.Int(required=True, strict=True)


class EvaluationSettingOut(Schema):
    weights = fields.Dict(keys=fields.Str(), values=fields.Int())
    bottom_kind = fields.Str()
    bottom_value = fields.Int()


class MarkIn(Schema):
    period = fields.Str(required=True, metadata={"description": "a year, e.g. 2026"})
    reason = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))


class MarkOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    year = fields.Int()
    period = fields.Str()
    rank = fields.Int()
    score = fields.Float(allow_none=True)
    reason = fields.Str()
    created_at = UtcDateTime()




def _setting_body(county):
    from .evaluation import bottom_rule, setting_of, weights_of

    row = setting_of(county)
    kind, value = bottom_rule(row)
    return {"weights": weights_of(row), "bottom_kind": kind, "bottom_value": value}


@blp.route("/evaluation")
class EvaluationView(MethodView):
    @requires("supervision.view")
    @blp.doc(parameters=[{"in": "query", "name": "period", "schema": {"type": "string"},
                          "description": "2026, 2026-Q1 or 2026-03 (default: this year)"}])
    @blp.response(200, EvaluationOut)
    def get(self):
        """Every township's figures, normalised values, score and rank for the period (county
        staff only; 400 for a malformed ``period``)."""
        from .evaluation import evaluate
        from .views import evaluation_period

        return evaluate(evaluation_period())


@blp.route("/evaluation/settings")
class EvaluationSettings(MethodView):
    @requires("supervision.view")
    @blp.response(200, EvaluationSettingOut)
    def get(self):
        """The county's weights (every registered figure; default 1) and bottom rule."""
        return _setting_body(current_user.region.county)

    @requires("supervision.evaluate")
    @blp.doc(requestBody={"required": True, "content": {
        "application/json": {"schema": EvaluationSettingIn}}})
    @blp.response(200, EvaluationSettingOut)
    def put(self):
        """Set weights (``{key: 0–100}``; keys left out keep theirs) and the bottom rule
        (``count`` of townships or ``percent``), audited; 422 names the bad field."""
        body = load_json(EvaluationSettingIn())
        county = current_user.region.county
        try:
            operations.save_evaluation_setting(county, body["weights"], body["bottom_kind"],
                                               body["bottom_value"], current_user)
        except operations.EvaluationError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": exc.path, "message": str(exc)}])
        db.session.commit()
        return _setting_body(county)


@blp.route("/evaluation/marks")
class EvaluationMarks(MethodView):
    @requires("supervision.evaluate")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": MarkIn}}})
    @blp.response(201, MarkOut(many=True))
    def post(self):
        """Mark the year's bottom townships for close supervision the next year (audited);
        already marked ones are kept. 422 for a period that is not a year."""
        from ..params import BadParameter, to_period

        body = load_json(MarkIn())
        try:
            period = to_period("period", body["period"])
        except BadParameter as exc:
            abort(422, message=exc.user_message, errors=exc.data["errors"])
        try:
            marks = operations.mark_bottom(period, current_user, body["reason"])
        except operations.EvaluationError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": exc.path, "message": str(exc)}])
        db.session.commit()
        return marks


# --- 复核 reviews (point 4) --------------------------------------------------------------


def _unprocessable(exc) -> None:
    db.session.rollback()
    abort(422, message=str(exc), errors=[{"path": exc.path, "message": str(exc)}])




class ReviewOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    case_id = fields.Int()
    case_number = fields.Function(lambda r: r.case.case_number)
    source = fields.Str()
    source_ref = fields.Int(allow_none=True)
    reason = fields.Str()
    findings = fields.Str()
    outcome = fields.Str(allow_none=True)
    amount_fen = fields.Int(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    case_state = fields.Function(lambda r: r.case.state)
    created_at = UtcDateTime()


class ReviewIn(Schema):
    case_id = fields.Int(required=True, validate=validate.Range(min=1, max=MAX_ID))
    source = fields.Str(required=True, validate=validate.Length(max=16))
    source_ref = fields.Int(load_default=None, allow_none=True,
                            validate=validate.Range(min=1, max=MAX_ID))
    reason = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))


class DecisionIn(Schema):
    outcome = fields.Str(required=True, validate=validate.Length(max=16))
    findings = fields.Str(required=True, validate=validate.Length(max=MAX_TEXT))
    amount = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20),
                        metadata={"description": "the corrected monthly amount (yuan)"})


@blp.route("/reviews")
class Reviews(MethodView):
    @requires("supervision.township")
    @blp.response(200, ReviewOut(many=True))
    def get(self):
        """The reviews the caller sees (a township only its own), newest first."""
        return queries.reviews()

    @requires("supervision.review")
    @blp.response(201, ReviewOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": ReviewIn}}})
    def post(self):
        """Open a review of a case: ``{case_id, source, source_ref, reason}``; ``source`` is
        objection, complaint, finding, register or other. 404 another county's case."""
        from ..cases.models import Case

        body = load_json(ReviewIn())
        case = get_scoped_or_404(Case, body["case_id"])
        try:
            row = operations.open_review(case, body["source"], current_user,
                                         source_ref=body["source_ref"], reason=body["reason"])
        except operations.DrawError as exc:
            _unprocessable(exc)
        db.session.commit()
        return row


@blp.route("/reviews/<int:review_id>")
class ReviewItem(MethodView):
    @requires("supervision.township")
    @blp.response(200, ReviewOut)
    def get(self, review_id: int):
        """One review (404 outside the caller's region)."""
        from .models import Review

        return get_scoped_or_404(Review, review_id)


@blp.route("/reviews/<int:review_id>/decision")
class ReviewDecisionItem(MethodView):
    @requires("supervision.review")
    @blp.response(200, ReviewOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": DecisionIn}}})
    def post(self, review_id: int):
        """Decide: ``{outcome, findings, amount}``; outcome uphold, correct_amount (amount from
        next month), revoke or reinvestigate. 422 names the refused field."""
        from .models import Review

        review = get_scoped_or_404(Review, review_id)
        body = load_json(DecisionIn())
        try:
            operations.decide_review(review, body["outcome"], body["findings"], current_user,
                                     amount=body["amount"])
        except operations.DrawError as exc:
            _unprocessable(exc)
        db.session.commit()
        return review


# --- meetings, the reserve fund and the funding plan (point 8) ---------------------------


class MeetingOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    held_on = fields.Date()
    attendees = fields.List(fields.Str())
    case_ids = fields.List(fields.Int())
    notes = fields.Str()


class MeetingIn(Schema):
    held_on = fields.Date(required=True, validate=validate.Range(min=FIRST_DAY, max=LAST_DAY))
    attendees = fields.List(fields.Str(validate=validate.Length(max=50)), required=True,
                            validate=validate.Length(max=100))
    case_ids = fields.List(fields.Int(validate=validate.Range(min=1, max=MAX_ID)),
                           required=True, validate=validate.Length(max=500))
    notes = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))


@blp.route("/meetings")
class Meetings(MethodView):
    @requires("supervision.township")
    @blp.response(200, MeetingOut(many=True))
    def get(self):
        """Townships' 会商 meetings the caller sees, newest first."""
        return queries.meetings()

    @requires("supervision.meet")
    @blp.response(201, MeetingOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": MeetingIn}}})
    def post(self):
        """Record the caller's township 会商 meeting and the county-queue cases it sends up."""
        body = load_json(MeetingIn())
        try:
            row = operations.record_meeting(current_user.region.township, body["held_on"],
                                            body["attendees"], body["case_ids"], current_user,
                                            notes=body["notes"])
        except operations.DrawError as exc:
            _unprocessable(exc)
        db.session.commit()
        return row


class BalanceOut(Schema):
    township_id = fields.Int()
    balance_fen = fields.Int()
    is_low = fields.Bool()


class TopUpIn(Schema):
    township_id = fields.Int(required=True, validate=validate.Range(min=1, max=MAX_ID))
    amount = fields.Str(required=True, validate=validate.Length(max=20),
                        metadata={"description": "yuan"})
    note = fields.Str(load_default="", validate=validate.Length(max=MAX_TEXT))


class ReserveEntryOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    kind = fields.Str()
    amount_fen = fields.Int()
    on = fields.Date()
    case_id = fields.Int(allow_none=True)
    note = fields.Str()


@blp.route("/reserve")
class Reserve(MethodView):
    @requires("supervision.township")
    @blp.response(200, BalanceOut(many=True))
    def get(self):
        """Each township's 临时救助备用金 balance (sum of its ledger) and whether it is low."""
        low = queries.low_threshold_fen()
        return [{"township_id": t, "balance_fen": fen, "is_low": fen < low}
                for t, fen in queries.balances().items()]

    @requires("supervision.fund")
    @blp.response(201, ReserveEntryOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": TopUpIn}}})
    def post(self):
        """The county tops up a township's reserve fund: ``{township_id, amount, note}``."""
        body = load_json(TopUpIn())
        township = get_scoped_or_404(Region, body["township_id"])
        try:
            row = operations.top_up(township, body["amount"], current_user, note=body["note"])
        except operations.DrawError as exc:
            _unprocessable(exc)
        db.session.commit()
        return row


class PlanRowOut(Schema):
    township_id = fields.Function(lambda r: r["township"].id)
    township = fields.Function(lambda r: r["township"].name)
    accepted = fields.Bool()
    checked = fields.Int()
    total_fen = fields.Int()
    figures = fields.Function(lambda r: {code: {"households": n, "amount_fen": fen}
                                         for code, (n, fen) in r["figures"].items()})


class PlanOut(Schema):
    month = fields.Date()
    total_fen = fields.Int()
    rows = fields.List(fields.Nested(PlanRowOut))


@blp.route("/funding-plan")
class FundingPlan(MethodView):
    @requires("supervision.view")
    @blp.doc(parameters=[{"in": "query", "name": "month", "schema": {"type": "string"}}])
    @blp.response(200, PlanOut)
    def get(self):
        """The month's 资金发放计划: per township (accepted filings) and paid relief type."""
        month = month_arg("month", month_of(local_today()))
        return queries.funding_plan(current_user.region.county, month)


# --- check findings and rectification (整改) ---------------------------------------------




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
            abort(422, message=_("The file is not accepted"),
                  errors=[{"path": p, "message": str(m)} for p, m in exc.errors])
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
        body = load_json(FindingIn())
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


class RectificationDecisionIn(Schema):
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
        body = load_json(AnswerIn())
        try:
            operations.answer_rectification(row, current_user, **body)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return row


def _decide(rectification_id: int, close: bool):
    row = get_scoped_or_404(Rectification, rectification_id)
    body = load_json(RectificationDecisionIn())
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
    @blp.doc(requestBody={"content": {"application/json": {"schema": RectificationDecisionIn}}})
    def post(self, rectification_id: int):
        """Close an answered rectification (422 if it is not answered)."""
        return _decide(rectification_id, close=True)


@blp.route("/rectifications/<int:rectification_id>/return")
class RectificationReturn(MethodView):
    @requires("supervision.check")
    @blp.response(200, RectificationOut)
    @blp.doc(requestBody={"content": {"application/json": {"schema": RectificationDecisionIn}}})
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
        body = load_json(ComplaintIn())
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
        body = load_json(AssignIn())
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
        body = load_json(ComplaintAnswerIn())
        try:
            operations.answer_complaint(row, current_user, **body)
        except operations.Refused as exc:
            _refused(exc)
        db.session.commit()
        return row
