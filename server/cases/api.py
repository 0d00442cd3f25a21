"""Cases over the API: scoped lists, one case, the caller's allowed transitions, and taking a
transition under exactly the rules of the web UI (``operations.transition``)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from .. import idnumber
from ..api.errors import INVALID, flatten
from ..auth.access import requires
from ..db import db
from ..params import FIRST_DAY, LAST_DAY, MAX_ID, MAX_PAGE
from ..regions.queries import get_scoped_or_404
from . import clocks, operations, queries
from .checks import CaseError
from .fields import FIELDS
from .models import Case

blp = Blueprint("api_cases", __name__, url_prefix="/cases",
                description="Cases, their deadlines and their workflow transitions")


class ListArgs(Schema):
    q = fields.Str(load_default="")
    relief_type = fields.Str(load_default="")
    state = fields.Str(load_default="")
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))


class DeadlineOut(Schema):
    kind = fields.Str()
    label = fields.Str()
    started_on = fields.Date()
    due_on = fields.Date()
    done_on = fields.Date(allow_none=True)
    length = fields.Int()
    unit = fields.Str()
    status = fields.Str()


class CaseOut(Schema):
    id = fields.Int()
    case_number = fields.Str()
    relief_type = fields.Function(lambda c: c.relief_type)
    state = fields.Str()
    region_id = fields.Int()
    applicant_name = fields.Str()
    applicant_id_number = fields.Function(lambda c: idnumber.mask(c.applicant_id_number))
    accepted_on = fields.Date()
    lock_version = fields.Int()
    is_active = fields.Bool()
    is_relative_case = fields.Bool()
    flags = fields.List(fields.Str())
    due_on = fields.Date(allow_none=True)
    total_due_on = fields.Date(allow_none=True)


class CaseDetailOut(CaseOut):
    investigators = fields.List(fields.Int())
    reviewer_id = fields.Int(allow_none=True)
    approver_id = fields.Int(allow_none=True)
    standard_version_id = fields.Int(allow_none=True)
    persons_covered = fields.Int()
    monthly_amount_fen = fields.Int()
    one_off_amount_fen = fields.Int()
    amount_formula = fields.Str()
    amount_inputs = fields.Dict()
    needs_county_decision = fields.Bool()
    publicity_start_on = fields.Date(allow_none=True)
    publicity_end_on = fields.Date(allow_none=True)
    payment_start_month = fields.Date(allow_none=True)
    payment_end_month = fields.Date(allow_none=True)
    next_recheck_on = fields.Date(allow_none=True)
    deadlines = fields.Function(lambda c: DeadlineOut(many=True).dump(clocks.views(c)))
    warnings = fields.Function(lambda c: clocks.warnings(c))


class FieldOut(Schema):
    name = fields.Str()
    label = fields.Str()
    required = fields.Bool()
    widget = fields.Str()
    # choice values, or the keys of an ``incomes`` object (收入类别), with their labels
    choices = fields.Function(lambda f: [{"value": v, "label": str(label)} for v, label in f.choices])


class TransitionOut(Schema):
    action = fields.Str()
    label = fields.Str()
    permission = fields.Str()
    checks = fields.List(fields.Str())
    documents = fields.List(fields.Str())
    fields = fields.Function(lambda t: FieldOut(many=True).dump([FIELDS[n] for n in t.fields]))


class TransitionIn(Schema):
    action = fields.Str(required=True)
    data = fields.Dict(load_default=dict)
    comment = fields.Str(load_default="")
    lock_version = fields.Int(load_default=None, allow_none=True,
                              validate=validate.Range(min=0, max=MAX_ID))
    effective_on = fields.Date(load_default=None, allow_none=True,
                               validate=validate.Range(min=FIRST_DAY, max=LAST_DAY))


@blp.route("/")
class CaseList(MethodView):
    @requires("cases.view")
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, CaseOut(many=True))
    def get(self, args):
        """Cases under the caller's region (50 a page), by name, case number or ID digits."""
        return queries.search(args["q"], args["relief_type"], args["state"], args["page"])


@blp.route("/<int:case_id>")
class CaseItem(MethodView):
    @requires("cases.view")
    @blp.response(200, CaseDetailOut)
    def get(self, case_id: int):
        """One case with its deadlines (404 outside the caller's region)."""
        return get_scoped_or_404(Case, case_id)


@blp.route("/<int:case_id>/transitions")
class CaseTransitions(MethodView):
    @requires("cases.view")
    @blp.response(200, TransitionOut(many=True))
    def get(self, case_id: int):
        """The transitions the caller's role may take from the case's current state."""
        return operations.allowed_transitions(get_scoped_or_404(Case, case_id), current_user)

    @requires("cases.view")
    @blp.response(200, CaseDetailOut)
    # documented, but loaded in the view: scoping (404) comes before the body's 422
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": TransitionIn}}})
    def post(self, case_id: int):
        """Take a transition: JSON ``{action, data, comment, lock_version, effective_on}``.

        403 wrong role / related staff / separation of duties, 404 another region's case,
        409 not possible in this state or stale ``lock_version``, 422 bad input or a missing
        prerequisite (``errors`` lists the field paths).
        """
        case = get_scoped_or_404(Case, case_id)
        try:
            body = TransitionIn().load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            abort(422, message=INVALID, errors=flatten(exc.messages))
        try:
            operations.transition(case, body["action"], current_user, body["data"],
                                  comment=body["comment"], lock_version=body["lock_version"],
                                  effective_on=body["effective_on"])
        except CaseError as exc:
            db.session.rollback()
            abort(exc.status, message=exc.message, errors=exc.errors())
        db.session.commit()
        return case


from . import registers_api  # noqa: E402,F401 - the registers' routes, on this blueprint
