from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .models import HolidayKind

KIND_LABELS = {HolidayKind.holiday: _l("Holiday (day off)"),
               HolidayKind.makeup_workday: _l("Make-up working day")}


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter a date"))])
    kind = SelectField(_l("Kind"),
                       choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    name = StringField(_l("Holiday name"), validators=[Optional(), Length(max=50)])


class ImportForm(FlaskForm):
    text = TextAreaField(_l("Lines: date,kind,name"), validators=[Optional()])
    upload = FileField(_l("Or a CSV/text file"))
