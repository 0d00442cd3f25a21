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
from ..cases.workflows import FINAL_STATES, workflow_for
from ..db import db
from ..faults import UserFacing
from ..filings.stats import new_recipients
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from .models import Meeting, ReserveEntry, Review, SpotCheck, SpotCheckDraw
from .registry import MUST_VISIT, REVIEW_OUTCOMES, REVIEW_SOURCES

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
    return populations_of([township], month)[township.id]


def populations_of(townships: list[Region], month: date) -> dict[int, list[int]]:
    """township id -> its month's new recipients (sorted case ids), one query for them all
    under their common prefix (the county's, when every township is asked)."""
    prefix = _common_prefix(townships)
    by_prefix = {t.prefix: t.id for t in townships}
    out: dict[int, list[int]] = {t.id: [] for t in townships}
    stmt = new_recipients(prefix, month).with_only_columns(
        Case.id, func.substr(Region.code, 1, 9)).order_by(Case.id)
    for case_id, town in db.session.execute(stmt):
        if town in by_prefix:
            out[by_prefix[town]].append(case_id)
    return out


def _common_prefix(townships: list[Region]) -> str:
    prefixes = {t.prefix for t in townships}
    return prefixes.pop() if len(prefixes) == 1 else townships[0].county.prefix


def must_visit_of(township: Region) -> dict[int, list[str]]:
    """Case id -> the sources that make it a 100% home visit (open or served cases only)."""
    return must_visits_of([township])[township.id]


def must_visits_of(townships: list[Region]) -> dict[int, dict[int, list[str]]]:
    """township id -> {case id -> its must-visit sources}, one query per source for them all."""
    prefix = _common_prefix(townships)
    by_prefix = {t.prefix: t.id for t in townships}
    out: dict[int, dict[int, list[str]]] = {t.id: {} for t in townships}
    for name, (_label, condition) in MUST_VISIT.items():
        if condition is None:
            continue
        rows = db.session.execute(
            select(Case.id, func.substr(Region.code, 1, 9)).join(
                Region, Region.id == Case.region_id)
            .where(Region.code.startswith(prefix, autoescape=True),
                   Case.state.not_in(FINAL_STATES), condition()).order_by(Case.id))
        for case_id, town in rows:
            if town in by_prefix:
                out[by_prefix[town]].setdefault(case_id, []).append(name)
    return out


def county_supervisors(county: Region) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.region_id == county.id, User.role == Role.county_supervisor,
        User.is_active_user.is_(True)).order_by(User.id)))


def draw(township: Region, month: date, actor, *, rate_percent: int | None = None,
         reason: str = "", seed: int | None = None, population: list[int] | None = None,
         must: dict[int, list[str]] | None = None) -> SpotCheckDraw:
    """Draw the township's month: ceil(rate%) of its new recipients plus every must-visit case,
    each check assigned in turn to the county's supervisors. ``population`` and ``must`` are
    for ``draw_all``, which reads them for every township at once."""
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
    population = population_of(township, month) if population is None else population
    drawn = pick(population, seed, rate)
    must = must_visit_of(township) if must is None else must
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


def draw_all(month: date, actor, townships: list[Region]) -> list[SpotCheckDraw]:
    """Draw the month of every given township not drawn yet (each draw as ``draw`` records
    it), reading the populations and must-visit cases of all of them in one pass."""
    drawn = {row.region_id for row in db.session.scalars(select(SpotCheckDraw).where(
        SpotCheckDraw.month == month, SpotCheckDraw.region_id.in_([t.id for t in townships])))}
    todo = [t for t in townships if t.id not in drawn and t.level == RegionLevel.township]
    if not todo:
        return []
    populations, musts = populations_of(todo, month), must_visits_of(todo)
    return [draw(t, month, actor, population=populations[t.id], must=musts[t.id]) for t in todo]


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


# -- township evaluation (联评): the county's weights and the close-supervision marks ---------

class EvaluationError(DrawError):
    """A refused evaluation setting or mark (Chinese message, ``path`` names the field)."""


