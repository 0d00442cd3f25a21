"""Demo step: the departments the demo county's windows refer to."""
from __future__ import annotations

from ..demo import COUNTY, demo_user, register
from ..regions.queries import region_by_code

DEMO_DEPARTMENTS = [
    ("县教育局", "教育救助、助学金"), ("县住房和城乡建设局", "住房救助、危房改造"),
    ("县医疗保障局", "医疗救助"), ("县人力资源和社会保障局", "就业救助、公益性岗位"),
    ("县慈善总会", "慈善帮扶"),
]


@register
def demo_departments() -> None:
    from .operations import add_department

    county, admin = region_by_code(COUNTY[0]), demo_user("admin")
    for name, matters in DEMO_DEPARTMENTS:
        add_department(county, name, matters, admin)
