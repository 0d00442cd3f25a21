"""The four relief types (救助类别): the stable codes every room keys on."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class ReliefCode(str, enum.Enum):
    DB = "DB"  # 最低生活保障
    TK = "TK"  # 特困人员救助供养
    LS = "LS"  # 临时救助
    BY = "BY"  # 低保边缘家庭认定


@dataclass(frozen=True)
class ReliefType:
    code: ReliefCode
    name: str
    short_name: str
    unit: str  # "household" or "person"
    is_paid: bool


RELIEF_TYPES: dict[ReliefCode, ReliefType] = {
    ReliefCode.DB: ReliefType(ReliefCode.DB, "最低生活保障", "低保", "household", True),
    ReliefCode.TK: ReliefType(ReliefCode.TK, "特困人员救助供养", "特困", "person", True),
    ReliefCode.LS: ReliefType(ReliefCode.LS, "临时救助", "临时救助", "household", True),
    ReliefCode.BY: ReliefType(ReliefCode.BY, "低保边缘家庭认定", "低保边缘", "household", False),
}
