"""The kinds of 失信 behaviour a household may be listed for (南平市 seed, ten kinds).

Stored by code on the warning and the listing; the labels are what pages, the notice and the
list sent to other departments print.
"""
from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l


class FraudKind(str, Enum):
    forged_materials = "forged_materials"
    hidden_income = "hidden_income"
    inflated_spending = "inflated_spending"
    hidden_obligors = "hidden_obligors"
    hidden_business = "hidden_business"
    hidden_assets = "hidden_assets"
    hidden_changes = "hidden_changes"
    refused_refund = "refused_refund"
    obligor_refused = "obligor_refused"
    other = "other"

    @property
    def label(self) -> str:
        return FRAUD_LABELS[self]


FRAUD_LABELS = {
    FraudKind.forged_materials: _l("Forged application materials or certificates"),
    FraudKind.hidden_income: _l("Household income concealed on purpose"),
    FraudKind.inflated_spending: _l("Household spending overstated on purpose"),
    FraudKind.hidden_obligors: _l("Details of legal supporters concealed on purpose"),
    FraudKind.hidden_business: _l("Members' business, tax registration, debts or property deals concealed on purpose"),
    FraudKind.hidden_assets: _l("Property, vehicles, savings or securities concealed or moved on purpose"),
    FraudKind.hidden_changes: _l("Changes in household size, employment or marriage concealed on purpose"),
    FraudKind.refused_refund: _l("Refused to return wrongly obtained aid in time"),
    FraudKind.obligor_refused: _l("A legal supporter able to support refused to, seriously"),
    FraudKind.other: _l("Other dishonest conduct under laws and regulations"),
}
"""In the order of the seed's list (1–10)."""

CORRECTION_DAYS = 30
"""Default time a household is given to correct after the first occurrence (教育引导)."""


def kind_label(code) -> str:
    """The kind's name in the current language (stored data: call under zh_CN)."""
    try:
        return str(FraudKind(code).label)
    except ValueError:
        return str(code or "")
