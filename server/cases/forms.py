"""Forms for the registers, the case facts and the workflow settings.

Transition forms are built from the workflow data (``fields.FIELDS``) in the template; their
input is parsed by the operation itself, so the web UI and the API share one set of rules.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..standards.models import CareLevel
from .dishonesty import CORRECTION_DAYS, FraudKind


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class RelativeForm(FlaskForm):
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=18)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    relation = StringField(_l("Relation"), validators=[DataRequired(), Length(max=20)])
    staff_user_id = SelectField(_l("Related staff user"), coerce=int, validators=[Optional()])
    cadre_name = StringField(_l("Or village cadre (name and post)"),
                             validators=[Optional(), Length(max=100)])


class DishonestyForm(FlaskForm):
    """A first occurrence of 失信 behaviour (education and a correction deadline)."""

    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=18)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind of dishonesty"),
                       choices=choices([(k.value, k.label) for k in FraudKind]))
    reason = TextAreaField(_l("Facts"), validators=[DataRequired(), Length(max=2000)])
    listed_on = DateField(_l("Found on"), validators=[Optional()])
    correction_days = IntegerField(_l("Days given to correct"), default=CORRECTION_DAYS,
                                   validators=[DataRequired(), NumberRange(min=1, max=365)])


class CaseFactsForm(FlaskForm):
    lock_version = HiddenField()
    urban_rural = SelectField(_l("Urban or rural household"),
                              choices=choices([("rural", _l("Rural")), ("urban", _l("Urban"))]))
    persons_covered = IntegerField(_l("Persons covered"), validators=[NumberRange(min=1, max=50)])
    care_level = SelectField(_l("Care level (tekun)"), validators=[Optional()],
                             choices=choices([("", "—")] + [(c.value, c.label) for c in CareLevel]))
    ls_kind = SelectField(_l("Temporary aid kind"), validators=[Optional()],
                          choices=choices([("", "—"), ("emergency", _l("Emergency")),
                                           ("spending", _l("Spending shock"))]))
