"""Reads of the delegation ledger: who holds which delegation on a day, and the public list."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db import db
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from ..relief import RELIEF_TYPES, ReliefCode
from .models import DelegatedItem, DelegationTerms


def relief_name(code: str) -> str:
    try:
        return RELIEF_TYPES[ReliefCode(code)].name
    except ValueError:
        return code


def relief_label(code: str) -> str:
    """The type's name in the page's language (``relief_name`` is the printed one)."""
    try:
        return RELIEF_TYPES[ReliefCode(code)].label
    except ValueError:
        return code


def items_of(township_id: int) -> list[DelegatedItem]:
    return list(db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == township_id).order_by(
        DelegatedItem.relief_type, DelegatedItem.starts_on, DelegatedItem.id)))


def terms_of(township_id: int) -> DelegationTerms | None:
    return db.session.scalars(select(DelegationTerms).where(
        DelegationTerms.region_id == township_id)).first()


def holds(township: Region | None, relief_type: str, on: date) -> bool:
    """Does the township hold the delegation of this relief type on this day?"""
    if township is None:
        return False
    code = getattr(relief_type, "value", relief_type)
    return any(item.covers(on) for item in items_of(township.id) if item.relief_type == code)


def not_delegated_reason(region: Region, relief_type: str, on: date) -> str | None:
    """Why a decision of this type by the region's township goes to the county (Chinese), or
    None when the township holds the delegation on ``on``."""
    township = region.township if region is not None else None
    if holds(township, relief_type, on):
        return None
    name = township.name if township is not None else "该地区"
    return (f"{name}在 {on:%Y-%m-%d} 未获县级民政部门委托{relief_name(relief_type)}审核确认，"
            "由县级民政部门审批")


def in_force(township_id: int, on: date | None = None) -> list[DelegatedItem]:
    on = on or local_today()
    return [item for item in items_of(township_id) if item.covers(on)]


def townships_of(county: Region) -> list[Region]:
    return list(db.session.scalars(select(Region).where(
        Region.level == RegionLevel.township,
        Region.code.startswith(county.prefix, autoescape=True)).order_by(Region.code)))


def public_ledger(on: date | None = None) -> list[dict]:
    """Every county's townships with the items delegated today: names, dates and the post of
    the seal custodian only (nothing personal; the custodian's name is not published)."""
    on = on or local_today()
    counties = db.session.scalars(select(Region).where(
        Region.level == RegionLevel.county).order_by(Region.code))
    rows = []
    for county in counties:
        for township in townships_of(county):
            terms = terms_of(township.id)
            rows.append({
                "county": county.name, "township": township.name, "code": township.code,
                "custodian_post": terms.custodian_post if terms else "",
                "period_start": terms.period_start if terms else None,
                "period_end": terms.period_end if terms else None,
                "delegated": [{"relief_type": item.relief_type,
                           "relief_name": relief_label(item.relief_type),
                           "starts_on": item.starts_on, "ends_on": item.ends_on}
                          for item in in_force(township.id, on)],
            })
    return rows
