"""Demo step: a county-entered 2027 table (chinese-calendar has no 2027 data yet)."""
from __future__ import annotations

from ..demo import COUNTY, demo_user, register
from ..regions.queries import region_by_code

DEMO_2027 = """date,kind,name
# 九州示范县 2027 年节假日（县级录入，示范数据）
2027-01-01,holiday,元旦
2027-02-06..2027-02-13,holiday,春节
2027-02-20,makeup_workday,春节调休上班
2027-09-26,makeup_workday,国庆节调休上班
2027-10-01..2027-10-07,holiday,国庆节
2027-10-09,makeup_workday,国庆节调休上班
"""


@register
def demo_holidays_2027() -> None:
    from .operations import import_holidays

    import_holidays(region_by_code(COUNTY[0]), DEMO_2027, actor=demo_user("admin"))
