"""Filters for official documents: money, Chinese capital money, Chinese dates, placeholders.

They are plain functions so the sandboxed template environment, the web pages and the tests
share one definition.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_PLACEHOLDER = "/"

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")


def is_empty(value) -> bool:
    """None, empty strings and empty collections print as the placeholder."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False


def to_decimal(value) -> Decimal | None:
    if is_empty(value):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # never produced by Jiuzhu, but tolerate uploaded sample data
        value = repr(value)
    try:
        return Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return None


def fen_to_yuan(fen: int | None) -> Decimal | None:
    """Amounts are stored as integer fen; documents print yuan."""
    if fen is None:
        return None
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def money(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """¥1,234.00"""
    amount = to_decimal(value)
    if amount is None:
        return placeholder if is_empty(value) else str(value)
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def _section_capital(number: int) -> str:
    """0 < number < 10000 in capitals, with inner zeros (壹仟零伍)."""
    out, pending_zero = "", False
    for power in range(3, -1, -1):
        digit = number // 10 ** power % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += _DIGITS[digit] + _UNITS[power]
    return out


def capital_money(value, placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """Chinese capital amount as written on vouchers: 1234 → 壹仟贰佰叁拾肆元整."""
    amount = to_decimal(value)
    if amount is None:
        return placeholder if is_empty(value) else str(value)
    fen = int((abs(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    prefix = "负" if amount < 0 and fen else ""
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text, pending_zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        pending_zero = False
        text += _section_capital(group) + _SECTIONS[index]
    if not text and not rest:
        return prefix + "零元整"
    if text:
        text += "元"
    if not rest:
        return prefix + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if cents:
        text += _DIGITS[cents] + "分"
    return prefix + text


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
