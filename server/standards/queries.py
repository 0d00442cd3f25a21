"""Reading standards: the version in force for a county, urban/rural and date.

Public API:

- ``standard_for(county_id, urban_rural, on_date) -> Standard | None``: the version in force
  (``Standard.id`` is the StandardSet id a decision stores).
- ``standard_by_id(set_id, urban_rural) -> Standard | None``: the same view of a stored
  version, e.g. to show a past decision's formula again.
- ``versions(county_id) -> list[StandardSet]``: every version, newest effective date first.
- ``current_set(county_id, on_date=None) -> StandardSet | None``.
- ``standard_value(name, on=None, region=None, *, version=None) -> Decimal``: a named value
  (e.g. 事实无人抚养儿童保障标准) of the version in force on a date for a region's county, or
  of a stored version (a decision's ``standard_version_id``); ``UnknownStandardValue`` or
  ``NoStandard`` with a message for the user otherwise.

``Standard`` is a plain frozen dataclass (safe to cache, detached from the session) with every
value already chosen for the household's urban/rural category.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db
from ..money import round_money
from ..periods import local_today
from .models import CareLevel, StandardSet

URBAN, RURAL = "urban", "rural"


def _urban_rural(value) -> str:
    value = getattr(value, "value", value)
    if value not in (URBAN, RURAL):
        raise ValueError(f"urban_rural must be 'urban' or 'rural', not {value!r}")
    return value


@dataclass(frozen=True)
class Standard:
    """One version's values for one urban/rural category."""

    id: int
    county_id: int
    urban_rural: str
    effective_from: date
    db_standard: Decimal  # 低保标准, monthly yuan per person
    db_method: str
    db_minimum: Decimal
    db_bands: tuple[tuple[Decimal, Decimal], ...]  # (min_gap, amount per person), high first
    rounding_unit: str
    rounding_mode: str
    tk_basic_factor: Decimal
    tk_basic: Decimal  # monthly basic-living standard per person
    care: dict = field(hash=False)  # CareLevel value -> monthly amount
    ls_township_multiple: Decimal
    ls_max_multiple: Decimal
    is_ls_cap_per_person: bool
    by_factor: Decimal
    basis: str = ""
    named: dict = field(default_factory=dict, hash=False)  # named value -> Decimal amount

    @property
    def label(self) -> str:
        day = self.effective_from.isoformat()
        if self.urban_rural == URBAN:
            return _("In force from %(day)s (urban, version %(id)s)", day=day, id=self.id)
        return _("In force from %(day)s (rural, version %(id)s)", day=day, id=self.id)


class NamedValues(Mapping):
    """A version's named values (name -> Decimal), read on first use: most work with a
    standard (every intake) never needs them, so they cost no query there."""

    def __init__(self, row: StandardSet):
        self._row, self._values = row, None

    def _load(self) -> dict:
        if self._values is None:
            self._values = {v.name: v.amount for v in self._row.named_values}
        return self._values

    def __getitem__(self, name):
        return self._load()[name]

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())


def parse_bands(raw) -> tuple[tuple[Decimal, Decimal], ...]:
    bands = [(Decimal(str(b["min_gap"])), Decimal(str(b["amount"]))) for b in raw or ()]
    return tuple(sorted(bands, reverse=True))


def as_standard(row: StandardSet, urban_rural) -> Standard:
    urban_rural = _urban_rural(urban_rural)
    is_urban = urban_rural == URBAN
    db_standard = row.db_urban if is_urban else row.db_rural
    explicit = row.tk_basic_urban if is_urban else row.tk_basic_rural
    tk_basic = explicit if explicit is not None else (row.tk_basic_factor * db_standard)
    return Standard(
        id=row.id, county_id=row.region_id, urban_rural=urban_rural,
        effective_from=row.effective_from, db_standard=db_standard, db_method=row.db_method,
        db_minimum=row.db_minimum, db_bands=parse_bands(row.db_bands),
        rounding_unit=row.rounding_unit, rounding_mode=row.rounding_mode,
        tk_basic_factor=row.tk_basic_factor, tk_basic=round_money(tk_basic),
        care={CareLevel.self_care.value: row.care_self, CareLevel.partial.value: row.care_partial,
              CareLevel.full.value: row.care_full},
        ls_township_multiple=row.ls_township_multiple, ls_max_multiple=row.ls_max_multiple,
        is_ls_cap_per_person=row.is_ls_cap_per_person, by_factor=row.by_factor,
        basis=row.basis, named=NamedValues(row),
    )


