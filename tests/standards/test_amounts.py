"""Amount calculators at the edges: equal income, zero income, rounding, bands, care, caps."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from server.money import round_money
from server.standards.amounts import CALCULATORS, calculate, payment_start_month
from server.standards.queries import Standard

BASE = Standard(
    id=7, county_id=1, urban_rural="urban", effective_from=date(2026, 1, 1),
    db_standard=D("780.00"), db_method="gap", db_minimum=D("10.00"), db_bands=(),
    rounding_unit="yuan", rounding_mode="half_up", tk_basic_factor=D("1.3"),
    tk_basic=D("1014.00"), care={"全自理": D("100.00"), "半护理": D("300.00"), "全护理": D("600.00")},
    ls_township_multiple=D("3"), ls_max_multiple=D("12"), is_ls_cap_per_person=False,
    by_factor=D("1.5"),
)


def test_registry_covers_every_relief_type():
    from server.relief import ReliefCode

    assert set(CALCULATORS) == set(ReliefCode)


def test_db_gap_with_rounding_in_the_formula():
    result = calculate("DB", BASE, per_capita_income="210.50", persons=3)
    assert result.amount == D("1709.00") and result.monthly and result.is_eligible
    assert result.formula == "(780.00 − 210.50) × 3 = 1708.50，按元四舍五入 = 1709.00 元/月"
    assert result.standard_id == 7 and result.amount_fen == 170900
    assert result.inputs["per_capita_income"] == D("210.50")


def test_db_zero_income():
    result = calculate("DB", BASE, per_capita_income=0, persons=2)
    assert result.amount == D("1560.00")
    assert result.formula == "(780.00 − 0.00) × 2 = 1560.00 元/月"


@pytest.mark.parametrize("income", ["780", "780.00", "800"])
def test_db_income_at_or_above_the_standard_is_not_eligible(income):
    result = calculate("DB", BASE, per_capita_income=income, persons=3)
    assert result.amount == D("0.00") and not result.is_eligible
    assert "不符合低保条件" in result.notes[0]


def test_db_minimum_amount_per_person():
    result = calculate("DB", BASE, per_capita_income="775.50", persons=3)  # gap 4.50 < 10
    assert result.amount == D("30.00") and result.is_eligible
    assert "低于最低发放额" in result.notes[0]
    just_above = calculate("DB", BASE, per_capita_income="770.00", persons=1)  # gap 10 = minimum
    assert just_above.amount == D("10.00") and not just_above.notes


@pytest.mark.parametrize("unit,mode,income,persons,expected", [
    ("yuan", "half_up", "210.50", 1, "570.00"),  # 569.50 -> 570
    ("yuan", "half_up", "210.51", 1, "569.00"),  # 569.49 -> 569
    ("yuan", "up", "210.99", 1, "570.00"),  # 569.01 -> 570
    ("yuan", "up", "210.00", 1, "570.00"),  # exact stays
    ("jiao", "half_up", "210.55", 1, "569.50"),  # 569.45 -> 569.5
    ("jiao", "up", "210.59", 1, "569.50"),  # 569.41 -> 569.5
    ("fen", "half_up", "210.555", 1, "569.44"),  # income is quantized to fen first (210.56)
    ("fen", "up", "0.01", 3, "2339.97"),
])
def test_rounding(unit, mode, income, persons, expected):
    standard = replace(BASE, rounding_unit=unit, rounding_mode=mode)
    assert calculate("DB", standard, per_capita_income=income, persons=persons).amount == D(expected)


def test_round_money():
    assert round_money(D("0.5"), "yuan", "half_up") == D("1.00")
    assert round_money(D("0.04"), "jiao", "up") == D("0.10")


BANDED = replace(BASE, db_method="bands", db_minimum=D("0"),
                 db_bands=((D("500"), D("600")), (D("300"), D("400")), (D("0.01"), D("200"))))


@pytest.mark.parametrize("income,amount,band", [
    ("0", "1800.00", "第 1 档"),  # gap 780
    ("280.00", "1800.00", "第 1 档"),  # gap 500 exactly
    ("280.01", "1200.00", "第 2 档"),  # gap 499.99
    ("480.00", "1200.00", "第 2 档"),  # gap 300
    ("779.99", "600.00", "第 3 档"),  # gap 0.01
])
def test_db_bands(income, amount, band):
    result = calculate("DB", BANDED, per_capita_income=income, persons=3)
    assert result.amount == D(amount) and band in result.formula


def test_db_bands_equal_income_not_eligible_and_below_every_band():
    assert not calculate("DB", BANDED, per_capita_income="780", persons=1).is_eligible
    high_floor = replace(BANDED, db_bands=((D("100"), D("300")),))
    result = calculate("DB", high_floor, per_capita_income="700", persons=1)  # gap 80
    assert result.amount == D("0.00") and "各档下限" in result.notes[0]


@pytest.mark.parametrize("level,amount", [("全自理", "1114.00"), ("半护理", "1314.00"),
                                          ("全护理", "1614.00"), ("full", "1614.00")])
def test_tk_basic_plus_care(level, amount):
    result = calculate("TK", BASE, care_level=level)
    assert result.amount == D(amount) and result.monthly
    assert result.formula.startswith("基本生活 1014.00（780.00 × 1.3） + 护理")


def test_tk_explicit_basic_and_income_check(app):  # messages come from the catalogs
    standard = replace(BASE, tk_basic=D("1100.00"))
    result = calculate("TK", standard, care_level="半护理", per_capita_income="780")
    assert result.amount == D("1400.00") and "× 1.3" not in result.formula
    assert not result.is_eligible
    with pytest.raises(ValueError, match="护理等级"):
        calculate("TK", BASE, care_level="")
    with pytest.raises(ValueError, match="护理等级"):
        calculate("TK", BASE, care_level="卧床")


@pytest.mark.parametrize("requested,county,refused", [
    ("2340.00", False, False),  # exactly the township cap 3 × 780
    ("2340.01", True, False),
    ("9360.00", True, False),  # exactly the maximum 12 × 780
    ("9360.01", False, True),
])
def test_ls_cap_boundaries(requested, county, refused):
    result = calculate("LS", BASE, requested=requested)
    assert result.needs_county_decision is county
    assert (result.refusal is not None) is refused
    assert not result.monthly
    assert result.amount == (D("0.00") if refused else D(requested))


def test_ls_per_person_cap_and_bad_amounts():
    standard = replace(BASE, is_ls_cap_per_person=True)
    result = calculate("LS", standard, requested="4680", persons=2)  # 780 × 2 × 3
    assert not result.needs_county_decision and "780.00 × 2人 × 3" in result.formula
    assert calculate("LS", BASE, requested="0").refusal
    with pytest.raises(TypeError):
        calculate("LS", BASE, requested=100.5)
    with pytest.raises(ValueError):
        calculate("LS", BASE, requested="abc")


@pytest.mark.parametrize("income,eligible", [
    ("780.00", True),  # at the 低保 standard: not 低保, under 1.5 × 780 = 1170
    ("1169.99", True),
    ("1170.00", False),
    ("500.00", False),  # eligible for 低保 instead
])
def test_by_recognition(income, eligible):
    result = calculate("BY", BASE, per_capita_income=income)
    assert result.amount == D("0.00") and result.is_eligible is eligible and not result.monthly


def test_by_with_db_refused_for_assets():
    assert calculate("BY", BASE, per_capita_income="500", db_eligible=False).is_eligible


@pytest.mark.parametrize("decided,start", [
    (date(2026, 10, 9), date(2026, 11, 1)),
    (date(2026, 12, 31), date(2027, 1, 1)),
    (date(2026, 1, 1), date(2026, 2, 1)),
])
def test_payment_starts_next_month(decided, start):
    assert payment_start_month(decided) == start


def test_bad_inputs():
    with pytest.raises(ValueError):
        calculate("DB", BASE, per_capita_income="-1", persons=1)
    with pytest.raises(ValueError):
        calculate("DB", BASE, per_capita_income="1", persons=0)
    assert calculate("DB", BASE, per_capita_income="1", persons=1).as_dict()["amount"] == "779.00"
