"""Standards over the API: the caller's county's versions, the one in force, and a new
version (the form's validation: ``operations.create_version``)."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from .. import money
from ..api.fields import DecimalString, UtcDateTime
from ..auth.access import requires
from ..db import db
from ..periods import local_today
from . import operations, queries
from .operations import CHOICES, DEFAULT_UNIT, MAX_BANDS, MAX_NAMED, SPECS, bands_text

blp = Blueprint("api_standards", __name__, url_prefix="/standards",
                description="Standard versions (低保/特困/临时救助/低保边缘) of the caller's county")


class VersionOut(Schema):
    id = fields.Int()
    effective_from = fields.Date()
    values = fields.Method("_values")
    db_method = fields.Str()
    db_bands = fields.List(fields.Dict())
    rounding_unit = fields.Str()
    rounding_mode = fields.Str()
    is_ls_cap_per_person = fields.Bool()
    basis = fields.Str()
    named_values = fields.Method("_named", metadata={
        "description": "The county's named values: [{name, amount (decimal string), unit, note}]"})
    created_at = UtcDateTime()

    def _values(self, row):
        """Decimal values as strings, so no client turns money into floats."""
        return {spec.name: spec.show(getattr(row, spec.name)) or None for spec in SPECS}

    def _named(self, row):
        return [{"name": v.name, "amount": money.plain(v.amount), "unit": v.unit, "note": v.note}
                for v in row.named_values]


class CurrentArgs(Schema):
    urban_rural = fields.Str(required=True, validate=validate.OneOf(["urban", "rural"]))
    on = fields.Date(load_default=None)


class StandardOut(Schema):
    id = fields.Int()
    urban_rural = fields.Str()
    effective_from = fields.Date()
    label = fields.Str()
    db_standard = DecimalString()
    tk_basic = DecimalString()
    care = fields.Dict(keys=fields.Str(), values=DecimalString())
    by_factor = DecimalString()
    ls_township_multiple = DecimalString()
    ls_max_multiple = DecimalString()
    named = fields.Dict(keys=fields.Str(), values=DecimalString(),
                        metadata={"description": "Named values of the version: name -> amount"})


def _county_id() -> int:
    return current_user.region.county.id


@blp.route("/")
class Versions(MethodView):
    @requires("standards.view")
    @blp.response(200, VersionOut(many=True))
    def get(self):
        """Every version of the county, newest effective date first."""
        return queries.versions(_county_id())


@blp.route("/current")
class Current(MethodView):
    @requires("standards.view")
    @blp.arguments(CurrentArgs, location="query")
    @blp.response(200, StandardOut)
    def get(self, args):
        """The standard in force on a date (today by default) for urban or rural households."""
        on = args["on"] or local_today()
        standard = queries.standard_for(_county_id(), args["urban_rural"], on)
        if standard is None:
            abort(404, message=str(queries.no_standard_on(on)))
        return standard


class NamedValueIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(max=40),
                      metadata={"example": "事实无人抚养儿童保障标准"})
    amount = fields.Str(required=True, validate=validate.Length(max=40),
                        metadata={"example": "1200.00"})
    unit = fields.Str(load_default=DEFAULT_UNIT, validate=validate.Length(max=20))
    note = fields.Str(load_default="", validate=validate.Length(max=200))


class BandIn(Schema):
    min_gap = fields.Str(required=True, metadata={"example": "0.00"})
    amount = fields.Str(required=True, metadata={"example": "300.00"})


VersionIn = Schema.from_dict({
    "effective_from": fields.Date(required=True),
    **{spec.name: fields.Str(required=spec.is_required, allow_none=not spec.is_required,
                             validate=validate.Length(max=40),
                             metadata={"description": f"{spec.kind}: a decimal string",
                                       "example": spec.show(spec.low)})
       for spec in SPECS},
    **{name: fields.Str(load_default=allowed[0], validate=validate.OneOf(allowed))
       for name, allowed in CHOICES.items()},
    "db_bands": fields.List(fields.Nested(BandIn), load_default=list,
                            validate=validate.Length(max=MAX_BANDS)),
    "named_values": fields.List(fields.Nested(NamedValueIn), load_default=list,
                                validate=validate.Length(max=MAX_NAMED), metadata={
                                    "description": "Values the county names itself; rules and "
                                                   "formulas refer to them by name"}),
    "is_ls_cap_per_person": fields.Bool(load_default=False),
    "basis": fields.Str(load_default="", validate=validate.Length(max=200)),
}, name="StandardVersionIn")


@blp.route("/versions")
class NewVersion(MethodView):
    @requires("standards.manage")
    @blp.arguments(VersionIn)
    @blp.response(201, VersionOut)
    def post(self, body):
        """A new version of the county's standards (older versions stay as they are); 422
        with the field of every problem (the web form's checks, e.g. 特困 ≥ 1.3 × 低保)."""
        raw = {**body, "db_bands": bands_text(body["db_bands"])}
        try:
            row = operations.create_version(current_user.region.county, raw,
                                            actor=current_user._get_current_object())
        except operations.StandardError as exc:
            db.session.rollback()
            abort(422, message=_("Invalid input: check the marked fields"),
                  errors=[{"path": k, "message": v} for k, v in exc.errors.items()])
        db.session.commit()
        return row
