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
from ..params import FIRST_DAY, LAST_DAY, MAX_ID, MAX_TEXT, month_arg
from ..periods import local_today, month_of
from ..regions.models import Region
from ..regions.queries import get_scoped_or_404
from . import operations, queries
from .models import SpotCheckDraw
from .views import register_filters

blp = Blueprint("api_supervision", __name__, url_prefix="/supervision",
                description="County supervision: the decision register and spot-check draws")


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


def _load(schema, body):
    try:
        return schema.load(body if isinstance(body, dict) else {})
    except ValidationError as exc:
        abort(422, message="输入有误", errors=flatten(exc.messages))


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
        body = _load(EvaluationSettingIn(), request.get_json(silent=True))
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

        body = _load(MarkIn(), request.get_json(silent=True))
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
