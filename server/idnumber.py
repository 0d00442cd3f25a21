"""Resident ID numbers (GB 11643-1999): check character, birth date, sex, masking."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from .periods import local_today

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    """The message (lazy, in the reader's language) is fit to show next to the field."""


BAD_SHAPE = _l("An ID number has 18 characters: 17 digits and a last digit or X")
NO_SUCH_BIRTH_DATE = _l("The birth date in the ID number does not exist")
IMPLAUSIBLE_BIRTH_DATE = _l("The birth date in the ID number is not plausible")
BAD_CHECK_CHARACTER = _l("The ID number's check character is wrong: check it for a typing error")
MESSAGES = (BAD_SHAPE, NO_SUCH_BIRTH_DATE, IMPLAUSIBLE_BIRTH_DATE, BAD_CHECK_CHARACTER)


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate(value: str, today: date | None = None) -> str:
    """Return the normalized number or raise InvalidIdNumber with a message for the user."""
    value = normalize(value)
    if not SHAPE.match(value):
        raise InvalidIdNumber(BAD_SHAPE)
    try:
        born = birth_date(value)
    except ValueError:
        raise InvalidIdNumber(NO_SUCH_BIRTH_DATE) from None
    if born > (today or local_today()) or born.year < 1900:
        raise InvalidIdNumber(IMPLAUSIBLE_BIRTH_DATE)
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber(BAD_CHECK_CHARACTER)
    return value


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidIdNumber:
        return False
    return True


def birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex(value: str) -> str:
    """'M' (odd sequence digit) or 'F'."""
    return "M" if int(value[16]) % 2 else "F"


def mask(value: str | None) -> str:
    """``220102********1234`` style: keep the first 6 and last 4 characters (the one masker:
    pages, lists, API and documents); anything shorter than 10 is all stars."""
    value = normalize(value or "")
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def make(address6: str, born: date, sequence: int) -> str:
    """Build a valid number (demo data, tests): sequence 0–999, odd for male."""
    first17 = f"{address6}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
