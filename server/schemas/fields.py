"""Field types: one class per type, registered by its stable name (``FIELD_TYPES``).

A type knows its extra options (checked at load time), how to turn a submitted value (form
string or JSON) into a clean JSON value (``parse``, raising FieldError with a Chinese message),
and which value expressions see (``expr_value``). Adding a type is adding one class here.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import idnumber, money
from ..i18n import in_page_language
from ..periods import local_today
from .wording import joined


class FieldError(ValueError):
    """A submitted value is not acceptable; the message is shown next to the field."""


FIELD_TYPES: dict[str, type[FieldType]] = {}


def register(cls):
    FIELD_TYPES[cls.name] = cls
    return cls


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}


class FieldType:
    """Base: a single text-like value."""

    name = ""
    label = ""  # the name of the type, for the builder (a msgid)
    options: dict[str, type | tuple] = {}  # option name -> accepted Python type(s)
    is_group = False
    is_numeric = False

    def __init__(self, spec: dict):
        self.spec = spec

    def check_options(self) -> list[tuple[str, str]]:
        """(option, message) problems beyond the JSON Schema: ranges, consistency."""
        return []

    def parse(self, raw, ctx: dict):
        """Clean JSON value for a non-blank submitted value, or FieldError."""
        return str(raw).strip() if not isinstance(raw, str) else raw.strip()

    def expr_value(self, value):
        """The value expressions see for a clean value."""
        return value

    def default(self):
        return self.spec.get("default")

    def choices(self, ctx: dict) -> list[tuple[str, str]] | None:
        return None

    def client(self, ctx: dict) -> dict:
        """Type-specific data the browser runtime needs (e.g. choices)."""
        return {}

    # WTForms: the field class and its keyword arguments (server/schemas/wtf.py builds forms)
    def wtf_field(self, ctx: dict):
        from wtforms import StringField

        return StringField, {}


def wtf_choices(pairs, blank: bool = False) -> list:
    """(value, label) pairs as WTForms choices (SelectChoice where WTForms has it)."""
    try:
        from wtforms import SelectChoice
    except ImportError:  # WTForms < 3.3 takes tuples
        return ([("", _l("Please choose"))] if blank else []) + list(pairs)
    return [SelectChoice(v, label)
            for v, label in ([("", _l("Please choose"))] if blank else []) + list(pairs)]


DIGIT_RUN = re.compile(r"\d{4,}")  # \d is Unicode: full-width digits count too
LINE_BREAKS = frozenset("\n\r\t")


def is_name_field(spec: dict) -> bool:
    """A person's name: the field has a name role, or is called ``name`` / ``*_name`` (bank
    names excepted)."""
    from .roles import NAME_ROLES

    name = str(spec.get("name", ""))
    return spec.get("role") in NAME_ROLES or (
        name == "name" or name.endswith("_name")) and not name.startswith("bank")


def check_characters(value: str, *, multiline: bool = False, is_name: bool = False) -> None:
    """Refuse what no typed text holds: lone surrogates and control characters (line breaks
    allowed in long text); in names also invisible format characters and runs of digits."""
    import unicodedata

    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise FieldError(_("It holds an invalid character: enter it again"))
        if (category == "Cc" and not (multiline and char in LINE_BREAKS)) or (
                is_name and category == "Cf"):
            raise FieldError(_("It holds an invisible control character: enter it again"))
    if is_name and DIGIT_RUN.search(value):
        raise FieldError(_("A name cannot hold a run of digits (was an ID number or a bank "
                           "account entered by mistake?)"))


def _text_limits(spec, value: str):
    if "min_length" in spec and len(value) < spec["min_length"]:
        raise FieldError(_("At least %(count)s characters", count=spec["min_length"]))
    if "max_length" in spec and len(value) > spec["max_length"]:
        raise FieldError(_("At most %(count)s characters", count=spec["max_length"]))


@register
class Text(FieldType):
    name = "text"
    label = _l("Single-line text")
    options = {"min_length": int, "max_length": int, "pattern": str, "pattern_message": str,
               "pattern_message_en": str}
    MAX = 200
    multiline = False

    def check_options(self):
        problems = []
        if "pattern" in self.spec:
            try:
                re.compile(self.spec["pattern"])
            except re.error as exc:
                problems.append(("pattern", _("The regular expression is wrong: %(problem)s",
                                                problem=exc)))
        return problems

    def parse(self, raw, ctx):
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise FieldError(_("Must be text"))
        value = str(raw).strip()
        check_characters(value, multiline=self.multiline, is_name=is_name_field(self.spec))
        if len(value) > self.spec.get("max_length", self.MAX):
            raise FieldError(_("At most %(count)s characters",
                                count=self.spec.get("max_length", self.MAX)))
        _text_limits(self.spec, value)
        if "pattern" in self.spec and not re.fullmatch(self.spec["pattern"], value):
            raise FieldError(in_page_language(self.spec.get("pattern_message", ""),
                                              self.spec.get("pattern_message_en", ""))
                             or _("The format is not right"))
        return value


@register
class LongText(Text):
    name = "long_text"
    label = _l("Multi-line text")
    options = {"min_length": int, "max_length": int}
    MAX = 5000
    multiline = True

    def wtf_field(self, ctx):
        from wtforms import TextAreaField

        return TextAreaField, {}


class Number(FieldType):
    is_numeric = True
    options = {"min": (int, float, str), "max": (int, float, str)}
    places = 0

    def check_options(self):
        problems = []
        for key in ("min", "max", "default"):
            if key in self.spec:
                try:
                    self._number(self.spec[key])
                except FieldError as exc:
                    problems.append((key, str(exc)))
        return problems

    def _number(self, raw) -> Decimal:
        if isinstance(raw, bool):
            raise FieldError(_("Must be a number"))
        text = repr(raw) if isinstance(raw, float) else str(raw).strip().replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise FieldError(str(self.bad_message)) from None
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            raise FieldError(str(self.bad_message))
        if value != value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP):
            raise FieldError(str(self.places_message))
        return value.quantize(Decimal(1).scaleb(-self.places))

    def parse(self, raw, ctx):
        value = self._number(raw)
        if "min" in self.spec and value < self._number(self.spec["min"]):
            raise FieldError(_("Must not be less than %(limit)s", limit=self.spec["min"]))
        if "max" in self.spec and value > self._number(self.spec["max"]):
            raise FieldError(_("Must not be more than %(limit)s", limit=self.spec["max"]))
        return self.to_json(value)

    def expr_value(self, value):
        return None if value is None else Decimal(str(value))

    def wtf_field(self, ctx):
        from wtforms import StringField

        return StringField, {"render_kw": {"inputmode": "decimal" if self.places else "numeric"}}


@register
class Integer(Number):
    name = "integer"
    label = _l("Whole number")
    bad_message = places_message = _l("Enter a whole number")

    def to_json(self, value: Decimal):
        return int(value)


@register
class Money(Number):
    """Yuan rounded half-up to the fen (``server.money``), stored as a string, never a float.

    Negative amounts are refused unless the field's ``min`` is below zero."""

    name = "money"
    label = _l("Amount (yuan)")
    places = 2

    def _number(self, raw) -> Decimal:
        try:
            value = money.parse_yuan(raw, allow_negative=True)
        except money.MoneyError as exc:
            raise FieldError(str(exc)) from None
        if value is None:
            raise FieldError(money.EMPTY)
        return value

    def parse(self, raw, ctx):
        value = self._number(raw)
        if value < 0 and not ("min" in self.spec and self._number(self.spec["min"]) < 0):
            raise FieldError(money.NEGATIVE)
        return super().parse(raw, ctx)

    def to_json(self, value: Decimal):
        return money.plain(value)


