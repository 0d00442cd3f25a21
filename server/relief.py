"""The four relief types (救助类别): the stable codes every room keys on."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from .i18n import is_english as _english


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
    name_en: str = ""  # the names English pages show (name/short_name are also printed)
    short_name_en: str = ""

    @property
    def label(self) -> str:
        """The name in the page's language (documents print ``name``, always Chinese)."""
        return self.name_en if self.name_en and _english() else self.name

    @property
    def short_label(self) -> str:
        return self.short_name_en if self.short_name_en and _english() else self.short_name



RELIEF_TYPES: dict[ReliefCode, ReliefType] = {
    ReliefCode.DB: ReliefType(ReliefCode.DB, "最低生活保障", "低保", "household", True,
                              "Minimum living allowance", "Dibao"),
    ReliefCode.TK: ReliefType(ReliefCode.TK, "特困人员救助供养", "特困", "person", True,
                              "Support for persons in extreme poverty", "Tekun"),
    ReliefCode.LS: ReliefType(ReliefCode.LS, "临时救助", "临时救助", "household", True,
                              "Temporary assistance", "Temporary"),
    ReliefCode.BY: ReliefType(ReliefCode.BY, "低保边缘家庭认定", "低保边缘", "household", False,
                              "Near-dibao household recognition", "Near-dibao"),
}
