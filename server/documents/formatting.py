"""Filters for official documents: money, Chinese capital money, Chinese dates, placeholders.

They are plain functions so the sandboxed template environment, the web pages and the tests
share one definition.
"""
from __future__ import annotations

from .. import money as _money
from ..periods import as_date

DEFAULT_PLACEHOLDER = "/"


def is_empty(value) -> bool:
    """None, empty strings and empty collections print as the placeholder."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False


def money(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """¥1,234.00; a value that is not an amount raises ``MoneyError`` (Chinese message)."""
    return placeholder if is_empty(value) else _money.display(value, allow_negative=False)


def capital_money(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """Chinese capital amount as written on vouchers: 1234 → 壹仟贰佰叁拾肆元整."""
    return placeholder if is_empty(value) else _money.capitals(value, allow_negative=False)


def cn_date(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """2026年11月24日"""
    day = as_date(value)
    if day is None:
        return placeholder if is_empty(value) else str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """2026年11月"""
    day = as_date(value)
    if day is None:
        return placeholder if is_empty(value) else str(value)
    return f"{day.year}年{day.month}月"
