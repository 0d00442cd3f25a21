"""The calling user, and user management for the county admin (the same operations as the
users pages: create, change role/region, disable/enable, reset a password; one's own password)."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..api.errors import load_json, no_body, refuse
from ..api.fields import UtcDateTime
from ..db import db
from ..regions.models import Region
from ..regions.queries import get_scoped, get_scoped_or_404, scoped
from . import operations
from .access import requires
from .models import User
from .roles import Role

blp = Blueprint("api_auth", __name__, url_prefix="", description="The calling user and users")

ROLES = [r.value for r in Role]


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


class UserOut(MeSchema):
    role_label = fields.Function(lambda u: str(u.role.label))
    is_active = fields.Bool()
    must_change_password = fields.Bool()
    created_at = UtcDateTime()


class UserCreated(Schema):
    user = fields.Nested(UserOut)
    password = fields.Str(metadata={"description": "Shown this once; the user must change it "
                                                   "at first login"})


class UserEditIn(Schema):
    display_name = fields.Str(required=True, validate=[
        validate.Length(max=100), validate.Regexp(r"\S", error=_l("Enter the name"))])
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    region_id = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class UserCreateIn(UserEditIn):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=64))


class ActiveIn(Schema):
    active = fields.Bool(required=True)


class PasswordIn(Schema):
    current_password = fields.Str(required=True, validate=validate.Length(max=256))
    new_password = fields.Str(required=True, validate=validate.Length(min=1, max=256))


def _actor() -> User:
    return current_user._get_current_object()


def _region(region_id: int) -> Region:
    """A region under the caller's, else a 422 on ``region_id`` (the form's refusal)."""
    region = get_scoped(Region, region_id)
    if region is None:
        refuse(422, _l("Choose a region within your area"), "region_id")
    return region


def _refused(exc: operations.AuthError) -> None:
    db.session.rollback()
    refuse(422, str(exc), exc.field)


@blp.route("/me")
class Me(MethodView):
    @requires("home.view")
    @blp.response(200, MeSchema)
    def get(self):
        """The user the bearer token belongs to."""
        return _actor()


@blp.route("/me/password")
class MyPassword(MethodView):
    @requires("users.own_password")
    @blp.arguments(PasswordIn)
    @blp.response(204)
    def put(self, body):
        """Change one's own password (the current one proves it is you). It revokes every
        API token of the user, this one included."""
        try:
            operations.change_own_password(_actor(), body["current_password"],
                                           body["new_password"])
        except operations.AuthError as exc:
            _refused(exc)
        db.session.commit()


@blp.route("/users/")
class Users(MethodView):
    @requires("users.view")
    @blp.response(200, UserOut(many=True))
    def get(self):
        """Users of the caller's region, by username."""
        return db.session.scalars(scoped(User).order_by(User.username)).all()

    @requires("users.manage")
    @blp.arguments(UserCreateIn)
    @blp.response(201, UserCreated)
    def post(self, body):
        """Create a user with a generated password, shown once in the answer; 422 for a taken
        username, a region outside the caller's or a role that does not fit the region."""
        region = _region(body["region_id"])
        password = operations.generated_password()
        try:
            user = operations.create_user(body["username"], body["display_name"].strip(),
                                          password, body["role"], region, actor=_actor(),
                                          must_change_password=True)
        except operations.AuthError as exc:
            _refused(exc)
        db.session.commit()
        return {"user": user, "password": password}


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @requires("users.view")
    @blp.response(200, UserOut)
    def get(self, user_id: int):
        """One user of the caller's region (404 otherwise)."""
        return get_scoped_or_404(User, user_id)

    @requires("users.manage")
    @blp.response(200, UserOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": UserEditIn}}})
    def put(self, user_id: int):
        """Change name, role and region (not one's own role or region)."""
        user = get_scoped_or_404(User, user_id)
        body = load_json(UserEditIn())
        region = _region(body["region_id"])
        try:
            operations.update_user(user, body["display_name"].strip(), body["role"], region,
                                   actor=_actor())
        except operations.AuthError as exc:
            _refused(exc)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/active")
class UserActive(MethodView):
    @requires("users.manage")
    @blp.response(200, UserOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ActiveIn}}})
    def put(self, user_id: int):
        """Disable (``{"active": false}``) or enable a user; not oneself."""
        user = get_scoped_or_404(User, user_id)
        body = load_json(ActiveIn())
        try:
            operations.set_active(user, body["active"], actor=_actor())
        except operations.AuthError as exc:
            _refused(exc)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/password-reset")
class UserPasswordReset(MethodView):
    @requires("users.manage")
    @blp.response(200, UserCreated)
    def post(self, user_id: int):
        """A new generated password, shown once; the user must change it at next login and
        loses their sessions and API tokens."""
        user = get_scoped_or_404(User, user_id)
        no_body()
        password = operations.reset_password(user, actor=_actor())
        db.session.commit()
        return {"user": user, "password": password}
