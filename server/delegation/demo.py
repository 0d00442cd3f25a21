"""Demo step: every demo township holds every delegation (so the demo cases decide as before);
东风镇's approver keeps the seal."""
from __future__ import annotations

from datetime import date

from ..demo import REGIONS, demo_user, register
from ..regions.models import RegionLevel
from ..regions.queries import region_by_code

DEMO_START = date(2020, 1, 1)


@register
def demo_delegation() -> None:
    from .operations import grant_all, save_terms

    admin = demo_user("admin")
    for code, *_rest in REGIONS:
        township = region_by_code(code)
        if township.level == RegionLevel.township:
            grant_all(township, DEMO_START, admin)
    save_terms(region_by_code("220999101000"), admin, custodian_user=demo_user("approver"),
               period_start=DEMO_START, period_end=date(2028, 12, 31),
               letter_number="九民委〔2020〕1号")
