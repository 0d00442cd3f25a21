from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth.access import requires
from .models import Region
from .queries import get_scoped_or_404, region_tree

blp = Blueprint("api_regions", __name__, url_prefix="/regions",
                description="The region tree, limited to the caller's region")


class RegionNode(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    level = fields.Str()
    urban_rural = fields.Str()
    children = fields.List(fields.Nested(lambda: RegionNode()))


class RegionDetail(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    full_name = fields.Str()
    level = fields.Function(lambda r: r.level.value)
    urban_rural = fields.Function(lambda r: r.urban_rural.value)
    parent_id = fields.Int(allow_none=True)


@blp.route("/")
class RegionTree(MethodView):
    @requires("regions.view")
    @blp.response(200, RegionNode(many=True))
    def get(self):
        """Regions visible to the caller as a tree."""
        return region_tree()


@blp.route("/<int:region_id>")
class RegionItem(MethodView):
    @requires("regions.view")
    @blp.response(200, RegionDetail)
    def get(self, region_id: int):
        """One region, if it lies under the caller's region (404 otherwise)."""
        return get_scoped_or_404(Region, region_id)