class NoStandard(LookupError):
    """No standard version is in force; the message is for the user."""


def no_standard_on(on: date):
    return _l("No standard is in force on %(date)s", date=f"{on:%Y-%m-%d}")


class UnknownStandardValue(LookupError):
    """A name that the standard version does not define; the message is for the user."""

    def __init__(self, name: str, row: StandardSet):
        self.name, self.version_id = name, row.id
        known = "、".join(v.name for v in row.named_values) or _("none")
        super().__init__(_("The standard in force from %(date)s (version %(version)s) has no "
                           "value named “%(name)s” (it has: %(known)s)",
                           date=f"{row.effective_from:%Y-%m-%d}", version=row.id, name=name,
                           known=known))


def named_value(row: StandardSet, name: str) -> Decimal:
    """The amount of a version's named value; ``UnknownStandardValue`` if it has none."""
    for value in row.named_values:
        if value.name == name:
            return value.amount
    raise UnknownStandardValue(name, row)


def standard_value(name: str, on: date | None = None, region=None, *,
                   version: int | None = None) -> Decimal:
    """A named standard value: of the stored ``version`` (a decision keeps the version it
    used), else of the version in force on ``on`` (today) for ``region``'s county (a Region
    or a county id)."""
    return named_value(version_for(on, region, version=version), name)


def version_for(on: date | None = None, region=None, *, version: int | None = None
                ) -> StandardSet:
    """The stored ``version``, else the one in force on ``on`` for ``region``'s county;
    ``NoStandard`` (a message for the user) if there is none."""
    if version is not None:
        row = db.session.get(StandardSet, version)
        if row is None:
            raise NoStandard(_l("There is no standard version %(version)s", version=version))
        return row
    if region is None:
        raise ValueError("a standard version needs a region or a version id")
    county_id = region if isinstance(region, int) else region.county.id
    on = on or local_today()
    row = current_set(county_id, on)
    if row is None:
        raise NoStandard(no_standard_on(on))
    return row


def _newest_first(stmt):
    return stmt.order_by(StandardSet.effective_from.desc(), StandardSet.id.desc())


def current_set(county_id: int, on_date: date | None = None) -> StandardSet | None:
    """The version in force on ``on_date`` (today if None); the newest of a date wins."""
    on_date = on_date or local_today()
    stmt = select(StandardSet).where(StandardSet.region_id == county_id,
                                     StandardSet.effective_from <= on_date)
    return db.session.scalars(_newest_first(stmt).limit(1)).first()


def standard_for(county_id: int, urban_rural, on_date: date) -> Standard | None:
    """The standard in force for the county and category on the date, or None if none is."""
    row = current_set(county_id, on_date)
    return as_standard(row, urban_rural) if row is not None else None


def standard_by_id(set_id: int, urban_rural) -> Standard | None:
    row = db.session.get(StandardSet, set_id)
    return as_standard(row, urban_rural) if row is not None else None


def versions(county_id: int) -> list[StandardSet]:
    stmt = select(StandardSet).where(StandardSet.region_id == county_id)
    return list(db.session.scalars(_newest_first(stmt)))


def named_matrix(rows: list[StandardSet]) -> list[tuple[str, dict]]:
    """Every name any of the versions defines (first seen first), with each version's value:
    ``[(name, {version id: StandardValue})]`` for the side-by-side page."""
    matrix: dict[str, dict] = {}
    for row in rows:
        for value in row.named_values:
            matrix.setdefault(value.name, {})[row.id] = value
    return list(matrix.items())
