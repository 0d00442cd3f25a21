from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .access import requires

blp = Blueprint("api_auth", __name__, url_prefix="", description="The calling user")


class RegionRef(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    level = fields.Function(lambda r: r.level.value)


class MeSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    role = fields.Function(lambda u: u.role.value)
    region = fields.Nested(RegionRef)
    locale = fields.Str(allow_none=True)


@blp.route("/me")
class Me(MethodView):
    @requires("home.view")
    @blp.response(200, MeSchema)
    def get(self):
        """The user the bearer token belongs to."""
        return current_user._get_current_object()
