"""The new-version form, built from the value specs (one text field per number).

Numbers stay text here: operations.validate parses them as Decimal with Chinese messages.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from .operations import SPECS

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


class _StandardFormBase(FlaskForm):
    effective_from = StringField(_l("Effective from"))
    db_method = _select(_l("Calculation method"), ["gap", "bands"])
    db_bands = TextAreaField(_l("Bands: one line per band, gap from (yuan),amount per person"),
                             validators=[Optional(), Length(max=2000)])
    rounding_unit = _select(_l("Round to"), ["yuan", "jiao", "fen"])
    rounding_mode = _select(_l("Rounding"), ["half_up", "up"])
    is_ls_cap_per_person = BooleanField(_l("Temporary aid caps are per person (else per household)"))
    basis = StringField(_l("Basis (document number)"), validators=[Optional(), Length(max=200)])


StandardForm = type("StandardForm", (_StandardFormBase,),
                    {spec.name: StringField(spec.label) for spec in SPECS})
