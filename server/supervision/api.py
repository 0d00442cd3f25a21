"""Supervision over the API: the 备案 register (rows and per-township counts) and the draws."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .. import idnumber
from ..auth.access import requires
from . import queries
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
    actor_name = fields.Function(lambda r: r.event.actor_name)
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