@register
class Date(FieldType):
    name = "date"
    label = _l("Date")
    options = {"min": str, "max": str, "not_future": bool}

    def check_options(self):
        problems = []
        for key in ("min", "max", "default"):
            if key in self.spec and self.spec[key] != "today":
                try:
                    date.fromisoformat(str(self.spec[key]))
                except ValueError:
                    problems.append((key, _("A date is written YYYY-MM-DD")))
        return problems

    def _bound(self, key, ctx):
        text = self.spec[key]
        return ctx["today"] if text == "today" else date.fromisoformat(str(text))

    def parse(self, raw, ctx):
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise FieldError(_("Write the date as YYYY-MM-DD, e.g. 2026-03-01")) from None
        if "min" in self.spec and value < self._bound("min", ctx):
            raise FieldError(_("Must not be before %(day)s",
                                day=self._bound("min", ctx).isoformat()))
        if "max" in self.spec and value > self._bound("max", ctx):
            raise FieldError(_("Must not be after %(day)s",
                                day=self._bound("max", ctx).isoformat()))
        if self.spec.get("not_future") and value > ctx["today"]:
            raise FieldError(_("Must not be after today"))
        return value.isoformat()

    def default(self):
        value = self.spec.get("default")
        return local_today().isoformat() if value == "today" else value

    def wtf_field(self, ctx):
        from wtforms import StringField
        from wtforms.widgets import DateInput

        return StringField, {"widget": DateInput()}


