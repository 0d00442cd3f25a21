"""Reading standards: the version in force for a county, urban/rural and date.

Public API:

- ``standard_for(county_id, urban_rural, on_date) -> Standard | None``: the version in force
  (``Standard.id`` is the StandardSet id a decision stores).
- ``standard_by_id(set_id, urban_rural) -> Standard | None``: the same view of a stored
  version, e.g. to show a past decision's formula again.
- ``versions(county_id) -> list[StandardSet]``: every version, newest effective date first.
- ``current_set(county_id, on_date=None) -> StandardSet | None``.

``Standard`` is a plain frozen dataclass (safe to cache, detached from the session) with every
value already chosen for the household's urban/rural category.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
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

    @property
    def label(self) -> str:
        day = self.effective_from.isoformat()
        if self.urban_rural == URBAN:
            return _("In force from %(day)s (urban, version %(id)s)", day=day, id=self.id)
        return _("In force from %(day)s (rural, version %(id)s)", day=day, id=self.id)


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
        basis=row.basis,
    )


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
