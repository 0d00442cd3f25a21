"""Forms of the delegation ledger pages (county admin)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class GrantForm(FlaskForm):
    relief_type = SelectField(_l("Relief type"), validators=[DataRequired()])
    starts_on = DateField(_l("Delegated from"), validators=[DataRequired(_l("Enter a date"))])
    ends_on = DateField(_l("Delegated until (optional)"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class WithdrawForm(FlaskForm):
    last_day = DateField(_l("Last day of the delegation"),
                         validators=[DataRequired(_l("Enter a date"))])


class TermsForm(FlaskForm):
    custodian_user = SelectField(_l("Seal custodian (a user of the township)"), coerce=int,
                                 validators=[Optional()])
    custodian_name = StringField(_l("Or the custodian's name"),
                                 validators=[Optional(), Length(max=50)])
    custodian_post = StringField(_l("Post"), validators=[Optional(), Length(max=50)])
    period_start = DateField(_l("Period from"), validators=[Optional()])
    period_end = DateField(_l("Period until"), validators=[Optional()])
    letter_number = StringField(_l("Letter number"), validators=[Optional(), Length(max=40)])
