"""Writes for standards: validate the admin's input and save it as a new version.

Versions are never edited: a correction is a new version (with the same effective date if need
be; the newest created wins). Validation messages are Chinese, keyed by field name.
"""
from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import money
from ..audit.operations import record
from ..db import db
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from .models import DbMethod, RoundingMode, RoundingUnit, StandardSet, StandardValue

FACTOR_PLACES = Decimal("0.0001")
NATIONAL_TK_FACTOR = Decimal("1.3")  # 民发〔2021〕43号: basic living ≥ 1.3 × 低保标准


@dataclass(frozen=True)
class ValueSpec:
    """One number of a standard set: its column, label, kind and sensible range."""

    name: str
    label: object
    kind: str  # "money" (yuan, 2 places) or "factor" (up to 4 places)
    low: Decimal
    high: Decimal
    is_required: bool = True
    group: str = "db"

    @property
    def unit(self) -> str:
        return _l("yuan/month") if self.kind == "money" else _l("times")

    def show(self, value) -> str:
        if value is None:
            return ""
        return money.plain(value) if self.kind == "money" else f"{Decimal(value).normalize():f}"


def _money(name, label, high="20000", low="0", group="db", required=True):
    return ValueSpec(name, label, "money", Decimal(low), Decimal(high), required, group)


def _factor(name, label, low, high, group):
    return ValueSpec(name, label, "factor", Decimal(low), Decimal(high), True, group)


SPECS: list[ValueSpec] = [
    _money("db_urban", _l("Minimum living standard, urban"), low="1"),
    _money("db_rural", _l("Minimum living standard, rural"), low="1"),
    _money("db_minimum", _l("Minimum monthly amount per person"), high="1000"),
    _factor("tk_basic_factor", _l("Extreme-poverty basic living, multiple of the standard"),
            "1.3", "5", "tk"),
    _money("tk_basic_urban", _l("Extreme-poverty basic living, urban (if fixed)"), group="tk",
           required=False),
    _money("tk_basic_rural", _l("Extreme-poverty basic living, rural (if fixed)"), group="tk",
           required=False),
    _money("care_self", _l("Care standard: fully self-caring"), high="10000", group="tk"),
    _money("care_partial", _l("Care standard: partly dependent"), high="10000", group="tk"),
    _money("care_full", _l("Care standard: fully dependent"), high="10000", group="tk"),
    _factor("ls_township_multiple", _l("Temporary aid: township cap, months of the standard"),
            "0.5", "36", "ls"),
    _factor("ls_max_multiple", _l("Temporary aid: maximum, months of the standard"),
            "1", "60", "ls"),
    _factor("by_factor", _l("Low-income margin: multiple of the standard"), "1.01", "3", "by"),
]
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}
CHOICES = {
    "db_method": [m.value for m in DbMethod],
    "rounding_unit": [u.value for u in RoundingUnit],
    "rounding_mode": [m.value for m in RoundingMode],
}
MAX_BANDS = 10
MAX_NAMED = 50  # named values in one version
NAMED_HIGH = Decimal("100000000")  # yuan: room for yearly figures such as 人均可支配收入
DEFAULT_UNIT = "元/人/月"


