"""Forms of the window pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .labels import MATTERS, SATISFACTION


class RequestForm(FlaskForm):
    applicant_name = StringField(_l("Applicant"), validators=[
        DataRequired(_l("Enter the applicant's name")), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    matter = SelectField(_l("Matter"), choices=[SelectChoice(k, v) for k, v in MATTERS.items()])
    description = TextAreaField(_l("What is asked"), validators=[Optional(), Length(max=2000)])
    received_on = DateField(_l("Received on"), validators=[Optional()])


class ReferForm(FlaskForm):
    department = SelectField(_l("Department"), coerce=int)
    on = DateField(_l("Date"), validators=[Optional()])


class ResultForm(FlaskForm):
    result = TextAreaField(_l("The department's result"), validators=[
        DataRequired(_l("Enter the result")), Length(max=2000)])
    on = DateField(_l("Completed on"), validators=[Optional()])


class FeedbackForm(FlaskForm):
    on = DateField(_l("Told the applicant on"), validators=[Optional()])


class SatisfactionForm(FlaskForm):
    satisfaction = SelectField(_l("Satisfaction"),
                               choices=[SelectChoice(k, v) for k, v in SATISFACTION.items()])


class DepartmentForm(FlaskForm):
    name = StringField(_l("Department"), validators=[
        DataRequired(_l("Enter the department's name")), Length(max=100)])
    matters = StringField(_l("Handles"), validators=[Optional(), Length(max=200)])
