"""The kinds of 失信 behaviour a household may be listed for (南平市 seed, ten kinds).

Stored by code on the warning and the listing; the labels are what pages, the notice and the
list sent to other departments print.
"""
from __future__ import annotations

from enum import Enum


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
    FraudKind.forged_materials: "提供造假申请材料或造假证明",
    FraudKind.hidden_income: "故意隐瞒家庭收入",
    FraudKind.inflated_spending: "故意虚报家庭支出",
    FraudKind.hidden_obligors: "故意隐瞒法定赡(抚、扶)养人基本信息",
    FraudKind.hidden_business: "故意隐瞒家庭成员经商经营、工商税务登记、债权债务、房产交易等信息",
    FraudKind.hidden_assets: "故意隐瞒、转移房产、车辆、存款、证券、股票等财产信息",
    FraudKind.hidden_changes: "故意隐瞒家庭人口变动、就业情况、婚姻状况等信息",
    FraudKind.refused_refund: "拒不在规定时限内退回骗取的社会救助资金、物资",
    FraudKind.obligor_refused: "法定赡养、抚养、扶养人有能力而拒不履行义务，情节严重",
    FraudKind.other: "法律、法规、规章等规定的其他失信行为",
}
"""In the order of the seed's list (1–10)."""

CORRECTION_DAYS = 30
"""Default time a household is given to correct after the first occurrence (教育引导)."""


def kind_label(code) -> str:
    try:
        return FraudKind(code).label
    except ValueError:
        return str(code or "")
