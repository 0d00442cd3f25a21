"""Working days over the API: count them, find a deadline, see which years lack data."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..auth.access import requires
from ..params import FIRST_DAY, LAST_DAY
from . import workdays

blp = Blueprint("api_calendar", __name__, url_prefix="/calendar",
                description="Working days of the caller's county (holidays and make-up days)")


IN_RANGE = validate.Range(min=FIRST_DAY, max=LAST_DAY, error=_l("Dates must be from 1900 to 2100"))


class RangeArgs(Schema):
    start = fields.Date(required=True, validate=IN_RANGE)
    end = fields.Date(required=True, validate=IN_RANGE)


class DeadlineArgs(Schema):
    start = fields.Date(required=True, validate=IN_RANGE)
    days = fields.Int(required=True, validate=validate.Range(min=0, max=366))


class RangeResult(Schema):
    working_days = fields.Int()
    coverage = fields.Dict(keys=fields.Str(), values=fields.Str())
    warnings = fields.List(fields.Str())


class DeadlineResult(Schema):
    deadline = fields.Date()
    warnings = fields.List(fields.Str())


def _county_id() -> int:
    return current_user.region.county.id


@blp.route("/working-days")
class WorkingDays(MethodView):
    @requires("calendar.view")
    @blp.arguments(RangeArgs, location="query")
    @blp.response(200, RangeResult)
    def get(self, args):
        """Working days in (start, end], each year's source and the fallback warnings."""
        start, end, county_id = args["start"], args["end"], _county_id()
        if abs((end - start).days) > 3 * 366:
            abort(422, message=_("The range cannot be longer than three years"))
        years = range(min(start, end).year, max(start, end).year + 1)
        return {"working_days": workdays.working_days_between(start, end, county_id),
                "coverage": {str(y): workdays.coverage(y, county_id) for y in years},
                "warnings": workdays.warnings_for(start, end, county_id)}


@blp.route("/deadline")
class Deadline(MethodView):
    @requires("calendar.view")
    @blp.arguments(DeadlineArgs, location="query")
    @blp.response(200, DeadlineResult)
    def get(self, args):
        """The n-th working day after start (start itself not counted)."""
        county_id = _county_id()
        deadline = workdays.add_working_days(args["start"], args["days"], county_id)
        return {"deadline": deadline,
                "warnings": workdays.warnings_for(args["start"], deadline, county_id)}
