"""Money, capital money and date filters."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from server.documents import formatting


@pytest.mark.parametrize("value,expected", [
    (Decimal("1234"), "壹仟贰佰叁拾肆元整"),
    (Decimal("1234.56"), "壹仟贰佰叁拾肆元伍角陆分"),
    (Decimal("1004.05"), "壹仟零肆元零伍分"),
    (Decimal("10"), "壹拾元整"),
    (Decimal("100000"), "壹拾万元整"),
    (Decimal("100200"), "壹拾万零贰佰元整"),
    (Decimal("20001"), "贰万零壹元整"),
    (Decimal("0.5"), "伍角"),
    (Decimal("0"), "零元整"),
    (Decimal("3000.10"), "叁仟元壹角"),
    ("1120.00", "壹仟壹佰贰拾元整"),
])
def test_capital_money(value, expected):
    assert formatting.capital_money(value) == expected


@pytest.mark.parametrize("value,expected", [
    (Decimal("1234"), "¥1,234.00"), ("1234567.891", "¥1,234,567.89"), (0, "¥0.00"),
    (None, "/"), ("", "/"),
])
def test_money(value, expected):
    assert formatting.money(value) == expected


def test_dates_and_placeholder():
    assert formatting.cn_date(date(2026, 11, 24)) == "2026年11月24日"
    assert formatting.cn_date(datetime(2026, 1, 5, 10)) == "2026年1月5日"
    assert formatting.cn_date("2026-03-01") == "2026年3月1日"
    assert formatting.cn_month(date(2026, 12, 1)) == "2026年12月"
    assert formatting.cn_date(None, "—") == "—"
    assert formatting.capital_money(None, "—") == "—"
