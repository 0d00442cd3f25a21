"""The baseline of the intake benchmark: the smallest honest Flask + WTForms application form.

The same ~30 posted fields as Jiuzhu's 低保 form (applicant, address, assets, bank, three
household members), CSRF-checked, validated by WTForms and stored as one row, then a redirect.
``benchmarks/intake.py`` runs it under the same gunicorn settings as ``jiuzhu serve``.
Its database is ``BASELINE_DATABASE_URL`` (a table of its own).
"""
from __future__ import annotations

import json
import os

from flask import Flask, redirect, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import DBAPIError
from wtforms import (
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

YES_NO = [("yes", "是"), ("no", "否")]
HUKOU = [("rural", "农村"), ("urban", "城镇")]

metadata = MetaData()
applications = Table("baseline_application", metadata,
                     Column("id", Integer, primary_key=True),
                     Column("applicant_name", String(100), nullable=False),
                     Column("applicant_id_number", String(18), nullable=False, index=True),
                     Column("answers", JSON, nullable=False))


class MemberForm(Form):
    name = StringField(validators=[DataRequired(), Length(max=50)])
    id_number = StringField(validators=[DataRequired(), Length(min=18, max=18)])
    relationship = StringField(validators=[DataRequired(), Length(max=20)])
    monthly_income = DecimalField(places=2, validators=[Optional(), NumberRange(min=0)])
    hukou = SelectField(choices=HUKOU)
    work_ability = StringField(validators=[Length(max=20)])
    is_disabled = SelectField(choices=YES_NO)
    has_illness = SelectField(choices=YES_NO)


class ApplicationForm(FlaskForm):
    applicant_name = StringField(validators=[DataRequired(), Length(max=50)])
    applicant_id_number = StringField(validators=[DataRequired(), Length(min=18, max=18)])
    phone = StringField(validators=[DataRequired(), Length(min=11, max=11)])
    village = SelectField(choices=[(c, c) for c in ("220999101201", "220999101202")])
    address = StringField(validators=[DataRequired(), Length(max=200)])
    hukou_type = SelectField(choices=HUKOU)
    reason = TextAreaField(validators=[DataRequired(), Length(max=500)])
    deposits = DecimalField(places=2, validators=[Optional(), NumberRange(min=0)])
    has_vehicle = SelectField(choices=YES_NO)
    house_count = IntegerField(validators=[Optional(), NumberRange(min=0)])
    bank_name = StringField(validators=[Length(max=50)])
    bank_account = StringField(validators=[Length(max=30)])
    members = FieldList(FormField(MemberForm), min_entries=1, max_entries=20)


PAGE = """<form method="post">{{ form.csrf_token }}
<select name="village">{% for v, _ in form.village.choices %}<option value="{{ v }}">{{ v }}
</option>{% endfor %}</select>{% for field in form if field.name != 'csrf_token' %}
{{ field.label }} {{ field.errors|join(' ') }}{% endfor %}</form>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("BASELINE_SECRET_KEY", "baseline")
    engine = create_engine(os.environ.get("BASELINE_DATABASE_URL", "sqlite:///baseline.db"))
    try:
        metadata.create_all(engine)
    except DBAPIError:  # the other worker created it at the same moment
        metadata.create_all(engine)

    @app.route("/", methods=["GET", "POST"])
    def apply():
        form = ApplicationForm()
        if not form.validate_on_submit():
            return render_template_string(PAGE, form=form), 422 if form.is_submitted() else 200
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        with engine.begin() as conn:
            new_id = conn.execute(insert(applications).values(
                applicant_name=form.applicant_name.data,
                applicant_id_number=form.applicant_id_number.data,
                answers=json.loads(json.dumps(data, default=str)))).inserted_primary_key[0]
        return redirect(f"/done/{new_id}")

    return app


app = create_app() if os.environ.get("BASELINE_DATABASE_URL") else None
