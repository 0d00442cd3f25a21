"""Amounts (救助金额): one calculator per relief type, keyed by its code (DB/TK/LS/BY).

Public API:

- ``calculate(code, standard, **inputs) -> AmountResult``; inputs per type:
  DB ``per_capita_income, persons``; TK ``care_level, persons=1, per_capita_income=None``;
  LS ``requested, persons=1``; BY ``per_capita_income, persons=1, db_eligible=None``.
- ``calculate_for(code, county_id, urban_rural, on_date, **inputs)``: the same with the
  standard in force looked up (raises ``NoStandard`` with a Chinese message if none is).
- ``payment_start_month(decision_date) -> date``: the first day of the following month.
- ``CALCULATORS`` (the registry), ``AmountResult``.

Money follows ``server.money``: Decimal yuan rounded half-up to the fen, and a standard's own
rule (元/角/分, half-up or up: ``money.round_money``) for the computed amount; passing a float
raises TypeError. ``AmountResult.formula``
is Chinese with the inputs filled in, for the decision page and the decision form.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from .. import money as _money
from ..money import MODE_LABELS, UNIT_LABELS, MoneyError, round_money
from ..periods import first_of_next_month
from ..relief import ReliefCode, item
from .models import CareLevel, DbMethod
from .queries import NoStandard, Standard, standard_for

NEGATIVE_INCOME = _l("The household's income per person cannot be negative")

CARE_ALIASES = {"self": CareLevel.self_care, "partial": CareLevel.partial, "full": CareLevel.full}


@dataclass
class AmountResult:
    amount: Decimal  # quantized to fen; 0 when not eligible or refused
    monthly: bool  # a monthly payment (DB/TK) or one-off / none (LS/BY)
    formula: str
    inputs: dict
    notes: list[str] = field(default_factory=list)
    needs_county_decision: bool = False  # LS above the township cap: 一事一议
    is_eligible: bool = True
    refusal: str | None = None  # set when the amount cannot be granted at all
    standard_id: int | None = None

    @property
    def warnings(self) -> list[str]:
        return self.notes

    @property
    def amount_fen(self) -> int:
        return _money.yuan_to_fen(self.amount, allow_negative=True)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["amount"] = money(self.amount)
        data["inputs"] = {k: (money(v) if isinstance(v, Decimal) else v)
                          for k, v in self.inputs.items()}
        return data


def money(value) -> str:
    """1234.00 (``server.money.plain``): how formulas print amounts."""
    return _money.plain(value)


def factor(value) -> str:
    return f"{Decimal(value).normalize():f}"


def to_decimal(value, name: str) -> Decimal:
    """Yuan from Decimal/int/str by the money rule (half-up to the fen); floats are refused
    so no binary rounding sneaks in."""
    if isinstance(value, float):
        raise TypeError(f"{name}: pass a Decimal or a string, not a float")
    try:
        result = _money.parse_yuan(value, allow_negative=True)
    except MoneyError as exc:
        raise ValueError(f"{name}：{exc}") from None
    if result is None:
        raise ValueError(f"{name}：{_money.EMPTY}")
    return result


def _persons(value) -> int:
    persons = int(value)
    if persons < 1:
        raise ValueError(_l("At least 1 person must be covered"))
    return persons


def _rounded(standard: Standard, raw: Decimal, formula: str, suffix: str) -> tuple[Decimal, str]:
    """Apply the standard's rounding rule; mention it in the formula only when it changed."""
    amount = round_money(raw, standard.rounding_unit, standard.rounding_mode)
    if amount == round_money(raw):
        return amount, f"{formula} = {money(amount)} {suffix}"
    rule = f"按{UNIT_LABELS[standard.rounding_unit]}{MODE_LABELS[standard.rounding_mode]}"
    return amount, f"{formula} = {money(raw)}，{rule} = {money(amount)} {suffix}"


class Calculator:
    """Base of the per-type calculators (a registry keyed by item code); a subclass sets
    ``code``; whether the amount is monthly is the item's (forms/items.yaml family)."""

    code: ReliefCode

    @property
    def monthly(self) -> bool:
        return item(self.code).is_monthly

    def calculate(self, standard: Standard, **inputs) -> AmountResult:
        raise NotImplementedError

    def result(self, standard: Standard, amount: Decimal, formula: str, inputs: dict,
               **extra) -> AmountResult:
        return AmountResult(amount=amount, monthly=self.monthly, formula=formula,
                            inputs=inputs, standard_id=standard.id, **extra)