def choice_pairs(spec) -> list[tuple[str, str]]:
    pairs = []
    for c in spec.get("choices") or []:
        if isinstance(c, dict):
            pairs.append((str(c.get("value")), str(c.get("label", c.get("value")))))
        else:
            pairs.append((str(c), str(c)))
    return pairs


@register
class Choice(FieldType):
    name = "choice"
    label = _l("Single choice")
    options = {"choices": list}

    def check_options(self):
        values = [v for v, _ in choice_pairs(self.spec)]
        if not values:
            return [("choices", _("At least one choice is needed"))]
        if len(set(values)) != len(values):
            return [("choices", _("A choice is listed twice"))]
        return []

    def choices(self, ctx):
        return choice_pairs(self.spec)

    def parse(self, raw, ctx):
        value = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) \
            else None
        if value not in {v for v, _ in self.choices(ctx)}:
            raise FieldError(_("Choose from the list"))
        return value

    def client(self, ctx):
        return {"choices": [{"value": v, "label": label} for v, label in self.choices(ctx)]}

    def wtf_field(self, ctx):
        from wtforms import SelectField

        return SelectField, {"choices": wtf_choices(self.choices(ctx), blank=True),
                             "validate_choice": False}


@register
class MultiChoice(Choice):
    name = "multi_choice"
    label = _l("Multiple choice")
    options = {"choices": list, "min_selected": int, "max_selected": int}

    def parse(self, raw, ctx):
        items = raw if isinstance(raw, list) else [raw]
        allowed = {v for v, _ in self.choices(ctx)}
        values = []
        for item in items:
            value = str(item).strip()
            if value not in allowed:
                raise FieldError(_("'%(value)s' is not one of the choices", value=value))
            if value not in values:
                values.append(value)
        if len(values) < self.spec.get("min_selected", 0):
            raise FieldError(_("Choose at least %(count)s", count=self.spec["min_selected"]))
        if "max_selected" in self.spec and len(values) > self.spec["max_selected"]:
            raise FieldError(_("Choose at most %(count)s", count=self.spec["max_selected"]))
        return values

    def wtf_field(self, ctx):
        from wtforms import SelectMultipleField

        return SelectMultipleField, {"choices": wtf_choices(self.choices(ctx)),
                                     "validate_choice": False}


YES = {"yes", "y", "true", "1", "是", "on"}
NO = {"no", "n", "false", "0", "否", "off"}


