"""Filters for official documents: money, Chinese capital money, Chinese dates, placeholders.

They are plain functions so the sandboxed template environment, the web pages and the tests
share one definition.
"""
from __future__ import annotations

from datetime import date, datetime

from .. import money as _money

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


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def cn_date(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """2026年11月24日"""
    day = _as_date(value)
    if day is None:
        return placeholder if is_empty(value) else str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """2026年11月"""
    day = _as_date(value)
    if day is None:
        return placeholder if is_empty(value) else str(value)
    return f"{day.year}年{day.month}月"


def mask_id(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """220102********1234: for lists on screen; public notices get no ID at all."""
    if is_empty(value):
        return placeholder
    value = str(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else value
