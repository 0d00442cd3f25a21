"""Forms of the schema admin pages: the builder's field editor, the YAML source, imports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .fields import FIELD_TYPES
from .roles import ROLES


def select_choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def role_choices() -> list[SelectChoice]:
    return select_choices([("", _l("(none)"))] + [(r.name, r.label) for r in ROLES.values()])


def type_choices() -> list[SelectChoice]:
    return select_choices((name, str(cls.label)) for name, cls in FIELD_TYPES.items())


class FieldSpecForm(FlaskForm):
    """One field of the schema, as the builder edits it; other options are YAML in ``extra``."""

    parent = SelectField(_l("Add into"), validate_choice=False)
    name = StringField(_l("Field name (letters, digits, _)"),
                       validators=[DataRequired(), Length(max=40)])
    type = SelectField(_l("Type"), choices=type_choices)
    label = StringField(_l("Label (Chinese)"), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l("Label (English)"), validators=[Optional(), Length(max=200)])
    help = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    required = BooleanField(_l("Required"))
    show_if = StringField(_l("Show only if (expression)"), validators=[Optional(), Length(max=500)])
    required_if = StringField(_l("Required if (expression)"),
                              validators=[Optional(), Length(max=500)])
    compute = StringField(_l("Computed as (expression)"), validators=[Optional(), Length(max=500)])
    default = StringField(_l("Default value"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role for other modules"), choices=role_choices, validate_choice=False)
    choices = TextAreaField(
        _l("Choices (one a line: value, value=label or value=label|English label)"),
        validators=[Optional(), Length(max=10000)])
    extra = TextAreaField(_l("Other options (YAML)"), validators=[Optional(), Length(max=10000)])

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the groups' labels are the county's (its form), shown as it wrote them
        self.parent.choices = select_choices([("", _l("Top level"))]) + [
            SelectChoice(value, label, render_kw={"lang": "zh-CN"}) for value, label in groups]


class SourceForm(FlaskForm):
    source = TextAreaField(_l("YAML source"), validators=[DataRequired()])
    action = HiddenField(default="save")


class ImportForm(FlaskForm):
    file = FileField(_l("Schema file (YAML or JSON)"), validators=[FileRequired()])


class PlainForm(FlaskForm):
    """A form with only the CSRF token: buttons that post (publish, delete, move, apply…)."""


def unknown_posted_keys(definition: dict, keys, control=frozenset()) -> list[str]:
    """Posted keys that are no input of this schema's form (tampered or outdated page)."""
    top = {spec["name"] for spec in definition["fields"] if spec["type"] != "group"}
    rows = {spec["name"]: {sub["name"] for sub in spec["fields"]}
            for spec in definition["fields"] if spec["type"] == "group"}
    unknown = []
    for key in keys:
        if key in top or key in control:
            continue
        group, _, rest = key.partition("-")
        index, _, sub = rest.partition("-")
        if group in rows and index.isdigit() and sub in rows[group]:
            continue
        unknown.append(key)
    return sorted(unknown)
