"""Relief items over the API: every item the county sees, and its own unpublished items
(create, change). Problems come back with their paths, as the items file reports them."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from ..api.errors import INVALID, load_json
from ..auth.access import requires
from ..db import db
from ..relief import Family, ItemsError
from . import operations, queries

blp = Blueprint("api_items", __name__, url_prefix="/items",
                description="Relief items (救助项目): the shipped ones and the county's own")

FAMILIES = [family.value for family in Family]


class ReliefItemOut(Schema):
    code = fields.Str()
    name = fields.Str()
    name_en = fields.Str()
    short_name = fields.Str()
    short_name_en = fields.Str()
    unit = fields.Str(metadata={"description": "household or person"})
    family = fields.Str(metadata={"description": "recognition, monthly, one_off or care"})
    is_paid = fields.Bool()
    basis = fields.Str()
    settings = fields.Dict()
    position = fields.Int()
    is_shipped = fields.Bool(metadata={"description": "Defined by forms/items.yaml"})
    is_active = fields.Bool(metadata={"description": "Published: in force"})


class ReliefItemBody(Schema):
    """An item's fields; checked again as the items file is (server/relief.schema.json)."""

    name = fields.Str(required=True, metadata={"example": "事实无人抚养儿童基本生活补贴"})
    name_en = fields.Str(load_default="")
    short_name = fields.Str(required=True, metadata={"example": "事实无人抚养儿童"})
    short_name_en = fields.Str(load_default="")
    # the values are checked with the items file's rules, for the same messages and paths
    unit = fields.Str(required=True, metadata={"enum": ["household", "person"]})
    family = fields.Str(required=True, metadata={"enum": FAMILIES})
    is_paid = fields.Bool(required=True)
    basis = fields.Str(load_default="")
    settings = fields.Dict(load_default=dict, metadata={
        "description": "Procedure defaults (the workflow settings' keys); unknown keys are "
                       "refused", "example": {"publicity_days": 7}})


class NewReliefItemBody(ReliefItemBody):
    code = fields.Str(required=True, metadata={
        "description": "2 to 8 capital letters or digits, starting with a letter",
        "example": "SW"})


def _save(code, body):
    try:
        row = operations.save_item(current_user.region.county, code, body,
                                   current_user._get_current_object())
    except ItemsError as exc:
        db.session.rollback()
        abort(422, message=INVALID,
              errors=[{"path": path, "message": str(message)} for path, message in exc.problems])
    db.session.commit()
    return row


@blp.route("/")
class Items(MethodView):
    @requires("items.manage")
    @blp.response(200, ReliefItemOut(many=True))
    def get(self):
        """The shipped items and the county's own, in order."""
        return queries.rows(current_user.region.county.id)

    @requires("items.manage")
    @blp.response(201, ReliefItemOut)
    @blp.doc(requestBody={"required": True,
                          "content": {"application/json": {"schema": NewReliefItemBody}}})
    def post(self):
        """Add an unpublished item of the county; 422 with the path of every problem (a code
        in use, an unknown setting, ``is_paid`` against the family…)."""
        body = load_json(NewReliefItemBody())
        return _save(body.pop("code"), body)


@blp.route("/<string:code>")
class OneItem(MethodView):
    @requires("items.manage")
    @blp.response(200, ReliefItemOut)
    def get(self, code: str):
        """One item (a shipped one, or the county's own)."""
        row = queries.find(code, current_user.region.county.id)
        if row is None:
            abort(404)
        return row

    @requires("items.manage")
    @blp.response(200, ReliefItemOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ReliefItemBody}}})
    def put(self, code: str):
        """Change the county's unpublished item (every field is given again)."""
        if queries.find(code, current_user.region.county.id) is None:
            abort(404)
        return _save(code, load_json(ReliefItemBody()))
