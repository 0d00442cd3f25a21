"""The registers over the API (routes on the cases blueprint): 近亲属备案 and the 失信 procedure
(first occurrence, correction or listing, lifting, the export) — the operations the register
pages call, with ID numbers masked except in the audited export."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate

from .. import idnumber
from ..api.errors import no_body, refuse
from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..db import db
from ..params import FIRST_DAY, LAST_DAY, MAX_ID
from ..regions.queries import get_scoped_or_404
from . import operations, queries
from .api import blp
from .checks import CaseError
from .dishonesty import CORRECTION_DAYS, FraudKind, kind_label
from .models import DishonestyEntry, DishonestyWarning, RelativeRegisterEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILLED = validate.Regexp(r"\S", error=_l("Enter something here"))


def _masked(row) -> str:
    return idnumber.mask(row.id_number)


class RelativeOut(Schema):
    id = fields.Int()
    id_number = fields.Function(_masked)
    name = fields.Str()
    relation = fields.Str()
    staff_user_id = fields.Int(allow_none=True)
    cadre_name = fields.Str()
    created_at = UtcDateTime()


class RelativeIn(Schema):
    id_number = fields.Str(required=True, validate=validate.Length(max=18))
    name = fields.Str(required=True, validate=[validate.Length(max=100), FILLED])
    relation = fields.Str(required=True, validate=[validate.Length(max=20), FILLED])
    staff_user_id = fields.Int(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": "A staff user of the caller's township "
                                                        "or county"})
    cadre_name = fields.Str(load_default="", validate=validate.Length(max=100),
                            metadata={"description": "Or a village cadre (name and post)"})


class WarningOut(Schema):
    id = fields.Int()
    id_number = fields.Function(_masked)
    name = fields.Str()
    kind = fields.Str()
    kind_label = fields.Function(lambda w: kind_label(w.kind))
    facts = fields.Str()
    warned_on = fields.Date()
    correction_due_on = fields.Date()
    corrected_on = fields.Date(allow_none=True)
    listed_on = fields.Date(allow_none=True)


class WarningIn(Schema):
    id_number = fields.Str(required=True, validate=validate.Length(max=18))
    name = fields.Str(required=True, validate=[validate.Length(max=100), FILLED])
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in FraudKind]))
    facts = fields.Str(required=True, validate=[validate.Length(max=2000), FILLED])
    found_on = fields.Date(load_default=None, allow_none=True,
                           validate=validate.Range(min=FIRST_DAY, max=LAST_DAY))
    correction_days = fields.Int(load_default=CORRECTION_DAYS, strict=True,
                                 validate=validate.Range(min=1, max=365))


class EntryOut(Schema):
    id = fields.Int()
    id_number = fields.Function(_masked)
    name = fields.Str()
    kind = fields.Str()
    kind_label = fields.Function(lambda e: kind_label(e.kind))
    reason = fields.Str()
    listed_on = fields.Date()
    expires_on = fields.Date()
    is_active = fields.Bool()
    stopped_cases = fields.List(fields.Str(), metadata={"description": "Case numbers whose "
                                                                      "payment stopped"})


def _refused(exc: Exception, status: int = 409, path: str = "") -> None:
    """An operation's refusal: a bad ID number names its field; otherwise ``status`` and
    ``path`` say what it is (409: the state does not allow the step — already listed, deadline
    not over, month filed)."""
    db.session.rollback()
    if isinstance(exc, idnumber.InvalidIdNumber):
        refuse(422, str(exc), "id_number")
    if isinstance(exc, CaseError):
        refuse(exc.status if exc.status != 422 else 409, exc.message)
    refuse(status, str(exc), path)


@blp.route("/registers/relatives")
class Relatives(MethodView):
    @requires("registers.manage")
    @blp.response(200, RelativeOut(many=True))
    def get(self):
        """The relatives register (近亲属备案) of the caller's region, newest first."""
        return queries.relatives()

    @requires("registers.manage")
    @blp.arguments(RelativeIn)
    @blp.response(201, RelativeOut)
    def post(self, body):
        """Record a relative of a staff user or village cadre; their active cases are flagged."""
        staff = None
        if body["staff_user_id"] is not None:
            staff = next((u for u in queries.staff_of(current_user)
                          if u.id == body["staff_user_id"]), None)
            if staff is None:
                refuse(422, _l("Choose a staff user of your township (county)"), "staff_user_id")
        try:
            entry = operations.add_relative(current_user.region, body["id_number"], body["name"],
                                            body["relation"], current_user, staff_user=staff,
                                            cadre_name=body["cadre_name"])
        except ValueError as exc:  # no staff user and no cadre named
            _refused(exc, 422, "cadre_name")
        db.session.commit()
        return entry


