"""Retention periods (保管期限) per class of file: the classes, their floors and defaults, the
label the archive cover prints and when a case's file may be disposed of.

Approval files are kept at least 3 years after assistance stops (national floor); the local
rules of the seeds go further: monthly reports 5 years, annual reports permanently. A county
may lengthen a period (or make it permanent), never shorten it below the floor.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ..periods import as_date

MAX_YEARS = 100


@dataclass(frozen=True)
class DocClass:
    key: str
    label: object  # lazy Chinese label for pages
    title: str  # the Chinese name printed in messages
    floor: int  # fewest years a county may set
    default: int | None  # None: permanent
    counted_from: str  # printed on the cover after the years


CLASSES: dict[str, DocClass] = {c.key: c for c in (
    DocClass("approval", _l("Approval files"), "审核确认档案", 3, 3, "救助终止后起算"),
    DocClass("monthly_report", _l("Monthly reports"), "月度报表", 5, 5, "报送后起算"),
    DocClass("annual_report", _l("Annual reports"), "年度报表", 1, None, "报送后起算"),
)}
CASE_CLASS = "approval"  # the class of a case's household file (一户一档)
PERMANENT = "永久"


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def stopped_on(case) -> date | None:
    """The day assistance stopped: the end of the last paid month, or the refusal's date; None
    while the case is still served (its retention has not started)."""
    if case.payment_end_month is not None:
        end = case.payment_end_month
        return end.replace(day=calendar.monthrange(end.year, end.month)[1])
    if case.decision == "refuse" and case.decided_at is not None:
        return as_date(case.decided_at)
    return None


def expires_on(case, years: int | None) -> date | None:
    """The day the case's file may be disposed of; None while served or when permanent."""
    stop = stopped_on(case)
    if stop is None or years is None:
        return None
    return add_years(stop, years)


def cover_label(doc_class: DocClass, years: int | None, until: date | None = None) -> str:
    """What the cover prints: 永久, or "3年（救助终止后起算，至2029年12月31日）"."""
    if years is None:
        return PERMANENT
    text = f"{years}年（{doc_class.counted_from}"
    if until is not None:
        text += f"，至{until.year}年{until.month}月{until.day}日"
    return text + "）"