def save_evaluation_setting(county: Region, weights: dict, bottom_kind: str, bottom_value,
                            actor):
    """Store the county's weights (0–100 per registered figure; a missing one keeps the
    default) and the bottom rule (a count of townships or a percentage), audited."""
    from .evaluation import BOTTOM_KINDS, MAX_WEIGHT, setting_of, weights_of
    from .evaluation_models import EvaluationSetting
    from .registry import METRICS

    clean = {}
    for key, value in (weights or {}).items():
        if key not in METRICS:
            raise EvaluationError("没有这项评估指标", f"weights.{key}")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WEIGHT:
            raise EvaluationError(f"权重应为 0 到 {MAX_WEIGHT} 的整数", f"weights.{key}")
        clean[key] = value
    if bottom_kind not in BOTTOM_KINDS:
        raise EvaluationError("靠后单位的确定方式无效", "bottom_kind")
    limit = 100 if bottom_kind == "percent" else 1000
    if isinstance(bottom_value, bool) or not isinstance(bottom_value, int) \
            or not 0 <= bottom_value <= limit:
        raise EvaluationError(f"靠后单位数应为 0 到 {limit} 的整数", "bottom_value")
    row = setting_of(county)
    before = None
    if row is None:
        row = EvaluationSetting(region_id=county.id)
        db.session.add(row)
    else:
        before = {"weights": weights_of(row), "bottom": [row.bottom_kind, row.bottom_value]}
    row.weights = {**(row.weights or {}), **clean}
    row.bottom_kind, row.bottom_value = bottom_kind, bottom_value
    row.updated_by_id = actor.id
    db.session.flush()
    record("supervision.evaluation_setting", row, actor=actor, details={
        "before": before, "weights": weights_of(row), "bottom": [bottom_kind, bottom_value]})
    return row


def mark_bottom(period, actor, reason: str = "") -> list:
    """Mark the year's bottom townships for close supervision the next year (列为次年度
    重点督导单位): one audited mark each, with its rank and score; a township already marked
    for that year keeps its mark. Only a year's evaluation marks."""
    from .evaluation import evaluate
    from .evaluation_models import CloseSupervisionMark

    if period.kind != "year":
        raise EvaluationError("只能按年度评估结果列入次年度重点督导单位", "period")
    result = evaluate(period, actor)
    if not result.bottom_rows:
        raise EvaluationError("本期没有评估靠后的乡镇（街道）", "period")
    marks = []
    for row in result.bottom_rows:
        if row.mark is not None:
            continue
        mark = CloseSupervisionMark(region_id=row.township.id, year=period.start.year + 1,
                                    period=period.key, rank=row.rank, score=row.score,
                                    reason=reason.strip(), marked_by_id=actor.id)
        db.session.add(mark)
        db.session.flush()
        record("supervision.close_supervision", mark, actor=actor, details={
            "township": row.township.id, "year": mark.year, "period": period.key,
            "rank": row.rank, "score": round(row.score, 2), "values": row.values})
        marks.append(mark)
    return marks


# --- 复核 review and correction (point 4) ------------------------------------------------


class ReviewError(DrawError):
    """A refused review write (Chinese message, ``path`` names the field)."""