@blp.route("/registers/relatives/<int:relative_id>")
class Relative(MethodView):
    @requires("registers.manage")
    @blp.response(204)
    def delete(self, relative_id: int):
        """Remove an entry (kept, inactive, audited)."""
        entry = get_scoped_or_404(RelativeRegisterEntry, relative_id)
        no_body()
        operations.deactivate(entry, current_user, "register.relative_remove")
        db.session.commit()


@blp.route("/registers/dishonesty")
class Dishonesty(MethodView):
    @requires("registers.manage")
    @blp.response(200, EntryOut(many=True))
    def get(self):
        """The 失信 list of the caller's region (lifted and expired entries included)."""
        return queries.dishonesty()


@blp.route("/registers/dishonesty/export")
class DishonestyExport(MethodView):
    @requires("registers.manage")
    @blp.response(200, description="The list in force (full ID numbers; audited)")
    @blp.doc(responses={"200": {"description": "The file", "content": {XLSX: {"schema": {"type": "string",
                                                                "format": "binary"}}}}})
    def get(self):
        """The list in force as XLSX for other departments (an audited export)."""
        data = operations.export_dishonesty_list(current_user)
        db.session.commit()
        return current_app.response_class(data, mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=dishonesty-list.xlsx"})


@blp.route("/registers/dishonesty/<int:dishonesty_id>/lift")
class DishonestyLift(MethodView):
    @requires("registers.manage")
    @blp.response(200, EntryOut)
    def post(self, dishonesty_id: int):
        """Lift a listing early (audited)."""
        entry = get_scoped_or_404(DishonestyEntry, dishonesty_id)
        no_body()
        operations.deactivate(entry, current_user, "register.dishonesty_lift")
        db.session.commit()
        return entry


@blp.route("/registers/dishonesty/warnings")
class Warnings(MethodView):
    @requires("registers.manage")
    @blp.response(200, WarningOut(many=True))
    def get(self):
        """First occurrences still waiting for correction or listing."""
        return queries.dishonesty_warnings()

    @requires("registers.manage")
    @blp.arguments(WarningIn)
    @blp.response(201, WarningOut)
    def post(self, body):
        """Record a first occurrence (首次出现): the household is educated and given
        ``correction_days`` to correct."""
        try:
            warning = operations.warn_dishonesty(
                current_user.region, body["id_number"], body["name"], body["kind"],
                body["facts"], current_user, body["found_on"], body["correction_days"])
        except ValueError as exc:
            _refused(exc, 422)
        db.session.commit()
        return warning


@blp.route("/registers/dishonesty/warnings/<int:warning_id>/listing")
class WarningListing(MethodView):
    @requires("registers.manage")
    @blp.response(201, EntryOut)
    def post(self, warning_id: int):
        """Refusal to correct (拒不纠正): list the household and stop its served cases from
        this month; 409 before the deadline, or when corrected or already listed."""
        warning = get_scoped_or_404(DishonestyWarning, warning_id)
        no_body()
        try:
            entry = operations.list_dishonest(warning, current_user)
        except (ValueError, CaseError) as exc:
            _refused(exc)
        db.session.commit()
        return entry


@blp.route("/registers/dishonesty/warnings/<int:warning_id>/correction")
class WarningCorrection(MethodView):
    @requires("registers.manage")
    @blp.response(200, WarningOut)
    def post(self, warning_id: int):
        """The household corrected in time: the warning closes without a listing."""
        warning = get_scoped_or_404(DishonestyWarning, warning_id)
        no_body()
        try:
            operations.correct_dishonesty(warning, current_user)
        except ValueError as exc:
            _refused(exc)
        db.session.commit()
        return warning
