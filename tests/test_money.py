"""One money rule on every path: the same input gives the same fen or the same Chinese error,
whether it is typed into a form, sent to the API, read from a bank's roster or printed."""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest

from server import money
from server.cases.fields import FIELDS, FieldProblem
from server.documents.rendering import make_environment
from server.filings.roster import RosterError, parse_bank_roster
from server.schemas.fields import FIELD_TYPES, FieldError, is_blank
from server.standards import operations as standard_ops

# (input, expected): an int is the fen every path must arrive at; a str is the MoneyError
# message every path must show (a form may prefix the field's label).
# the entry points compare their Chinese blank-field messages
pytestmark = pytest.mark.usefixtures("office_language")

TABLE = [
    (0.005, 1),
    ("0.005", 1),
    (12.345, 1235),
    ("12.345", 1235),
    (12.355, 1236),
    (-1, money.NEGATIVE),
    ("-1", money.NEGATIVE),
    (99999999.995, 10_000_000_000),
    ("1,234.5", 123450),
    ("１２３", 12300),
    (" 1 234.50 元", 123450),
    (float("nan"), money.BAD),
    ("NaN", money.BAD),
    ("Infinity", money.BAD),
    ("1e999999", money.BAD),
    ("1000000000.01", money.TOO_LARGE),
    ("", money.EMPTY),
]


def through_module(raw):
    fen = money.yuan_to_fen(raw)
    if fen is None:
        raise money.MoneyError(money.EMPTY)
    return fen


def through_schema_field(raw):
    """The form builder's ``money`` field type (forms and the intake API)."""
    if is_blank(raw):
        raise FieldError(money.EMPTY)
    stored = FIELD_TYPES["money"]({"key": "income", "type": "money"}).parse(raw, {})
    return int(Decimal(stored) * 100)


def through_case_field(raw):
    """A transition's money input (临时救助 amount, 增发/减发), as cases/effects stores it."""
    try:
        stored = FIELDS["amount"].parse(raw, None)
    except FieldProblem as exc:
        if str(exc) == f"请填写“{FIELDS['amount'].label}”":
            raise FieldProblem(money.EMPTY) from None
        raise
    return int(Decimal(stored) * 100)


def through_standard_form(raw):
    """A standard's money value as the admin types it (range widened: only parsing here)."""
    spec = next(s for s in standard_ops.SPECS if s.name == "care_full")
    spec = dataclasses.replace(spec, high=money.MAX_YUAN * 10)
    try:
        value = standard_ops._check_number(spec, raw)
    except ValueError as exc:
        if str(exc) == "必填":
            raise ValueError(money.EMPTY) from None
        raise
    return int(value * 100)


def through_bank_roster(raw):
    text = raw if isinstance(raw, str) else repr(raw)
    data = f"姓名,身份证号,账号,金额\n张三,220102199001011234,6222,\"{text}\"\n".encode()
    return parse_bank_roster("bank.csv", data)[0].amount_fen


ENV = make_environment()


def _printed(name, raw, render):
    """A document filter: the text must be that of the expected fen."""
    text = ENV.filters[name](raw)
    if text == "/":
        raise money.MoneyError(money.EMPTY)
    for fen in (0, 1, 1235, 1236, 10_000_000_000, 123450, 12300):
        if text == render(money.fen_to_yuan(fen)):
            return fen
    raise AssertionError(f"{name}({raw!r}) printed {text!r}")


def through_money_filter(raw):
    return _printed("money", raw, money.display)


def through_capital_filter(raw):
    return _printed("capital_money", raw, money.capitals)


ENTRY_POINTS = [through_module, through_schema_field, through_case_field, through_standard_form,
                through_bank_roster, through_money_filter, through_capital_filter]


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("raw,expected", TABLE, ids=[repr(r) for r, _ in TABLE])
def test_every_entry_point_agrees(entry, raw, expected):
    if isinstance(expected, int):
        assert entry(raw) == expected
    else:
        with pytest.raises((ValueError, RosterError)) as info:
            entry(raw)
        assert str(expected) in str(info.value)


@pytest.mark.parametrize("value,expected", [
    (Decimal("1234"), "壹仟贰佰叁拾肆元整"), (Decimal("100000000"), "壹亿元整"),
    (Decimal("0.01"), "壹分"), (Decimal("-5"), "负伍元整"), (Decimal("1004.05"), "壹仟零肆元零伍分"),
])
def test_capitals(value, expected):
    assert money.capitals(value) == expected


def test_formats_and_conversions():
    assert money.display(Decimal("1234")) == "¥1,234.00"
    assert money.plain("1,234") == "1234.00"
    assert money.display(-5) == "-¥5.00"
    assert money.fen_to_yuan(123450) == Decimal("1234.50")
    assert money.fen_text(None) == "0.00" and money.fen_text(1) == "0.01"
    assert money.yuan_to_fen("-0.004", allow_negative=True) == 0
    assert money.yuan_to_fen(Decimal("-2.5"), allow_negative=True) == -250
    with pytest.raises(money.MoneyError, match=str(money.TOO_LARGE)):
        money.yuan_to_fen(Decimal("1E+999999"))
    with pytest.raises(money.MoneyError, match=str(money.BAD)):
        money.yuan_to_fen(True)


@pytest.mark.parametrize("value,unit,mode,expected", [
    ("12.345", "fen", "half_up", "12.35"), ("0.5", "yuan", "half_up", "1.00"),
    ("0.04", "jiao", "up", "0.10"), ("780.01", "yuan", "up", "781.00"),
    ("780.49", "yuan", "half_up", "780.00"),
])
def test_round_money(value, unit, mode, expected):
    assert money.round_money(Decimal(value), unit, mode) == Decimal(expected)


def test_pages_print_stored_fen_through_the_module(app):
    """No page template turns fen into yuan itself (the case page once divided by 100 as a float)."""
    assert app.jinja_env.globals["yuan"] is money.fen_text
    root = Path(__file__).resolve().parent.parent / "server"
    offenders = [str(p) for p in root.rglob("*.html") if re.search(r"/\s*100\b", p.read_text())]
    assert not offenders
    assert app.jinja_env.from_string("{{ yuan(f) }}").render(f=10**19 + 1) == "100000000000000000.01"


def test_calculators_take_amounts_by_the_same_rule():
    """The 临时救助 request and the 低保 income: 12.345 is 12.35 (half-even said 12.34)."""
    from server.standards.amounts import calculate

    from .standards.test_amounts import BASE

    assert calculate("LS", BASE, requested="12.345").amount_fen == 1235
    fen_rule = dataclasses.replace(BASE, rounding_unit="fen", db_minimum=Decimal("0"))
    result = calculate("DB", fen_rule, per_capita_income="779.985", persons=1)
    assert result.amount_fen == 1  # 780.00 − 779.99, not 780.00 − 779.98
    with pytest.raises(ValueError, match=str(money.BAD)):
        calculate("LS", BASE, requested="NaN")
