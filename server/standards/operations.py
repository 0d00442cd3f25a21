"""Writes for standards: validate the admin's input and save it as a new version.

Versions are never edited: a correction is a new version (with the same effective date if need
be; the newest created wins). Validation messages are Chinese, keyed by field name.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from ..audit.operations import record
from ..db import db
from ..regions.models import Region, RegionLevel
from .models import DbMethod, RoundingMode, RoundingUnit, StandardSet

CENT = Decimal("0.01")
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
        return f"{value:.2f}" if self.kind == "money" else f"{Decimal(value).normalize():f}"


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


class StandardError(Exception):
    """Invalid standard values: ``errors`` maps a field name to a Chinese message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def parse_decimal(text) -> Decimal | None:
    """A Decimal from what the admin typed ("1,014.5", "780 元", full-width digits), or None."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    cleaned = str(text).strip().translate(str.maketrans("０１２３４５６７８９．，", "0123456789.,"))
    cleaned = cleaned.replace(",", "").replace("元", "").replace("倍", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("请输入数字，例如 780 或 1.3") from None
    if not value.is_finite():
        raise ValueError("请输入数字，例如 780 或 1.3")
    if value.adjusted() > 12 or value.adjusted() < -12:
        raise ValueError("数值超出范围，请核对")  # 1e30 or 1e-400: no standard is that size
    return value


def _check_number(spec: ValueSpec, raw) -> Decimal | None:
    value = parse_decimal(raw)
    if value is None:
        if spec.is_required:
            raise ValueError("必填")
        return None
    places = CENT if spec.kind == "money" else FACTOR_PLACES
    if value != value.quantize(places):
        raise ValueError("金额最多两位小数" if spec.kind == "money" else "倍数最多四位小数")
    if value < 0:
        raise ValueError("不能为负数")
    if value < spec.low:
        raise ValueError(f"不能小于 {spec.show(spec.low)}")
    if value > spec.high:
        raise ValueError(f"不能大于 {spec.show(spec.high)}，请核对")
    return value.quantize(places)


def parse_bands(text: str) -> list[dict]:
    """Lines ``min_gap,amount`` (per person, yuan) into the stored JSON form."""
    bands, seen = [], set()
    for lineno, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("，", ",")
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2:
            raise ValueError(f"第 {lineno} 行应为“差额下限,每人金额”")
        try:
            min_gap, amount = parse_decimal(parts[0]), parse_decimal(parts[1])
        except ValueError:
            raise ValueError(f"第 {lineno} 行不是数字") from None
        if min_gap is None or amount is None or min_gap < 0 or amount <= 0:
            raise ValueError(f"第 {lineno} 行: 差额下限不能为负，每人金额须大于 0")
        if min_gap in seen:
            raise ValueError(f"第 {lineno} 行: 差额下限 {min_gap} 重复")
        seen.add(min_gap)
        bands.append({"min_gap": f"{min_gap.quantize(CENT)}", "amount": f"{amount.quantize(CENT)}"})
    if len(bands) > MAX_BANDS:
        raise ValueError(f"最多 {MAX_BANDS} 档")
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
            raise ValueError("请填写执行日期，格式 2026-01-01") from None
    if day < date(2000, 1, 1) or day > date.today() + timedelta(days=2 * 366):
        raise ValueError("执行日期应在 2000 年之后、两年之内")
    return day


def validate(raw: Mapping) -> dict:
    """Parse and check the admin's input; every problem at once in ``StandardError``."""
    values, errors = {}, {}

    def attempt(name, parse):
        try:
            values[name] = parse()
        except ValueError as exc:
            errors[name] = str(exc)

    attempt("effective_from", lambda: _effective_from(raw.get("effective_from")))
    for spec in SPECS:
        attempt(spec.name, lambda spec=spec: _check_number(spec, raw.get(spec.name)))
    for name, allowed in CHOICES.items():
        value = str(raw.get(name) or allowed[0])
        if value not in allowed:
            errors[name] = "请选择有效的选项"
        values[name] = value
    attempt("db_bands", lambda: parse_bands(raw.get("db_bands") or ""))
    values["is_ls_cap_per_person"] = bool(raw.get("is_ls_cap_per_person"))
    values["basis"] = str(raw.get("basis") or "").strip()[:200]
    _cross_checks(values, errors)
    if errors:
        raise StandardError(errors)
    return values


def _cross_checks(values: dict, errors: dict) -> None:
    def known(*names):
        return all(values.get(n) is not None and n not in errors for n in names)

    if values.get("db_method") == DbMethod.bands.value and "db_bands" not in errors \
            and not values.get("db_bands"):
        errors["db_bands"] = "分档计算需要至少一档"
    for category in ("urban", "rural"):
        name, base = f"tk_basic_{category}", f"db_{category}"
        if known(name, base) and values[name] < (values[base] * NATIONAL_TK_FACTOR).quantize(CENT):
            errors[name] = (f"不得低于低保标准的 1.3 倍（{values[base] * NATIONAL_TK_FACTOR:.2f} 元）")
    if known("db_minimum", "db_urban", "db_rural") and \
            values["db_minimum"] > min(values["db_urban"], values["db_rural"]):
        errors["db_minimum"] = "最低发放额不能高于低保标准"
    if known("ls_township_multiple", "ls_max_multiple") and \
            values["ls_max_multiple"] < values["ls_township_multiple"]:
        errors["ls_max_multiple"] = "最高倍数不能低于乡镇审批上限倍数"
    if known("db_urban", "db_rural") and "db_bands" not in errors:
        top = max(values["db_urban"], values["db_rural"])
        if any(Decimal(b["amount"]) > top for b in values.get("db_bands") or ()):
            errors["db_bands"] = "每人金额不能高于低保标准"


def create_version(county: Region, raw: Mapping, actor=None) -> StandardSet:
    """Validate and save a new version for the county; existing versions stay untouched."""
    if county.level != RegionLevel.county:
        raise StandardError({"region": "救助标准只能由县级区划制定"})
    values = validate(raw)
    row = StandardSet(region=county, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(row)
    db.session.flush()
    record("standards.create", row, actor=actor,
           details={"effective_from": values["effective_from"].isoformat(),
                    **{s.name: s.show(values[s.name]) for s in SPECS}})
    return row


def form_values(row: StandardSet | None) -> dict:
    """A version's values as the strings the form shows (to start a new version from it)."""
    if row is None:
        return {}
    data = {spec.name: spec.show(getattr(row, spec.name)) for spec in SPECS}
    data.update({name: getattr(row, name) for name in CHOICES})
    data.update(db_bands=bands_text(row.db_bands), is_ls_cap_per_person=row.is_ls_cap_per_person,
                basis=row.basis)
    return data
