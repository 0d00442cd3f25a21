"""Money: the one place that parses, converts, rounds, formats and writes capitals.

Ground floor: imports nothing from the rooms, every room uses it. Amounts are stored as
integer fen and computed as ``Decimal`` yuan; a float never takes part in arithmetic.

The rules, the same on every path (forms, API, bank rosters, standards, documents):

- Input: ``str``, ``int``, ``Decimal`` or ``float`` (read through ``repr``, so 12.345 is
  "12.345"). Text is NFKC-normalised (full-width digits ``１２３`` and ``，．－￥`` become ASCII),
  spaces, thousands separators, a leading ``¥`` and a trailing ``元`` are dropped. Only plain
  decimal notation is read: NaN, Infinity and exponents (``1e999999``) are refused.
- Rounding: half-up to the fen (0.005 元 → 1 分, 12.345 → 12.35, 12.355 → 12.36,
  99999999.995 → 100000000.00 元 = 10000000000 分). A standard may round its computed
  amounts further (``round_money`` with 元/角/分 and half-up or up).
- Limits: negative amounts are refused unless a caller allows them; more than ``MAX_YUAN``
  (10 亿元, after rounding) is refused as absurd.
- Errors: ``MoneyError`` (a ``ValueError``) with one of the Chinese messages below; callers
  may prefix the field's name, never reword it.
- Output: ``display`` ¥1,234.00, ``plain`` 1234.00, ``capitals`` 壹仟贰佰叁拾肆元整.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from flask_babel import lazy_gettext as _l

CENT = Decimal("0.01")
MAX_YUAN = Decimal("1000000000")  # 10 亿元: far above any relief figure, far below overflow
MAX_TEXT = 40  # characters: longer input is not an amount anyone typed

# refusals, in the reader's language (an amount's error shows wherever money is typed)
BAD = _l("The amount is not a number: write digits, e.g. 1234.50")
NEGATIVE = _l("The amount cannot be negative")
TOO_LARGE = _l("The amount is too large: at most 1 billion yuan")
EMPTY = _l("Enter an amount")

UNITS = {"yuan": Decimal("1"), "jiao": Decimal("0.1"), "fen": CENT}
UNIT_LABELS = {"yuan": "元", "jiao": "角", "fen": "分"}
MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_UP}
MODE_LABELS = {"half_up": "四舍五入", "up": "进位"}

_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")


class MoneyError(ValueError):
    """Input that is not an amount; ``str(exc)`` is the Chinese message for the user."""


def parse_number(value, *, suffixes: tuple[str, ...] = ("元",)) -> Decimal | None:
    """A finite Decimal from what a person or a file gave, unrounded; None when empty.

    Shared by amounts and by other plain numbers typed in the same way (factors)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise MoneyError(BAD)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        text = repr(value) if isinstance(value, float) else str(value)
        text = "".join(unicodedata.normalize("NFKC", text).split()).replace(",", "")
        if not text:
            return None
        text = text.removeprefix("¥")
        for suffix in suffixes:
            text = text.removesuffix(suffix)
        if len(text) > MAX_TEXT or not _PLAIN.fullmatch(text):
            raise MoneyError(BAD)
        number = Decimal(text)
    if not number.is_finite():
        raise MoneyError(BAD)
    if number and number.adjusted() > 20:  # refuse before any quantize can overflow
        raise MoneyError(TOO_LARGE)
    return number


def parse_yuan(value, *, allow_negative: bool = False) -> Decimal | None:
    """Yuan rounded half-up to the fen, within the limits; None when empty."""
    number = parse_number(value)
    if number is None:
        return None
    amount = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0 and not allow_negative:
        raise MoneyError(NEGATIVE)
    if abs(amount) > MAX_YUAN:
        raise MoneyError(TOO_LARGE)
    return amount + 0  # -0.00 → 0.00


def yuan_to_fen(value, *, allow_negative: bool = False) -> int | None:
    """Integer fen of a yuan amount (parsed and rounded as ``parse_yuan``); None when empty."""
    amount = parse_yuan(value, allow_negative=allow_negative)
    return None if amount is None else int(amount.scaleb(2))


def fen_to_yuan(fen) -> Decimal | None:
    """Stored integer fen as Decimal yuan with two places."""
    if fen is None:
        return None
    return Decimal(int(fen)).scaleb(-2).quantize(CENT)


def round_money(value: Decimal, unit: str = "fen", mode: str = "half_up") -> Decimal:
    """A computed amount rounded by a standard's rule (元/角/分, half-up or up), kept to fen."""
    return value.quantize(UNITS[unit], rounding=MODES[mode]).quantize(CENT)


def _amount(value, allow_negative: bool) -> Decimal:
    amount = parse_yuan(value, allow_negative=allow_negative)
    if amount is None:
        raise MoneyError(EMPTY)
    return amount


def plain(value, *, allow_negative: bool = True) -> str:
    """``1234.00``: for tables, exports and formulas."""
    return f"{_amount(value, allow_negative):.2f}"


def display(value, *, allow_negative: bool = True) -> str:
    """``¥1,234.00`` (``-¥5.00`` when negatives are allowed)."""
    amount = _amount(value, allow_negative)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


def fen_text(fen) -> str:
    """Stored fen as ``1234.00`` (0.00 for none): the pages' ``yuan`` template global."""
    return f"{fen_to_yuan(fen or 0):.2f}"


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


def capitals(value, *, allow_negative: bool = True) -> str:
    """Chinese capital amount as written on vouchers: 1234 → 壹仟贰佰叁拾肆元整."""
    amount = _amount(value, allow_negative)
    fen = int(abs(amount).scaleb(2))
    prefix = "负" if amount < 0 else ""
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
