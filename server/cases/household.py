"""Household figures the decision needs, read defensively from a case's answers.

Schemas name things their own way (``per_capita_income``, ``income.per_capita_monthly``…), so
the first key whose name says "per capita income" wins; the path found is reported so the
decision page and a 422 can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..money import MoneyError, parse_yuan

INCOME_KEYS = ("per_capita_income", "per_capita_monthly_income", "monthly_per_capita_income",
               "household_per_capita_income", "per_capita")
PERSONS_KEYS = ("persons_covered", "covered_persons", "persons_insured", "persons")
CARE_KEYS = ("care_level", "self_care_level")


@dataclass
class Figures:
    per_capita_income: Decimal | None
    income_path: str
    persons: int
    persons_path: str
    care_level: str | None


def _walk(value, path=""):
    """Every (path, key, value) in nested answers; list rows get [i] in the path."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key), item
            yield from _walk(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _find(answers: dict, keys: tuple[str, ...], fuzzy: str | None = None):
    found = [(p, k, v) for p, k, v in _walk(answers or {}) if "[" not in p
             and not isinstance(v, (dict, list)) and v not in (None, "")]
    for wanted in keys:
        for path, key, value in found:
            if key == wanted:
                return path, value
    if fuzzy:
        for path, key, value in found:
            if all(part in key for part in fuzzy.split()):
                return path, value
    return None, None


def _decimal(value) -> Decimal | None:
    """An answered income as yuan by the one money rule; None when it is not an amount."""
    try:
        return parse_yuan(value, allow_negative=True)
    except MoneyError:
        return None


def figures(case) -> Figures:
    """Per-capita monthly income (yuan), persons covered and care level of a case."""
    answers = case.answers or {}
    path, raw = _find(answers, INCOME_KEYS, fuzzy="per_capita income")
    income = _decimal(raw) if path else None
    p_path, p_raw = _find(answers, PERSONS_KEYS)
    persons = None
    if p_path is not None:
        try:
            persons = int(Decimal(str(p_raw)))
        except (InvalidOperation, ValueError):
            persons = None
    if not persons:
        persons = case.persons_covered or len(case.members) or 1
        p_path = "persons_covered" if case.persons_covered else "members"
    _c_path, care = _find(answers, CARE_KEYS)
    return Figures(income, f"answers.{path}" if path else "answers.per_capita_income",
                   persons, f"answers.{p_path}" if p_path and p_path not in (
                       "persons_covered", "members") else p_path,
                   care or case.care_level)


class MissingInput(ValueError):
    """A figure the calculator needs is missing; ``path`` says where to enter it."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


def amount_inputs(case, found: Figures, requested=None) -> dict:
    """Keyword inputs of the standards room's calculator for the case's relief type."""
    from ..relief import ReliefCode

    code = ReliefCode(case.relief_type)
    if code == ReliefCode.LS:
        if requested is None:
            raise MissingInput("data.requested_amount", "请填写申请救助金额")
        return {"requested": requested, "persons": found.persons}
    if code == ReliefCode.TK:
        if not found.care_level:
            raise MissingInput("answers.care_level", "请先确定护理等级")
        return {"care_level": found.care_level, "per_capita_income": found.per_capita_income}
    if found.per_capita_income is None:
        raise MissingInput(found.income_path, "申请表中没有家庭人均月收入，无法计算救助金额")
    return {"per_capita_income": found.per_capita_income, "persons": found.persons}
