"""Writes to the delegation ledger, each audited: grant, withdraw, the custodian and period."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..audit.operations import record
from ..db import db
from ..regions.models import Region, RegionLevel
from ..relief import RELIEF_TYPES
from .models import DelegatedItem, DelegationTerms
from .queries import items_of, relief_label, terms_of


class DelegationError(ValueError):
    """A refused ledger change; ``field`` names the input at fault, the message is a lazy
    msgid (read in the language of whoever is shown it)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _township(region: Region) -> Region:
    if region.level != RegionLevel.township:
        raise DelegationError(_l("Only a township can be delegated the decisions"), "township")
    return region


def grant(township: Region, relief_type: str, starts_on: date, actor, ends_on: date | None = None,
          note: str = "") -> DelegatedItem:
    """Delegate one relief type to a township from ``starts_on`` (to ``ends_on`` if given)."""
    _township(township)
    codes = set(RELIEF_TYPES)
    if relief_type not in codes:
        raise DelegationError(_l("Unknown relief type: %(code)s", code=relief_type), "relief_type")
    if ends_on is not None and ends_on < starts_on:
        raise DelegationError(_l("The last day cannot be earlier than the first day"), "ends_on")
    for other in items_of(township.id):
        if other.relief_type == relief_type and _overlaps(other, starts_on, ends_on):
            raise DelegationError(
                _l("The delegation of %(relief)s to %(township)s overlaps the one from "
                   "%(day)s: withdraw that one first", township=township.name,
                   relief=relief_label(relief_type), day=other.starts_on.isoformat()),
                "starts_on")
    item = DelegatedItem(region=township, relief_type=relief_type, starts_on=starts_on,
                         ends_on=ends_on, note=(note or "").strip()[:500],
                         created_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    record("delegation.grant", item, actor=actor, details={"after": _facts(item)})
    return item


def withdraw(item: DelegatedItem, last_day: date, actor) -> DelegatedItem:
    """Withdraw a delegation: ``last_day`` is the last day the township may still decide."""
    if last_day < item.starts_on:
        raise DelegationError(_l("The withdrawal cannot be earlier than the delegation's first day"), "last_day")
    if item.ends_on is not None and last_day > item.ends_on:
        raise DelegationError(_l("This delegation already ended before that day"), "last_day")
    before = _facts(item)
    item.ends_on = last_day
    db.session.flush()
    record("delegation.withdraw", item, actor=actor,
           details={"before": before, "after": _facts(item)})
    return item


def save_terms(township: Region, actor, custodian_user=None, custodian_name: str = "",
               custodian_post: str = "", period_start: date | None = None,
               period_end: date | None = None, letter_number: str = "") -> DelegationTerms:
    """Record the seal custodian (a user of the township or a typed name) and the period."""
    _township(township)
    if custodian_user is not None and custodian_user.region_id != township.id:
        raise DelegationError(_l("The chief representative must be a user of this township"), "custodian_user")
    if custodian_user is None and not custodian_name.strip():
        raise DelegationError(_l("Choose the chief representative's user or enter the name"), "custodian_name")
    if period_start and period_end and period_end < period_start:
        raise DelegationError(_l("The delegation period cannot end before it starts"), "period_end")
    terms = terms_of(township.id)
    before = _terms_facts(terms) if terms else {}
    if terms is None:
        terms = DelegationTerms(region=township)
        db.session.add(terms)
    terms.custodian_user = custodian_user
    terms.custodian_name = "" if custodian_user is not None else custodian_name.strip()[:50]
    terms.custodian_post = (custodian_post or "首席代表").strip()[:50]
    terms.period_start, terms.period_end = period_start, period_end
    terms.letter_number = (letter_number or "").strip()[:40]
    db.session.flush()
    record("delegation.terms", terms, actor=actor,
           details={"before": before, "after": _terms_facts(terms)})
    return terms


def grant_all(township: Region, starts_on: date, actor=None) -> list[DelegatedItem]:
    """Full delegation of every relief type the township does not hold yet (demo, setup)."""
    held = {item.relief_type for item in items_of(township.id)}
    return [grant(township, code, starts_on, actor)
            for code in RELIEF_TYPES if code not in held]


def _overlaps(item: DelegatedItem, starts_on: date, ends_on: date | None) -> bool:
    return ((item.ends_on is None or starts_on <= item.ends_on)
            and (ends_on is None or item.starts_on <= ends_on))


def _facts(item: DelegatedItem) -> dict:
    return {"relief_type": item.relief_type, "starts_on": item.starts_on.isoformat(),
            "ends_on": item.ends_on.isoformat() if item.ends_on else None}


def _terms_facts(terms: DelegationTerms) -> dict:
    return {"custodian_user_id": terms.custodian_user_id, "custodian_name": terms.custodian_name,
            "custodian_post": terms.custodian_post,
            "period_start": terms.period_start.isoformat() if terms.period_start else None,
            "period_end": terms.period_end.isoformat() if terms.period_end else None,
            "letter_number": terms.letter_number}
