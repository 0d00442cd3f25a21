"""The new-version form, built from the value specs (one text field per number).

Numbers stay text here: operations.validate parses them as Decimal with Chinese messages.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from .operations import DEFAULT_UNIT, MAX_NAMED, SPECS

BLANK_ROWS = 3  # empty named-value rows the form offers for new values

CHOICE_LABELS = {
    "gap": _l("Gap: (standard − income) × persons"),
    "bands": _l("Bands: a fixed amount per person by the gap"),
    "yuan": _l("yuan"), "jiao": _l("jiao (0.1 yuan)"), "fen": _l("fen (0.01 yuan)"),
    "half_up": _l("half up"), "up": _l("up (any fraction)"),
}
GROUP_LABELS = {
    "db": _l("Minimum living allowance (dibao)"),
    "tk": _l("Extreme-poverty support (tekun)"),
    "ls": _l("Temporary assistance"),
    "by": _l("Low-income margin households (near-dibao)"),
}


def _select(label, values):
    return SelectField(label, choices=[SelectChoice(v, CHOICE_LABELS[v]) for v in values])


class NamedValueForm(Form):
    """One named value of the version; a row left empty or marked for removal is skipped."""

    name = StringField(_l("Value name"), validators=[Optional(), Length(max=40)])
    amount = StringField(_l("Amount (yuan)"), validators=[Optional(), Length(max=40)])
    unit = StringField(_l("Unit"), default=DEFAULT_UNIT, validators=[Optional(), Length(max=20)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    remove = BooleanField(_l("Remove"))


class _StandardFormBase(FlaskForm):
    effective_from = StringField(_l("Effective from"))
    db_method = _select(_l("Calculation method"), ["gap", "bands"])
    db_bands = TextAreaField(_l("Bands: one line per band, gap from (yuan),amount per person"),
                             validators=[Optional(), Length(max=2000)])
    rounding_unit = _select(_l("Round to"), ["yuan", "jiao", "fen"])
    rounding_mode = _select(_l("Rounding"), ["half_up", "up"])
    is_ls_cap_per_person = BooleanField(_l("Temporary aid caps are per person (else per household)"))
    basis = StringField(_l("Basis (document number)"), validators=[Optional(), Length(max=200)])
    named_values = FieldList(FormField(NamedValueForm), max_entries=MAX_NAMED + BLANK_ROWS)

    def add_blank_rows(self, count: int = BLANK_ROWS) -> None:
        for _ in range(min(count, MAX_NAMED + BLANK_ROWS - len(self.named_values))):
            self.named_values.append_entry()

    def show_errors(self, errors: dict) -> dict:
        """Put ``operations`` errors next to their fields (``named_values[i].name`` on row i);
        returns those that have no field."""
        rest = {}
        for key, message in errors.items():
            name, _dot, sub = key.partition(".")
            field = getattr(self, name, None)
            if name.startswith("named_values[") and sub:
                index = int(name[len("named_values["):-1])
                field = self.named_values.entries[index].form[sub] \
                    if index < len(self.named_values.entries) else None
            elif name == "named_values":
                field = None
            if field is None:
                rest[key] = message
            else:
                field.errors = [*field.errors, message]
        return rest


StandardForm = type("StandardForm", (_StandardFormBase,),
                    {spec.name: StringField(spec.label) for spec in SPECS})