class StandardError(Exception):
    """Invalid standard values: ``errors`` maps a field name to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def too_high(high: str):
    return _l("Cannot be more than %(high)s; please check", high=high)


def parse_decimal(text) -> Decimal | None:
    """A factor from what the admin typed ("1.3", "1.5倍", full-width digits), or None."""
    try:
        return money.parse_number(text, suffixes=("倍", "元"))
    except money.MoneyError:
        raise ValueError(_l("Enter a number, such as 780 or 1.3")) from None


def _check_number(spec: ValueSpec, raw) -> Decimal | None:
    """Money by the one money rule (half-up to the fen), factors to four places; then the range."""
    if spec.kind == "money":
        value = money.parse_yuan(raw)
    else:
        value = parse_decimal(raw)
        if value is not None and value != value.quantize(FACTOR_PLACES):
            raise ValueError(_l("A factor has at most four decimal places"))
    if value is None:
        if spec.is_required:
            raise ValueError(_l("Required"))
        return None
    if value < 0:
        raise ValueError(_l("Cannot be negative"))
    if value < spec.low:
        raise ValueError(_l("Cannot be less than %(low)s", low=spec.show(spec.low)))
    if value > spec.high:
        raise ValueError(too_high(spec.show(spec.high)))
    return value if spec.kind == "money" else value.quantize(FACTOR_PLACES)


def parse_bands(text: str) -> list[dict]:
    """Lines ``min_gap,amount`` (per person, yuan) into the stored JSON form."""
    bands, seen = [], set()
    for lineno, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("，", ",")
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2:
            raise ValueError(_l("Line %(line)s should be “lowest gap,amount per person”",
                                line=lineno))
        try:
            min_gap, amount = (money.parse_yuan(part, allow_negative=True) for part in parts)
        except money.MoneyError as exc:
            raise ValueError(_l("Row %(line)s: %(problem)s", line=lineno, problem=str(exc))) from None
        if min_gap is None or amount is None or min_gap < 0 or amount <= 0:
            raise ValueError(_l("Line %(line)s: the lowest gap cannot be negative and the amount "
                                "per person must be over 0", line=lineno))
        if min_gap in seen:
            raise ValueError(_l("Line %(line)s: the lowest gap %(gap)s appears twice", line=lineno,
                                gap=min_gap))
        seen.add(min_gap)
        bands.append({"min_gap": money.plain(min_gap), "amount": money.plain(amount)})
    if len(bands) > MAX_BANDS:
        raise ValueError(_l("At most %(count)s bands", count=MAX_BANDS))
    return sorted(bands, key=lambda b: Decimal(b["min_gap"]), reverse=True)


def bands_text(bands) -> str:
    return "\n".join(f"{b['min_gap']},{b['amount']}" for b in bands or ())


def _effective_from(raw) -> date:
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise ValueError(_l("Enter the date it applies from, as 2026-01-01")) from None
    if day < date(2000, 1, 1) or day > local_today() + timedelta(days=2 * 366):
        raise ValueError(_l("The date it applies from must be after 2000 and within two years"))
    return day


def validate(raw: Mapping) -> dict:
    """Parse and check the admin's input; every problem at once in ``StandardError``."""
    values, errors = {}, {}

    def attempt(name, parse):
        try:
            values[name] = parse()
        except ValueError as exc:
            errors[name] = str(exc)  # in the reader's language (a lazy message)

    attempt("effective_from", lambda: _effective_from(raw.get("effective_from")))
    for spec in SPECS:
        attempt(spec.name, lambda spec=spec: _check_number(spec, raw.get(spec.name)))
    for name, allowed in CHOICES.items():
        value = str(raw.get(name) or allowed[0])
        if value not in allowed:
            errors[name] = _("Choose a valid option")
        values[name] = value
    attempt("db_bands", lambda: parse_bands(raw.get("db_bands") or ""))
    values["named_values"] = _named_values(raw.get("named_values"), errors)
    values["is_ls_cap_per_person"] = bool(raw.get("is_ls_cap_per_person"))
    values["basis"] = str(raw.get("basis") or "").strip()[:200]
    _cross_checks(values, errors)
    if errors:
        raise StandardError(errors)
    return values


def check_value_name(name: str) -> str:
    """A named value's name as rules and formulas write it (an expression identifier)."""
    name = str(name or "").strip()
    if not name:
        raise ValueError(_l("Enter a name"))
    if len(name) > 40:
        raise ValueError(_l("A name has at most 40 characters"))
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_") \
            or name in ("today", "True", "False", "None"):
        raise ValueError(_l("A name may only hold Chinese characters, letters, digits and "
                            "underscores, and may not start with a digit or an underscore "
                            "(rules and formulas refer to it by name)"))
    return name


