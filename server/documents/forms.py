"""Forms of the documents room."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class UploadForm(FlaskForm):
    file = FileField(_l("Template (.docx)"), validators=[
        FileRequired(), FileAllowed(["docx"], _l("Only .docx files can be uploaded."))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class OfficeForm(FlaskForm):
    office_name = StringField(_l("Office name (printed above the seal)"),
                              validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Office address"), validators=[Optional(), Length(max=200)])
    objection_phone = StringField(_l("Objection phone (public notices)"),
                                  validators=[Optional(), Length(max=40)])
    objection_address = StringField(_l("Objection address (public notices)"),
                                    validators=[Optional(), Length(max=200)])


class DelegationForm(FlaskForm):
    township = SelectField(_l("Township"), coerce=int, validators=[DataRequired()])
    # empty: the period recorded in the delegation ledger
    start = DateField(_l("Delegated from"), validators=[Optional()])
    end = DateField(_l("Delegated until"), validators=[Optional()])
    letter_number = StringField(_l("Letter number"), validators=[Optional(), Length(max=60)])