@register
class YesNo(FieldType):
    name = "yes_no"
    label = _l("Yes/no")

    def parse(self, raw, ctx):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise FieldError(_("Choose \"Yes\" or \"No\""))

    def choices(self, ctx):
        return [("yes", _l("Yes")), ("no", _l("No"))]

    def wtf_field(self, ctx):
        from wtforms import RadioField

        return RadioField, {"choices": wtf_choices(self.choices(ctx)), "validate_choice": False}


@register
class IdNumber(FieldType):
    """GB 11643 resident ID: check character verified; birth date and sex derived."""

    name = "id_number"
    label = _l("ID number")

    def parse(self, raw, ctx):
        try:
            return idnumber.validate(str(raw), today=ctx["today"])
        except idnumber.InvalidIdNumber as exc:
            raise FieldError(str(exc)) from None

    @staticmethod
    def derived(value: str) -> dict:
        return {"birth_date": idnumber.birth_date(value).isoformat(), "sex": idnumber.sex(value)}


MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
PHONE_KINDS = {"mobile": (MOBILE,), "landline": (LANDLINE,), "any": (MOBILE, LANDLINE)}
PHONE_MESSAGES = {
    "mobile": _l("Enter an 11-digit mobile number"),
    "landline": _l("Enter a landline number, e.g. 0431-12345678"),
    "any": _l("Enter an 11-digit mobile number or a landline number with its area code"),
}


@register
class Phone(FieldType):
    name = "phone"
    label = _l("Telephone")
    options = {"kind": str}

    def check_options(self):
        if self.spec.get("kind", "any") not in PHONE_KINDS:
            return [("kind", _("Must be mobile, landline or any"))]
        return []

    def parse(self, raw, ctx):
        value = re.sub(r"[\s()（）]", "", str(raw)).removeprefix("+86")
        if not any(p.match(value) for p in PHONE_KINDS[self.spec.get("kind", "any")]):
            raise FieldError(str(PHONE_MESSAGES[self.spec.get("kind", "any")]))
        return value


@register
class Village(FieldType):
    """A village/community code; choices are the villages under the user's region."""

    client = Choice.client  # rendered like a single choice
    wtf_field = Choice.wtf_field

    name = "village"
    label = _l("Village (community)")

    def choices(self, ctx):
        return [(v.code, v.name) for v in ctx.get("villages") or []]

    def parse(self, raw, ctx):
        value = str(raw).strip()
        if ctx.get("villages") is None:  # no user: only the shape is checked
            if not re.fullmatch(r"\d{12}", value):
                raise FieldError(_("Choose a village (community)"))
            return value
        if value not in {code for code, _ in self.choices(ctx)}:
            raise FieldError(_("Choose a village (community) of your area"))
        return value


@register
class BankAccount(FieldType):
    name = "bank_account"
    label = _l("Bank account")
    options = {"bank": str}

    def parse(self, raw, ctx):
        value = re.sub(r"[\s-]", "", str(raw))
        if not re.fullmatch(r"\d{12,30}", value):
            raise FieldError(_("A bank account has 12 to 30 digits"))
        return value


