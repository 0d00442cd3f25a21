"""Demo step: the demo county's standards from 2026-01-01."""
from __future__ import annotations

from ..demo import COUNTY, demo_user, register
from ..regions.queries import region_by_code

DEMO_2026 = {
    "effective_from": "2026-01-01",
    "db_urban": "780", "db_rural": "600", "db_minimum": "10",
    "db_method": "gap", "rounding_unit": "yuan", "rounding_mode": "half_up",
    "tk_basic_factor": "1.3", "care_self": "100", "care_partial": "300", "care_full": "600",
    "ls_township_multiple": "3", "ls_max_multiple": "12", "by_factor": "1.5",
    "basis": "九民发〔2025〕12号（示范数据）",
}


@register
def demo_standards() -> None:
    from .operations import create_version

    create_version(region_by_code(COUNTY[0]), DEMO_2026, actor=demo_user("admin"))