def _named_values(rows, errors: dict) -> list[dict]:
    """The version's named values, in order; a row with neither name nor amount (or marked
    for removal) is skipped. Errors are keyed ``named_values[i].field`` (the row's index)."""
    if rows is None:
        return []
    if not isinstance(rows, (list, tuple)):
        errors["named_values"] = _("Must be a list")
        return []
    out, seen = [], {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[f"named_values[{i}]"] = _("Must be an object with a name and an amount")
            continue
        if row.get("remove") or (not str(row.get("name") or "").strip()
                                 and not str(row.get("amount") or "").strip()):
            continue
        path = f"named_values[{i}]"
        item = {"unit": str(row.get("unit") or DEFAULT_UNIT).strip()[:20],
                "note": str(row.get("note") or "").strip()[:200]}
        try:
            item["name"] = check_value_name(row.get("name"))
        except ValueError as exc:
            errors[f"{path}.name"] = str(exc)
        else:
            if item["name"] in seen:
                errors[f"{path}.name"] = _("The name “%(name)s” is already used by item "
                                            "%(number)s", name=item["name"],
                                            number=seen[item["name"]] + 1)
            seen.setdefault(item["name"], i)
        try:
            amount = money.parse_yuan(row.get("amount"))
            if amount is None:
                raise ValueError(_l("Enter the amount"))
            if amount > NAMED_HIGH:
                raise ValueError(too_high(money.plain(NAMED_HIGH)))
            item["amount"] = amount
        except (ValueError, money.MoneyError) as exc:
            errors[f"{path}.amount"] = str(exc)
        out.append(item)
    if len(out) > MAX_NAMED:
        errors["named_values"] = _("At most %(count)s items", count=MAX_NAMED)
    return out


def _cross_checks(values: dict, errors: dict) -> None:
    def known(*names):
        return all(values.get(n) is not None and n not in errors for n in names)

    if values.get("db_method") == DbMethod.bands.value and "db_bands" not in errors \
            and not values.get("db_bands"):
        errors["db_bands"] = _("Calculating by bands needs at least one band")
    for category in ("urban", "rural"):
        name, base = f"tk_basic_{category}", f"db_{category}"
        floor = money.round_money(values[base] * NATIONAL_TK_FACTOR) if known(name, base) else None
        if floor is not None and values[name] < floor:
            errors[name] = _("Cannot be below 1.3 times the dibao standard (%(floor)s yuan)",
                             floor=money.plain(floor))
    if known("db_minimum", "db_urban", "db_rural") and \
            values["db_minimum"] > min(values["db_urban"], values["db_rural"]):
        errors["db_minimum"] = _("The minimum payment cannot be above the dibao standard")
    if known("ls_township_multiple", "ls_max_multiple") and \
            values["ls_max_multiple"] < values["ls_township_multiple"]:
        errors["ls_max_multiple"] = _("The highest multiple cannot be below the township's "
                                      "approval cap multiple")
    if known("db_urban", "db_rural") and "db_bands" not in errors:
        top = max(values["db_urban"], values["db_rural"])
        if any(Decimal(b["amount"]) > top for b in values.get("db_bands") or ()):
            errors["db_bands"] = _("An amount per person cannot be above the dibao standard")


def create_version(county: Region, raw: Mapping, actor=None) -> StandardSet:
    """Validate and save a new version for the county; existing versions stay untouched."""
    if county.level != RegionLevel.county:
        raise StandardError({"region": _("Standards can only be set by a county")})
    values = validate(raw)
    named = values.pop("named_values")
    row = StandardSet(region=county, created_by_id=getattr(actor, "id", None), **values)
    row.named_values = [StandardValue(position=i, **item) for i, item in enumerate(named)]
    db.session.add(row)
    db.session.flush()
    record("standards.create", row, actor=actor,
           details={"effective_from": values["effective_from"].isoformat(),
                    **{s.name: s.show(values[s.name]) for s in SPECS},
                    **({"named_values": named_values_details(row)} if named else {})})
    return row


def named_values_details(row: StandardSet) -> dict:
    """``{name: "1200.00 元/人/月"}``: a version's named values as the audit trail shows them."""
    return {v.name: f"{money.plain(v.amount)} {v.unit}".strip() for v in row.named_values}


def form_values(row: StandardSet | None) -> dict:
    """A version's values as the strings the form shows (to start a new version from it)."""
    if row is None:
        return {}
    data = {spec.name: spec.show(getattr(row, spec.name)) for spec in SPECS}
    data.update({name: getattr(row, name) for name in CHOICES})
    data.update(db_bands=bands_text(row.db_bands), is_ls_cap_per_person=row.is_ls_cap_per_person,
                basis=row.basis,
                named_values=[{"name": v.name, "amount": money.plain(v.amount), "unit": v.unit,
                               "note": v.note} for v in row.named_values])
    return data
