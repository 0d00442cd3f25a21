"""The delegation ledger over the API: the public list (no token) and the county's edits."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..api.errors import load_json
from ..auth.access import public, requires
from ..db import db
from ..params import FIRST_DAY, LAST_DAY
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES
from . import operations, queries
from .models import DelegatedItem

blp = Blueprint("api_delegation", __name__, url_prefix="/delegation",
                description="The delegation ledger (赋权清单): public list and county edits")

DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY)


class PublicItemOut(Schema):
    relief_type = fields.Str()
    relief_name = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class PublicTownshipOut(Schema):
    county = fields.Str()
    township = fields.Str()
    code = fields.Str()
    custodian_post = fields.Str(metadata={"description": "The post only, never a name"})
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    delegated = fields.List(fields.Nested(PublicItemOut))


class ItemOut(Schema):
    id = fields.Int()
    township_id = fields.Int(attribute="region_id")
    relief_type = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    note = fields.Str()


class GrantIn(Schema):
    relief_type = fields.Str(required=True,
                             validate=validate.OneOf(list(RELIEF_TYPES)))
    starts_on = fields.Date(required=True, validate=DAY)
    ends_on = fields.Date(load_default=None, allow_none=True, validate=DAY)
    note = fields.Str(load_default="", validate=validate.Length(max=500))


class WithdrawIn(Schema):
    last_day = fields.Date(required=True, validate=DAY)




def _township(region_id: int) -> Region:
    township = get_scoped_or_404(Region, region_id)
    if township.level != RegionLevel.township:
        abort(404)
    return township


@blp.route("/public")
class PublicLedger(MethodView):
    @public
    @blp.response(200, PublicTownshipOut(many=True))
    def get(self):
        """Every township's items delegated today (no token; nothing personal)."""
        return queries.public_ledger()


@blp.route("/townships/<int:region_id>/items")
class TownshipItems(MethodView):
    @requires("delegation.manage")
    @blp.response(200, ItemOut(many=True))
    def get(self, region_id: int):
        """The township's ledger rows, withdrawn ones included."""
        return queries.items_of(_township(region_id).id)

    @requires("delegation.manage")
    @blp.response(201, ItemOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": GrantIn}}})
    def post(self, region_id: int):
        """Delegate one relief type from ``starts_on`` (422 on an overlap, with the path)."""
        township = _township(region_id)
        body = load_json(GrantIn())
        try:
            item = operations.grant(township, body["relief_type"], body["starts_on"],
                                    current_user, ends_on=body["ends_on"], note=body["note"])
        except operations.DelegationError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": exc.field, "message": str(exc)}])
        db.session.commit()
        return item


@blp.route("/items/<int:item_id>/withdraw")
class WithdrawItem(MethodView):
    @requires("delegation.manage")
    @blp.response(200, ItemOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": WithdrawIn}}})
    def post(self, item_id: int):
        """Withdraw a delegation: ``last_day`` is the last day the township may decide."""
        item = get_scoped_or_404(DelegatedItem, item_id)
        body = load_json(WithdrawIn())
        try:
            operations.withdraw(item, body["last_day"], current_user)
        except operations.DelegationError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": exc.field, "message": str(exc)}])
        db.session.commit()
        return item
