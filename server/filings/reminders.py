"""Which reminders are due on a given day: before the adjustment and filing days, and late
filings after the filing day (days per county, FilingSettings)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..db import db
from ..periods import month_of
from ..regions.models import Region, RegionLevel
from .models import LOCKED, Filing
from .operations import add_reminder, settings_for
from .periods import label

MESSAGES = {
    "adjust": "{month}新增、复核、停发等调整须在 {due} 前在系统中办结",
    "filing": "{month}资金须在 {due} 前发放，并完成花名册核对和备案",
    "late": "{month}备案已逾期（截止 {due}）",
}


def due_reminders(today: date) -> int:
    """Add the reminders and late flags due today; returns how many are new."""
    month = month_of(today)
    added = 0
    counties = db.session.scalars(select(Region).where(Region.level == RegionLevel.county))
    for county in counties:
        cfg = settings_for(county)
        townships = db.session.scalars(select(Region).where(
            Region.level == RegionLevel.township,
            Region.code.startswith(county.prefix, autoescape=True)))
        filed = set(db.session.scalars(select(Filing.region_id).where(
            Filing.month == month, Filing.status.in_(LOCKED))))
        for township in townships:
            if township.id in filed:
                continue
            for kind, day, when in (("adjust", cfg.adjust_day, "before"),
                                    ("filing", cfg.filing_day, "before"),
                                    ("late", cfg.filing_day, "after")):
                due = today.replace(day=day)
                if when == "before" and not (0 <= day - today.day <= cfg.remind_days):
                    continue
                if when == "after" and today.day <= day:
                    continue
                text = MESSAGES[kind].format(month=label(month), due=f"{due:%m月%d日}")
                added += add_reminder(township, kind, month, due, f"{township.name}：{text}")
    return added