def open_review(case: Case, source: str, actor, *, source_ref: int | None = None,
                reason: str = "") -> Review:
    """Open a county review of the case's township decision (audited)."""
    if source not in REVIEW_SOURCES:
        raise ReviewError("复核来源无效", "source")
    if not actor.region.contains(case.region):
        raise ReviewError("案件不存在", "case_id")
    row = Review(case_id=case.id, case=case, region_id=case.region.township.id, source=source,
                 source_ref=source_ref, reason=(reason or "").strip(), opened_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("supervision.review_open", row, actor=actor, details={
        "case": case.id, "source": source, "source_ref": source_ref, "reason": row.reason})
    return row


def decide_review(review: Review, outcome: str, findings: str, actor, *,
                  amount=None, on: date | None = None) -> Review:
    """Record the findings and the decision; every outcome but uphold is a workflow step on
    the case (state, amount from next month, its own audit), then the 复核决定书 is made."""
    from ..cases.checks import CaseError
    from ..cases.operations import transition
    from ..db import lock_for_write
    from ..documents.errors import DocumentError
    from ..documents.operations import generate
    from ..money import yuan_to_fen

    lock_for_write()  # a second supervisor deciding the same review waits, then is refused
    db.session.refresh(review)
    if review.outcome is not None:
        raise ReviewError("该复核已作出决定，不能再次决定", "outcome")
    if outcome not in REVIEW_OUTCOMES:
        raise ReviewError("请选择复核决定", "outcome")
    findings = (findings or "").strip()
    if not findings:
        raise ReviewError("请填写复核意见", "findings")
    action = REVIEW_OUTCOMES[outcome][1]
    event = None
    if action is not None and workflow_for(review.case).transition(action) is None:
        raise ReviewError("该救助类别（或案件当前阶段）不能作出此项复核决定", "outcome")
    if action is not None:
        data = {"reason": findings} | ({"amount": amount} if amount not in (None, "") else {})
        try:
            event = transition(review.case, action, actor, data, effective_on=on)
        except CaseError as exc:
            path = exc.problems[0].path if exc.problems else "outcome"
            raise ReviewError(exc.message, path.replace("data.", "")) from None
    review.outcome, review.findings = outcome, findings
    review.decided_on = event.effective_on if event is not None else (on or local_today())
    review.decided_by_id = actor.id
    review.case_event_id = event.id if event is not None else None
    if outcome == "correct_amount":
        review.amount_fen = yuan_to_fen(event.data["amount"])
    db.session.flush()
    record("supervision.review_decide", review, actor=actor, details={
        "case": review.case_id, "outcome": outcome, "findings": findings,
        "amount_fen": review.amount_fen, "event": review.case_event_id})
    try:
        generate("review_decision", review.case, actor, {"review_id": review.id})
    except DocumentError as exc:  # e.g. a county's uploaded template fails: nothing is kept
        raise ReviewError(f"复核决定书生成失败：{exc}", "outcome") from None
    return review


# --- 一事一议 meetings and the reserve fund (point 8) -------------------------------------


def record_meeting(township: Region, held_on: date, attendees: list[str], case_ids: list[int],
                   actor, notes: str = "") -> Meeting:
    """The township's 会商 meeting and the county-queue cases it sends up (audited)."""
    if township.level != RegionLevel.township:
        raise DrawError("会商会议以乡镇（街道）为单位", "township_id")
    if held_on > local_today():
        raise DrawError("会议日期不能晚于今天", "held_on")
    attendees = [a.strip() for a in attendees if a and a.strip()]
    if not attendees:
        raise DrawError("请填写参会人员", "attendees")
    scope = select(Region.id).where(Region.code.startswith(township.prefix, autoescape=True))
    found = set(db.session.scalars(select(Case.id).where(
        Case.id.in_(case_ids), Case.region_id.in_(scope), Case.state == "county_review")))
    if not case_ids or found != set(case_ids):
        raise DrawError("报送事项应为本乡镇待县级审批（一事一议）的案件", "case_ids")
    row = Meeting(region_id=township.id, held_on=held_on, attendees=attendees,
                  case_ids=sorted(found), notes=(notes or "").strip(), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("supervision.meeting", row, actor=actor, details={
        "held_on": held_on.isoformat(), "attendees": attendees, "case_ids": row.case_ids,
        "notes": row.notes})
    return row


def _ledger(township: Region, kind: str, amount_fen: int, on: date, actor, *,
            case_id: int | None = None, note: str = "") -> ReserveEntry:
    row = ReserveEntry(region_id=township.id, kind=kind, amount_fen=amount_fen, on=on,
                       case_id=case_id, note=note, created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record(f"supervision.reserve_{kind}", row, actor=actor, details={
        "township": township.code, "amount_fen": amount_fen, "on": on.isoformat(),
        "case": case_id, "note": note})
    return row


def top_up(township: Region, amount, actor, *, on: date | None = None,
           note: str = "") -> ReserveEntry:
    """The county adds to a township's 临时救助备用金 (a new ledger line, audited)."""
    from ..money import MoneyError, parse_yuan, yuan_to_fen

    if township.level != RegionLevel.township:
        raise DrawError("备用金以乡镇（街道）为单位", "township_id")
    try:
        fen = yuan_to_fen(parse_yuan(amount))
    except MoneyError as exc:
        raise DrawError(f"金额：{exc}", "amount") from None
    if fen <= 0:
        raise DrawError("金额应大于 0", "amount")
    return _ledger(township, "top_up", fen, on or local_today(), actor, note=(note or "").strip())


def draw_emergency_aid(case, event, step, actor) -> None:
    """After-transition hook: emergency aid paid out (先行救助) draws on the reserve fund."""
    if "record_emergency_aid" not in step.effects or not case.emergency_aid_fen:
        return
    _ledger(case.region.township, "draw", -case.emergency_aid_fen, event.effective_on, actor,
            case_id=case.id, note=case.case_number)


def funding_plan_export(county: Region, month: date, actor, fmt: str) -> bytes:
    """The 资金发放计划 as XLSX or DOCX; sending it to finance is an act, so it is audited."""
    from . import exports
    from .queries import funding_plan

    plan = funding_plan(county, month)
    data = exports.funding_plan_xlsx(plan) if fmt == "xlsx" else exports.funding_plan_docx(
        county, month)
    record("supervision.funding_plan", county, actor=actor, details={
        "month": month.isoformat(), "format": fmt, "total_fen": plan["total_fen"]})
    return data
