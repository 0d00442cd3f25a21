"""Household figures the decision needs, read from a case by the schema's field roles.

The intake maps the answers into the case's columns (persons covered, care level…, see
``server/intake/household.py``); the per-capita income is read at the field whose role is
``per_capita_income`` (a form declaring no such field is read at the field of that name), and
the path found is reported so the decision page and a 422 can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..money import MoneyError, parse_yuan
from ..schemas.roles import field_name


@dataclass
class Figures:
    per_capita_income: Decimal | None
    income_path: str
    persons: int
    persons_path: str
    care_level: str | None


def _decimal(value) -> Decimal | None:
    """An answered income as yuan by the one money rule; None when it is not an amount."""
    if value in (None, ""):
        return None
    try:
        return parse_yuan(value, allow_negative=True)
    except MoneyError:
        return None


def _definition(case) -> dict:
    version = case.schema_version
    return (version.definition if version is not None else None) or {}


def figures(case) -> Figures:
    """Per-capita monthly income (yuan), persons covered and care level of a case."""
    answers = case.answers or {}
    definition = _definition(case)
    income_name = field_name(definition, "per_capita_income")
    persons = case.persons_covered or len(case.members) or 1
    care = case.care_level or answers.get(field_name(definition, "care_level")) or None
    return Figures(_decimal(answers.get(income_name)), f"answers.{income_name}", persons,
                   "persons_covered", care)


class MissingInput(ValueError):
    """A figure the calculator needs is missing; ``path`` says where to enter it."""

    def __init__(self, path: str, message):
        super().__init__(message)
        self.path = path
        self.message = message  # lazy: shown in the reader's language (effects run in Chinese)


def amount_inputs(case, found: Figures, requested=None) -> dict:
    """Keyword inputs of the standards room's calculator for the case's relief type."""
    from ..relief import item

    relief = item(case.relief_type)
    if relief.is_one_off:  # decided on the requested amount
        if requested is None:
            raise MissingInput("data.requested_amount", _l("Enter the requested amount"))
        return {"requested": requested, "persons": found.persons}
    if relief.has_care_levels:
        if not found.care_level:
            raise MissingInput("care_level", _l("Set the care level first"))
        return {"care_level": found.care_level, "per_capita_income": found.per_capita_income}
    if found.per_capita_income is None:
        raise MissingInput(found.income_path, _l("The application has no monthly income per person: "
                                               "the amount cannot be calculated"))
    return {"per_capita_income": found.per_capita_income, "persons": found.persons}