CALCULATORS: dict[ReliefCode, Calculator] = {}


def register(cls):
    CALCULATORS[cls.code] = cls()
    return cls


def _not_db_eligible(calc: Calculator, standard: Standard, inputs: dict, gap: Decimal):
    formula = (f"{money(standard.db_standard)} − {money(inputs['per_capita_income'])} "
               f"= {money(gap)} 元")
    return calc.result(standard, Decimal("0.00"), formula, inputs, is_eligible=False,
                       notes=["家庭人均收入不低于低保标准，不符合低保条件"])


@register
class DbCalculator(Calculator):
    """低保: the gap to the standard per person (or its band), times persons covered."""

    code = ReliefCode.DB

    def calculate(self, standard, *, per_capita_income, persons) -> AmountResult:
        income = to_decimal(per_capita_income, "家庭人均收入")
        if income < 0:
            raise ValueError(NEGATIVE_INCOME)
        persons = _persons(persons)
        inputs = {"standard": standard.db_standard, "per_capita_income": income,
                  "persons": persons, "method": standard.db_method,
                  "minimum": standard.db_minimum}
        gap = standard.db_standard - income
        if gap <= 0:
            return _not_db_eligible(self, standard, inputs, gap)
        if standard.db_method == DbMethod.bands.value:
            per_person, formula, notes = self._band(standard, income, gap)
        else:
            per_person, formula, notes = self._gap(standard, income, gap)
        amount, formula = _rounded(standard, per_person * persons,
                                   f"{formula} × {persons}", "元/月")
        return self.result(standard, amount, formula, inputs, notes=notes)

    @staticmethod
    def _gap(standard, income, gap):
        formula = f"({money(standard.db_standard)} − {money(income)})"
        if gap < standard.db_minimum:
            note = (f"人均差额 {money(gap)} 元低于最低发放额 {money(standard.db_minimum)} 元，"
                    f"按最低发放额计算")
            return standard.db_minimum, f"{money(standard.db_minimum)}（最低发放额）", [note]
        return gap, formula, []

    @staticmethod
    def _band(standard, income, gap):
        head = f"差额 {money(standard.db_standard)} − {money(income)} = {money(gap)} 元，"
        for number, (min_gap, amount) in enumerate(standard.db_bands, start=1):
            if gap >= min_gap:
                return amount, (f"{head}第 {number} 档（差额 ≥ {money(min_gap)} 元，"
                                f"每人 {money(amount)} 元）：{money(amount)}"), []
        per_person = standard.db_minimum
        note = "差额低于各档下限，按最低发放额计算"
        return per_person, f"{head}未达各档下限，按最低发放额 {money(per_person)}", [note]


@register
class TkCalculator(Calculator):
    """特困: basic-living standard plus the care standard of the person's care level."""

    code = ReliefCode.TK

    def calculate(self, standard, *, care_level, persons=1, per_capita_income=None):
        level = CARE_ALIASES.get(care_level)
        if level is None:
            try:
                level = CareLevel(care_level)
            except ValueError:
                raise ValueError(_l("Choose a care level (fully self-caring / partly dependent / "
                                    "fully dependent)")) from None
        persons = _persons(persons)
        care = standard.care[level.value]
        inputs = {"tk_basic": standard.tk_basic, "care_level": level.value, "care": care,
                  "persons": persons}
        basic = f"基本生活 {money(standard.tk_basic)}"
        if standard.tk_basic == round_money(standard.db_standard * standard.tk_basic_factor):
            basic += f"（{money(standard.db_standard)} × {factor(standard.tk_basic_factor)}）"
        formula = f"{basic} + 护理（{level.value}） {money(care)}"
        if persons > 1:
            formula = f"({formula}) × {persons}"
        amount, formula = _rounded(standard, (standard.tk_basic + care) * persons, formula,
                                   "元/月")
        result = self.result(standard, amount, formula, inputs)
        if per_capita_income is not None:
            income = to_decimal(per_capita_income, "人均收入")
            inputs["per_capita_income"] = income
            if income >= standard.db_standard:
                result.is_eligible = False
                result.notes.append("人均收入不低于低保标准，不符合特困人员认定条件")
        return result


