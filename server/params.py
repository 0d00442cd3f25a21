"""Edge validation of request parameters: integers, pages, ids, dates and months in sane ranges.

Every view reads its query parameters and simple form numbers through these helpers, so a
hostile value (``page=10**20``, ``month=9999-12``, ``start=0001-01-01``, ``number=abc``) is a
400 with a message in the user's language (the JSON error shape in the API), never an overflow or a 500.
Money is not parsed here (server/money.py).
"""
from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

MIN_YEAR, MAX_YEAR = 1900, 2100
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
MAX_ID = 2**31 - 1  # a database integer, as in the URL converter
MAX_PAGE = 100_000
MAX_TEXT = 10_000


class BadParameter(BadRequest):
    """A request parameter that is malformed or out of range; the message is for the user."""

    def __init__(self, name: str, message):
        message = str(message)  # a lazy message in the request's language, JSON-serialisable
        self.parameter = name
        self.user_message = message
        super().__init__(description=message)
        self.data = {"message": message, "errors": [{"path": name, "message": message}]}


def _raw(name: str, source) -> str:
    source = request.args if source is None else source
    return (source.get(name) or "").strip()


def to_int(name: str, text: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """Parse a decimal integer in [minimum, maximum]; BadParameter otherwise."""
    text = (text or "").strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise BadParameter(name, _("%(name)s must be a whole number", name=name))
    if len(digits) > 20 or not minimum <= int(text) <= maximum:
        raise BadParameter(name, _("%(name)s must be from %(minimum)s to %(maximum)s", name=name,
                                             minimum=minimum, maximum=maximum))
    return int(text)


def int_arg(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_ID,
            source=None) -> int | None:
    """An optional integer parameter (query string unless ``source`` is given, e.g. request.form)."""
    text = _raw(name, source)
    return default if text == "" else to_int(name, text, minimum=minimum, maximum=maximum)


def id_arg(name: str, source=None) -> int | None:
    """An optional database id: a positive integer that fits the column."""
    return int_arg(name, None, minimum=1, maximum=MAX_ID, source=source)


def page_arg(name: str = "page", source=None) -> int:
    """A page number, 1 by default."""
    return int_arg(name, 1, minimum=1, maximum=MAX_PAGE, source=source)


def check_day(day: date, name: str = "date") -> date:
    """A date within the years the office can mean (1900–2100)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadParameter(name, _("A date must be in the years %(first)s to %(last)s",
                                             first=MIN_YEAR, last=MAX_YEAR))
    return day


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def to_date(name: str, text: str) -> date:
    """``2026-03-01`` (also with / or .) → a date in range; BadParameter otherwise."""
    cleaned = (text or "").strip().replace("/", "-").replace(".", "-")
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise BadParameter(name, _("%(name)s must be a date, as 2026-01-01", name=name)) from None
    return check_day(day, name)


def date_arg(name: str, default: date | None = None, source=None) -> date | None:
    text = _raw(name, source)
    return default if text == "" else to_date(name, text)


def to_month(name: str, text: str) -> date:
    """``2026-03`` → date(2026, 3, 1), years 1900–2100; BadParameter otherwise."""
    parts = (text or "").strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 4 for p in parts):
        raise BadParameter(name, _("%(name)s must be a month, as 2026-03", name=name))
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise BadParameter(name, _("%(name)s must be a month, as 2026-03", name=name))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParameter(name, _("A month must be in the years %(first)s to %(last)s",
                                             first=MIN_YEAR, last=MAX_YEAR))
    return date(year, month, 1)


def month_arg(name: str = "month", default: date | None = None, source=None) -> date | None:
    """An optional month parameter, the first day of that month."""
    text = _raw(name, source)
    return default if text == "" else to_month(name, text)


UNSAFE_CODEPOINTS = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F}


def bad_character(text: str) -> str | None:
    """Why a submitted string cannot be stored, or None: a lone surrogate or a control character
    (tab, line feed and carriage return are fine: text areas have lines)."""
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return _("holds an invalid character (a lone surrogate)")
        if code in UNSAFE_CODEPOINTS:
            return _("holds a control character")
    return None


def find_bad_strings(value, path: str = "") -> list[dict]:
    """Every string in a JSON value (keys too) that :func:`bad_character` refuses, by path."""
    out = []
    if isinstance(value, str):
        problem = bad_character(value)
        if problem:
            out.append({"path": path, "message": problem})
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and bad_character(key):
                out.append({"path": sub, "message": bad_character(key)})
            out.extend(find_bad_strings(item, sub))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(find_bad_strings(item, f"{path}[{index}]"))
    return out


def accept_language() -> str | None:
    """The API's language: the request's Accept-Language (zh_CN or en), None if neither."""
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    return "zh_CN" if best == "zh" else best


def check_request_text() -> None:
    """before_request hook: refuse control characters and lone surrogates in any query
    parameter, form field or JSON body string, before a view can store or echo them."""
    if request.path.startswith("/api/"):
        # the API speaks the Accept-Language, which it adopts only with the token (not read yet)
        from flask import current_app
        from flask_babel import force_locale

        with force_locale(accept_language() or current_app.config["BABEL_DEFAULT_LOCALE"]):
            return _refuse_bad_text()
    return _refuse_bad_text()


def _refuse_bad_text() -> None:
    errors = []
    for location, source in (("query", request.args), ("form", request.form)):
        for key, value in source.items(multi=True):
            problem = bad_character(key) or bad_character(value)
            if problem:
                errors.append({"path": key if not bad_character(key) else location,
                               "message": problem})
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            errors.extend(find_bad_strings(body))
    if errors:
        where = errors[0]["path"] or _("input")
        message = f"{where} {errors[0]['message']}"
        exc = BadParameter(errors[0]["path"], message)
        exc.code = 422 if request.path.startswith("/api/") else 400
        exc.data = {"message": _("Some input is wrong: check the marked fields"), "errors": errors}
        raise exc


def to_period(name: str, text: str):
    """``2026`` (year), ``2026-Q1`` (quarter) or ``2026-03`` (month) → a ``periods.Period``."""
    from .periods import Period

    cleaned = (text or "").strip().upper()
    if not cleaned.isascii():
        cleaned = "?"  # full-width digits pass isdigit() and int(); the form wants ASCII
    message = _("%(name)s must be a year, a quarter or a month, as 2026, 2026-Q1 or 2026-03",
                name=name)
    year_text, _dash, rest = cleaned.partition("-")
    if not (year_text.isdigit() and len(year_text) == 4):
        raise BadParameter(name, message)
    year = int(year_text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParameter(name, _("%(name)s must be in the years %(first)s to %(last)s",
                                             name=name, first=MIN_YEAR, last=MAX_YEAR))
    if not rest:
        return Period("year", date(year, 1, 1))
    if rest[:1] == "Q":
        if rest[1:] not in ("1", "2", "3", "4"):
            raise BadParameter(name, message)
        return Period("quarter", date(year, (int(rest[1:]) - 1) * 3 + 1, 1))
    return Period("month", to_month(name, cleaned))


def period_arg(name: str = "period", default=None, source=None):
    """An optional period parameter (see :func:`to_period`)."""
    text = _raw(name, source)
    return default if text == "" else to_period(name, text)
