from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..db import db
from ..regions.models import Region
from ..regions.queries import scoped
from .roles import Role


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class ScopedRegionField(SelectField):
    """A region among those offered (under the administrator's own), else a clear refusal."""

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Choose a region inside your own."))


class UserEditForm(FlaskForm):
    """Name, role and region; the regions offered are those under the administrator's."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    region = ScopedRegionField(_l("Region"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, r.label) for r in Role]
        regions = db.session.scalars(scoped(Region).order_by(Region.code))
        self.region.choices = [(r.id, r.full_name) for r in regions]


class UserCreateForm(UserEditForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(_l("New password again"),
                                     validators=[DataRequired(), Length(max=256)])
