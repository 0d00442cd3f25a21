"""Writes for supervision: the spot-check draw and assigning its checks.

A draw is reproducible: the population (the month's new recipients, sorted by case id), the
seed (``secrets.randbits(64)``) and the rate are stored, and ``pick`` gives the same cases from
the same three. It cannot be redone quietly: a second draw of the month needs a reason, the
first stays (no longer current) and every draw is in the audit trail.
"""
from __future__ import annotations

import math
import random
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from ..audit.operations import record
from ..auth.models import User
from ..auth.roles import Role
from ..cases.models import Case
from ..cases.workflows import FINAL_STATES
from ..db import db
from ..faults import UserFacing
from ..filings.stats import new_recipients
from ..regions.models import Region, RegionLevel
from .models import SpotCheck, SpotCheckDraw
from .registry import MUST_VISIT

DEFAULT_PERCENT = 30
RANDOM = "random"


class DrawError(UserFacing):
    """A refused draw or assignment; the message is Chinese, ``path`` names the field."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.path = path


def minimum_percent() -> int:
    """The least share of new recipients a draw takes (``JIUZHU_SPOT_CHECK_PERCENT``, 30),
    kept within 1–100 so a mistyped setting cannot disable the draw."""
    return max(1, min(100, int(current_app.config.get("SPOT_CHECK_PERCENT", DEFAULT_PERCENT))))


def pick(population: list[int], seed: int, rate_percent: int) -> list[int]:
    """ceil(rate% of the population) case ids, by ``random.Random(seed)`` over the sorted ids."""
    ordered = sorted(population)
    count = math.ceil(len(ordered) * rate_percent / 100)
    return sorted(random.Random(seed).sample(ordered, count))


def population_of(township: Region, month: date) -> list[int]:
    """The month's new recipients of the township (as the monthly filing counts them)."""
    return sorted(db.session.scalars(new_recipients(township.prefix, month)
                                     .with_only_columns(Case.id)))


def must_visit_of(township: Region) -> dict[int, list[str]]:
    """Case id -> the sources that make it a 100% home visit (open or served cases only)."""
    scope = select(Region.id).where(Region.code.startswith(township.prefix, autoescape=True))
    out: dict[int, list[str]] = {}
    for name, (_label, condition) in MUST_VISIT.items():
        if condition is None:
            continue
        ids = db.session.scalars(select(Case.id).where(
            Case.region_id.in_(scope), Case.state.not_in(FINAL_STATES), condition()))
        for case_id in ids:
            out.setdefault(case_id, []).append(name)
    return out


def county_supervisors(county: Region) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.region_id == county.id, User.role == Role.county_supervisor,
        User.is_active_user.is_(True)).order_by(User.id)))


def draw(township: Region, month: date, actor, *, rate_percent: int | None = None,
         reason: str = "", seed: int | None = None) -> SpotCheckDraw:
    """Draw the township's month: ceil(rate%) of its new recipients plus every must-visit case,
    each check assigned in turn to the county's supervisors."""
    if township.level != RegionLevel.township:
        raise DrawError("抽查以乡镇（街道）为单位", "township_id")
    least = minimum_percent()
    rate = least if rate_percent is None else rate_percent
    if not least <= rate <= 100:
        raise DrawError(f"抽查比例应在 {least}% 到 100% 之间", "rate_percent")
    reason = (reason or "").strip()
    previous = db.session.scalars(select(SpotCheckDraw).where(
        SpotCheckDraw.region_id == township.id, SpotCheckDraw.month == month,
        SpotCheckDraw.is_current.is_(True))).first()
    if previous is not None and not reason:
        raise DrawError("本月已抽取过，重新抽取须填写理由（将记入审计）", "reason")
    for row in db.session.scalars(select(SpotCheckDraw).where(
            SpotCheckDraw.region_id == township.id, SpotCheckDraw.month == month)):
        row.is_current = False
    number = (db.session.scalar(select(func.max(SpotCheckDraw.number)).where(
        SpotCheckDraw.region_id == township.id, SpotCheckDraw.month == month)) or 0) + 1
    seed = secrets.randbits(64) if seed is None else seed
    population = population_of(township, month)
    drawn = pick(population, seed, rate)
    must = must_visit_of(township)
    row = SpotCheckDraw(region_id=township.id, region=township, month=month, number=number,
                        seed=str(seed), rate_percent=rate, population=population, drawn=drawn,
                        must_visit={str(k): v for k, v in must.items()}, reason=reason,
                        created_by_id=actor.id, is_current=True)
    supervisors = county_supervisors(township.county)
    for i, case_id in enumerate(sorted(set(drawn) | set(must))):
        sources = ([RANDOM] if case_id in drawn else []) + must.get(case_id, [])
        row.checks.append(SpotCheck(case_id=case_id, sources=sources, assignee_id=(
            supervisors[i % len(supervisors)].id if supervisors else None)))
    db.session.add(row)
    db.session.flush()
    record("supervision.draw", row, actor=actor, details={
        "township": township.code, "month": month.isoformat(), "number": number,
        "seed": str(seed), "rate_percent": rate, "population": population, "drawn": drawn,
        "must_visit": row.must_visit, "reason": reason,
        "replaces": previous.id if previous is not None else None})
    return row


def is_reproduced(row: SpotCheckDraw) -> bool:
    """Whether the stored seed, population and rate still give the stored random cases."""
    return pick(row.population, int(row.seed), row.rate_percent) == row.drawn


def assign(check: SpotCheck, assignee_id: int | None, actor) -> SpotCheck:
    """Give the check to a county supervisor of the draw's county (audited)."""
    county = check.draw.region.county
    chosen = next((u for u in county_supervisors(county) if u.id == assignee_id), None)
    if chosen is None:
        raise DrawError("请选择本县的监管人员", "assignee_id")
    before = check.assignee_id
    check.assignee_id = chosen.id
    record("supervision.assign", check.draw, actor=actor, details={
        "check": check.id, "case": check.case_id, "from": before, "to": chosen.id})
    return check
