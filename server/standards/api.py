"""Standards over the API: the caller's county's versions and the one in force."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..api.fields import DecimalString, UtcDateTime
from ..auth.access import requires
from ..periods import local_today
from . import queries
from .operations import SPECS

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
    created_at = UtcDateTime()

    def _values(self, row):
        """Decimal values as strings, so no client turns money into floats."""
        return {spec.name: spec.show(getattr(row, spec.name)) or None for spec in SPECS}


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
            abort(404, message=f"{on:%Y-%m-%d} 没有生效的救助标准")
        return standard