# content signatures: the declared type or file name is never trusted
MAGIC = {
    "pdf": (b"%PDF-", "application/pdf"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
}
MAX_UPLOAD = 20 * 1024 * 1024


SUFFIXES = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


def sniff(data: bytes) -> str | None:
    return next((kind for kind, (magic, _) in MAGIC.items() if data.startswith(magic)), None)


def check_pdf(data: bytes) -> None:
    """A PDF is accepted only if it parses (a file that merely starts with %PDF- would later
    block the case's archive)."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # noqa: BLE001 - any parser failure means the same to the clerk
        pages = 0
    if pages < 1:
        raise FieldError(_("The PDF is damaged or cannot be read: scan or export it again and "
                           "upload it"))


def stored_name(value: dict) -> str | None:
    """Where an uploaded scan is kept, relative to the data directory: by content hash, with
    the suffix of its sniffed kind (``uploads/<sha256>.png``). None if ``value`` is no file."""
    if not isinstance(value, dict) or value.get("kind") not in SUFFIXES \
            or not isinstance(value.get("sha256"), str):
        return None
    return f"uploads/{value['sha256']}{SUFFIXES[value['kind']]}"


@register
class File(FieldType):
    """A scan (PDF/JPEG/PNG), checked by content; the clean value describes the stored bytes."""

    name = "file"
    label = _l("File (scan)")
    options = {"accept": list, "max_size": int}

    def check_options(self):
        problems = []
        if any(a not in MAGIC for a in self.spec.get("accept", [])):
            problems.append(("accept", _("Can only be %(kinds)s", kinds=", ".join(MAGIC))))
        if not 0 < self.spec.get("max_size", MAX_UPLOAD) <= MAX_UPLOAD:
            problems.append(("max_size", _("Must be from 1 to %(limit)s bytes",
                                                  limit=MAX_UPLOAD)))
        return problems

    def parse(self, raw, ctx):
        accept = self.spec.get("accept") or list(MAGIC)
        limit = self.spec.get("max_size", MAX_UPLOAD)
        if isinstance(raw, dict):  # an upload made earlier (API upload, saved draft): by id
            return self._uploaded(raw, ctx, accept, limit)
        name = getattr(raw, "filename", None) or "upload"
        if hasattr(raw, "read"):
            data = raw.read(limit + 1)
        elif isinstance(raw, (bytes, bytearray)):
            data = bytes(raw)
        else:
            raise FieldError(_("Upload a file"))
        if len(data) > limit:
            raise FieldError(_("The file must not be larger than %(size)s MB",
                               size=limit // 1024 // 1024 or 1))
        if not data:
            raise FieldError(_("The uploaded file is empty"))
        kind = sniff(data)
        if kind not in accept:
            raise FieldError(_("The file's content is not %(kinds)s (judged by the content, "
                               "not the file name's extension)",
                               kinds=joined(a.upper() for a in accept)))
        if kind == "pdf":
            check_pdf(data)
        digest = hashlib.sha256(data).hexdigest()
        ctx.setdefault("uploads", {})[digest] = data
        return {"name": str(name)[:200], "kind": kind, "content_type": MAGIC[kind][1],
                "size": len(data), "sha256": digest}

    @staticmethod
    def _uploaded(raw: dict, ctx: dict, accept, limit) -> dict:
        """The stored description of an upload the user's region owns; a hash alone, an id
        of another region or a made-up id is refused."""
        upload_id = raw.get("upload_id")
        resolve = ctx.get("resolve_upload")
        if not isinstance(upload_id, int) or isinstance(upload_id, bool) or resolve is None:
            raise FieldError(_("Upload the file first, then refer to it by its upload number "
                               "(upload_id)"))
        found = resolve(upload_id)
        if found is None:
            raise FieldError(_("The uploaded file does not exist or is not of your area: upload "
                               "it again"))
        if found["kind"] not in accept or found["size"] > limit:
            raise FieldError(_("The uploaded file's type or size does not fit this item: upload "
                               "it again"))
        return found

    def expr_value(self, value):
        return value.get("name") if isinstance(value, dict) else None

    def wtf_field(self, ctx):
        from flask_wtf.file import FileField

        accept = ",".join(MAGIC[a][1] for a in self.spec.get("accept") or MAGIC)
        return FileField, {"render_kw": {"accept": accept}}


@register
class Group(FieldType):
    """Repeating rows (household members, income items, obligors) with min/max rows."""

    name = "group"
    label = _l("Repeating group (table)")
    is_group = True
    options = {"fields": list, "min_rows": int, "max_rows": int, "checks": list,
               "row_label": str, "row_label_en": str}
    MAX_ROWS = 50

    def check_options(self):
        low, high = self.spec.get("min_rows", 0), self.spec.get("max_rows", self.MAX_ROWS)
        if not 0 <= low <= high <= self.MAX_ROWS:
            return [("max_rows", _("Must be 0 ≤ min_rows ≤ max_rows ≤ %(limit)s",
                                  limit=self.MAX_ROWS))]
        return []