@register
class LsCalculator(Calculator):
    """临时救助: the requested amount within the township cap; above it, the county decides."""

    code = ReliefCode.LS

    def calculate(self, standard, *, requested, persons=1) -> AmountResult:
        requested = to_decimal(requested, "救助金额")
        persons = _persons(persons)
        base = standard.db_standard * (persons if standard.is_ls_cap_per_person else 1)
        base_text = money(standard.db_standard) + (
            f" × {persons}人" if standard.is_ls_cap_per_person else "")
        cap = round_money(base * standard.ls_township_multiple)
        top = round_money(base * standard.ls_max_multiple)
        inputs = {"requested": requested, "standard": standard.db_standard, "persons": persons,
                  "township_cap": cap, "max": top}
        cap_text = f"乡镇审批上限 {base_text} × {factor(standard.ls_township_multiple)} = {money(cap)} 元"
        top_text = f"最高 {base_text} × {factor(standard.ls_max_multiple)} = {money(top)} 元"
        if requested <= 0:
            return self.result(standard, Decimal("0.00"), "救助金额必须大于 0", inputs,
                               is_eligible=False, refusal="临时救助金额必须大于 0 元")
        if requested > top:
            message = f"申请金额 {money(requested)} 元超过{top_text}，不能批准"
            return self.result(standard, Decimal("0.00"), f"{money(requested)} 元 > {top_text}",
                               inputs, is_eligible=False, refusal=message)
        if requested > cap:
            note = f"超过{cap_text}，须报县级民政部门一事一议"
            return self.result(standard, requested,
                               f"{money(requested)} 元 > {cap_text}，≤ {top_text}", inputs,
                               needs_county_decision=True, notes=[note])
        return self.result(standard, requested, f"{money(requested)} 元 ≤ {cap_text}", inputs)


@register
class ByCalculator(Calculator):
    """低保边缘: recognition only (amount 0) when income is under factor × standard."""

    code = ReliefCode.BY

    def calculate(self, standard, *, per_capita_income, persons=1, db_eligible=None):
        income = to_decimal(per_capita_income, "家庭人均收入")
        if income < 0:
            raise ValueError(NEGATIVE_INCOME)
        persons = _persons(persons)
        limit = round_money(standard.by_factor * standard.db_standard)
        if db_eligible is None:
            db_eligible = income < standard.db_standard
        inputs = {"per_capita_income": income, "standard": standard.db_standard,
                  "factor": standard.by_factor, "limit": limit, "persons": persons,
                  "db_eligible": db_eligible}
        limit_text = f"{factor(standard.by_factor)} × {money(standard.db_standard)} = {money(limit)} 元"
        if income >= limit:
            formula = f"人均收入 {money(income)} 元 ≥ {limit_text}"
            return self.result(standard, Decimal("0.00"), formula, inputs, is_eligible=False,
                               notes=["人均收入不低于低保边缘标准，不符合认定条件"])
        formula = f"人均收入 {money(income)} 元 < {limit_text}"
        if db_eligible:
            return self.result(standard, Decimal("0.00"), formula, inputs, is_eligible=False,
                               notes=["符合低保条件，应按低保办理，不作低保边缘家庭认定"])
        return self.result(standard, Decimal("0.00"), f"{formula}：认定为低保边缘家庭（不发放救助金）",
                           inputs)


def calculate(code, standard: Standard, **inputs) -> AmountResult:
    """The amount for item ``code`` under ``standard``, by the calculator of the item's
    procedure family (a county's item is computed as the shipped item of its family)."""
    family = item(code).family
    calculator = next(c for c in CALCULATORS.values() if item(c.code).family == family)
    return calculator.calculate(standard, **inputs)


def calculate_for(code, county_id: int, urban_rural, on_date: date, **inputs) -> AmountResult:
    """``calculate`` with the standard in force on ``on_date`` for the county and category."""
    standard = standard_for(county_id, urban_rural, on_date)
    if standard is None:
        raise NoStandard(_l("No standard is in force on %(date)s; the county admin needs to enter "
                            "one first", date=f"{on_date:%Y-%m-%d}"))
    return calculate(code, standard, **inputs)


def payment_start_month(decision_date: date) -> date:
    """Payment starts the month after the decision: the first day of that month."""
    return first_of_next_month(decision_date)
