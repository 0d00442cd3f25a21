"""Township evaluation (联评): every figure registered in ``registry.METRICS``, normalised across
the county's townships, weighted by the county's settings, ranked; the bottom ones are the
candidates for close supervision next year.

This module registers the figures the supervision room owns (decisions on time and average
working days, from the 备案 register's rule; overdue cases, from the cases room's clocks) and
reads everything the evaluation page, its charts, the XLSX and the API show. Each figure is
one query over the whole period for all townships, never a loop per township.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from ..calendar.workdays import working_days_between
from ..cases import clocks
from ..cases.models import Case, CaseDeadline, CaseEvent
from ..cases.workflows import PAUSE_STATES
from ..db import db
from ..i18n import is_english
from ..periods import Period, local_today, month_of
from ..regions.models import Region
from . import queries
from .evaluation_models import CloseSupervisionMark, EvaluationSetting
from .registry import DECISION_ACTIONS, METRICS, TOTAL_CLOCK_ACTIONS, Metric, metric

DEFAULT_WEIGHT = 1
MAX_WEIGHT = 100
BOTTOM_KINDS = ("count", "percent")
DEFAULT_BOTTOM = ("count", 1)


def _town_prefix():
    # literal bounds, so PostgreSQL sees the same expression in SELECT and GROUP BY
    return func.substr(Region.code, literal_column("1"), literal_column("9"))


def _townships(township_ids) -> dict[str, int]:
    """township code prefix -> township id."""
    rows = db.session.execute(select(Region.code, Region.id).where(Region.id.in_(township_ids)))
    return {code[:9]: tid for code, tid in rows}


# -- decisions: on time and working days, by the register's rule -----------------------------

@dataclass
class DecisionCounts:
    decided: int = 0
    late: int = 0
    days: int = 0  # working days from acceptance to an approve/refuse decision, summed
    timed: int = 0  # the approve/refuse decisions those days were counted for

    def add(self, other: DecisionCounts) -> None:
        self.decided += other.decided
        self.late += other.late
        self.days += other.days
        self.timed += other.timed

    @property
    def on_time_percent(self) -> float | None:
        return None if not self.decided else 100 * (self.decided - self.late) / self.decided

    @property
    def average_days(self) -> float | None:
        return None if not self.timed else self.days / self.timed


def decision_counts(township_ids, start: date, end: date) -> dict[tuple[int, date], DecisionCounts]:
    """(township id, month) -> the decisions of the period as the 备案 register counts them.

    One query for the whole period gives each decision with the deadline it answered
    (``queries.answered_deadline``'s rule in SQL: the first matching one by id) and whether
    the case was paused before it; only those paused cases' histories are read. Late/on time
    is ``clocks.due_date`` with the pauses before the decision, exactly the register's rule;
    unpaused clocks are memoised by (start, length, unit) since most cases share them."""
    key = ("decisions", tuple(sorted(township_ids)), start, end)
    cache = g.setdefault("_evaluation_cache", {}) if has_app_context() else {}
    if key in cache:
        return cache[key]
    towns = _townships(township_ids)
    county_of = dict(db.session.execute(select(Region.id, Region.parent_id).where(
        Region.id.in_(township_ids))).all())
    event, answered, pause = aliased(CaseEvent), aliased(CaseDeadline), aliased(CaseEvent)
    total = event.action.in_(list(TOTAL_CLOCK_ACTIONS))
    first_answered = (select(func.min(answered.id)).where(
        answered.case_id == event.case_id, answered.started_on <= event.effective_on,
        or_(total & (answered.kind == "total"),
            ~total & (answered.kind != "total") & (answered.done_on == event.effective_on)))
        .correlate(event).scalar_subquery())
    paused_before = (select(pause.id).where(
        pause.case_id == event.case_id, pause.to_state.in_(list(PAUSE_STATES)),
        pause.effective_on < event.effective_on).correlate(event).exists())
    rows = db.session.execute(
        select(event.case_id, event.action, event.effective_on, _town_prefix(),
               CaseDeadline.started_on, CaseDeadline.length, CaseDeadline.unit,
               CaseDeadline.id, paused_before)
        .join(Case, Case.id == event.case_id).join(Region, Region.id == Case.region_id)
        .outerjoin(CaseDeadline, CaseDeadline.id == first_answered)
        .where(event.action.in_(list(DECISION_ACTIONS)), event.effective_on >= start,
               event.effective_on <= end, _town_prefix().in_(list(towns)))).all()
    paused_ids = {row[0] for row in rows if row[8]}
    history: dict[int, list] = defaultdict(list)
    if paused_ids:
        for row in db.session.execute(
                select(CaseEvent.case_id, CaseEvent.to_state, CaseEvent.effective_on)
                .where(CaseEvent.case_id.in_(paused_ids)).order_by(CaseEvent.id)):
            history[row.case_id].append(row)
    due_memo: dict = {}
    days_memo: dict = {}
    months: dict = {}
    out: dict[tuple[int, date], DecisionCounts] = defaultdict(DecisionCounts)
    for case_id, action, on, prefix, started, length, unit, deadline_id, paused in rows:
        town = towns[prefix]
        month = months.get((on.year, on.month))
        if month is None:
            month = months[(on.year, on.month)] = month_of(on)
        counts = out[(town, month)]
        counts.decided += 1
        if deadline_id is None:
            continue  # no clock applied: the register counts it on time
        county = county_of.get(town)
        deadline = SimpleNamespace(started_on=started, length=length, unit=unit)
        before = (queries.pauses_before(SimpleNamespace(events=history[case_id]), on)
                  if paused else [])
        if before:
            due = clocks.due_date(deadline, county, before)
        else:
            memo = (started, length, unit, county)
            due = due_memo.get(memo)
            if due is None:
                due = due_memo[memo] = clocks.due_date(deadline, county, [])
        counts.late += on > due
        if action in TOTAL_CLOCK_ACTIONS:
            if before:
                days = working_days_between(started, on, county, before)
            else:
                memo = (started, on, county)
                days = days_memo.get(memo)
                if days is None:
                    days = days_memo[memo] = working_days_between(started, on, county)
            counts.days += days
            counts.timed += 1
    cache[key] = dict(out)
    return cache[key]


def _per_township(township_ids, start, end) -> dict[int, DecisionCounts]:
    totals: dict[int, DecisionCounts] = {tid: DecisionCounts() for tid in township_ids}
    for (town, _month), counts in decision_counts(township_ids, start, end).items():
        totals[town].add(counts)
    return totals


@metric("on_time", _l("Decisions on time"), better="higher", unit="percent", order=10)
def on_time_share(township_ids, start, end):
    """Share of the period's township decisions made within their clock (备案 register)."""
    return {tid: c.on_time_percent for tid, c in _per_township(township_ids, start, end).items()}


@metric("working_days", _l("Average working days to decide"), better="lower", unit="days",
        order=20)
def average_working_days(township_ids, start, end):
    """Working days from acceptance to an approval or refusal, pauses not counted."""
    return {tid: c.average_days for tid, c in _per_township(township_ids, start, end).items()}


@metric("overdue_cases", _l("Overdue cases"), better="lower", unit="count", order=30)
def overdue_cases(township_ids, start, end):
    """Cases with a clock that fell due in the period (before today) and was not met by then;
    None for a township with no clock due in the period (nothing to measure)."""
    towns = _townships(township_ids)
    today = local_today()
    missed = or_(CaseDeadline.done_on.is_(None), CaseDeadline.done_on > CaseDeadline.due_on)
    rows = db.session.execute(
        select(_town_prefix(), func.count(func.distinct(CaseDeadline.case_id)),
               func.count(func.distinct(case((missed, CaseDeadline.case_id)))))
        .join(Case, Case.id == CaseDeadline.case_id).join(Region, Region.id == Case.region_id)
        .where(CaseDeadline.due_on >= start, CaseDeadline.due_on <= end,
               CaseDeadline.due_on < today, _town_prefix().in_(list(towns)))
        .group_by(_town_prefix()))
    out: dict[int, int | None] = dict.fromkeys(township_ids)
    for prefix, due, overdue in rows:
        out[towns[prefix]] = overdue if due else None
    return out


# -- settings ---------------------------------------------------------------------------------

def setting_of(county: Region) -> EvaluationSetting | None:
    return db.session.scalars(select(EvaluationSetting).where(
        EvaluationSetting.region_id == county.id)).first()


def metrics() -> list[Metric]:
    return sorted(METRICS.values(), key=lambda m: (m.order, m.key))


def weights_of(setting: EvaluationSetting | None) -> dict[str, int]:
    """Every registered figure's weight; a figure the county never weighted has the default."""
    stored = setting.weights if setting is not None else {}
    return {m.key: int(stored.get(m.key, DEFAULT_WEIGHT)) for m in metrics()}


def bottom_rule(setting: EvaluationSetting | None) -> tuple[str, int]:
    return (setting.bottom_kind, setting.bottom_value) if setting is not None else DEFAULT_BOTTOM


def bottom_size(rule: tuple[str, int], ranked: int) -> int:
    """How many of the ranked townships are at the bottom; never all of them (a township
    is behind only when another is ahead of it)."""
    kind, value = rule
    size = value if kind == "count" else math.ceil(ranked * value / 100)
    return max(0, min(size, ranked - 1))


# -- the evaluation ---------------------------------------------------------------------------

@dataclass
class TownshipResult:
    township: Region
    values: dict[str, float | None]
    normalised: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None
    is_bottom: bool = False
    mark: CloseSupervisionMark | None = None


@dataclass
class Evaluation:
    period: Period
    county: Region | None
    metrics: list[Metric]
    weights: dict[str, int]
    bottom: tuple[str, int]
    rows: list[TownshipResult]  # ranked first (best first), then those with no score
    trend: list[float | None]  # the county's share of decisions on time, month by month

    @property
    def bottom_rows(self) -> list[TownshipResult]:
        return [r for r in self.rows if r.is_bottom]


def normalise(values: dict[int, float | None], better: str) -> dict[int, float | None]:
    """0–100 across townships: the best value 100, the worst 0 (all equal: 100); None stays
    None and is not counted."""
    known = [v for v in values.values() if v is not None]
    if not known:
        return dict.fromkeys(values)
    low, high = min(known), max(known)
    out: dict[int, float | None] = {}
    for tid, v in values.items():
        if v is None:
            out[tid] = None
        elif high == low:
            out[tid] = 100.0
        else:
            share = (v - low) / (high - low)
            out[tid] = 100 * (share if better == "higher" else 1 - share)
    return out


def score(normalised: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """The weighted mean of the normalised figures the township has (weight 0 and None skipped)."""
    pairs = [(weights.get(k, DEFAULT_WEIGHT), v) for k, v in normalised.items() if v is not None]
    total = sum(w for w, _ in pairs)
    return None if total <= 0 else sum(w * v for w, v in pairs) / total


def evaluate(period: Period, user=None) -> Evaluation:
    """Every township the user sees, with every registered figure for the period, ranked."""
    towns = queries.townships(user)
    county = towns[0].county if towns else None
    setting = setting_of(county) if county is not None else None
    weights, rule, chosen = weights_of(setting), bottom_rule(setting), metrics()
    ids = [t.id for t in towns]
    results = {t.id: TownshipResult(t, {}) for t in towns}
    for m in chosen:
        values = m.compute(ids, period.start, period.end) if ids else {}
        values = {tid: values.get(tid) for tid in ids}
        for tid, value in values.items():
            results[tid].values[m.key] = value
        for tid, value in normalise(values, m.better).items():
            results[tid].normalised[m.key] = value if weights[m.key] > 0 else None
    for r in results.values():
        r.score = score(r.normalised, weights)
    ranked = sorted((r for r in results.values() if r.score is not None),
                    key=lambda r: (-r.score, r.township.code))
    for n, r in enumerate(ranked):
        # equal scores share the better rank (1, 1, 3)
        r.rank = ranked[n - 1].rank if n and math.isclose(r.score, ranked[n - 1].score) else n + 1
    size = bottom_size(rule, len(ranked))
    for r in ranked[len(ranked) - size:] if size else []:
        r.is_bottom = True
    marks = {m.region_id: m for m in db.session.scalars(select(CloseSupervisionMark).where(
        CloseSupervisionMark.year == period.start.year + 1,
        CloseSupervisionMark.region_id.in_(ids)))} if ids else {}
    for r in results.values():
        r.mark = marks.get(r.township.id)
    unranked = sorted((r for r in results.values() if r.score is None),
                      key=lambda r: r.township.code)
    return Evaluation(period, county, chosen, weights, rule, ranked + unranked,
                      _trend(period, towns))


def _trend(period: Period, towns: list[Region]) -> list[float | None]:
    """Each month's share of decisions on time, county-wide (the dashboard's line chart)."""
    if not towns:
        return []
    counts = decision_counts([t.id for t in towns], period.start, period.end)
    months = period.month_starts()
    county = {m: DecisionCounts() for m in months}
    for (_town, month), c in counts.items():
        county[month].add(c)
    return [county[m].on_time_percent for m in months]


# -- the table the page, the XLSX and the print layout show ------------------------------------

UNIT_SUFFIX = {"percent": "%", "days": "", "count": "", "score": ""}


def display(value: float | None, unit: str) -> str:
    """A figure as shown: one decimal (counts whole), "—" when not measured."""
    if value is None:
        return "—"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.1f}{UNIT_SUFFIX.get(unit, '')}"


def header(result: Evaluation) -> list[str]:
    return ([_("Rank"), _("Township")] + [str(m.label) for m in result.metrics]
            + [_("Score"), _("Close supervision next year")])


def mark_text(row: TownshipResult) -> str:
    if row.mark is not None:
        return _("Marked")
    return _("Bottom of the ranking") if row.is_bottom else ""


def table(result: Evaluation) -> list[list[str]]:
    """One row per township, every cell text exactly as the page prints it."""
    return [[str(r.rank) if r.rank else "—", r.township.name]
            + [display(r.values.get(m.key), m.unit) for m in result.metrics]
            + [display(r.score, "score"), mark_text(r)] for r in result.rows]


def xlsx(result: Evaluation) -> bytes:
    """The evaluation table with its weights, A4 landscape, formula-safe cells."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..sheets import append_row

    book = Workbook()
    sheet = book.active
    sheet.title = _("Township evaluation")[:31]
    county = result.county.name if result.county else ""
    append_row(sheet, [f"{county} {result.period.label} {_('Township evaluation')}"])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, [_("Weights") + "："
                       + "；".join(f"{m.label} {result.weights[m.key]}" for m in result.metrics)])
    append_row(sheet, header(result))
    for row in table(result):
        append_row(sheet, row)
    sheet.column_dimensions["B"].width = 16
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def charts(result: Evaluation) -> list:
    """The dashboard's SVG charts: scores, then one bar chart per figure, then the trend."""
    from .. import charts as svg

    names = [r.township.name for r in result.rows]
    bottom = frozenset(n for n, r in enumerate(result.rows) if r.is_bottom)
    out = [svg.bar_chart(_("Score by township (%(period)s)", period=result.period.label), names,
                         [r.score for r in result.rows], maximum=100, highlight=bottom)]
    for m in result.metrics:
        out.append(svg.bar_chart(str(m.label), names, [r.values.get(m.key) for r in result.rows],
                                 unit=UNIT_SUFFIX.get(m.unit, ""),
                                 digits=0 if m.unit == "count" else 1,
                                 maximum=100 if m.unit == "percent" else None))
    if result.period.kind != "month" and result.trend:
        months = [f"{m:%m}" if is_english() else f"{m.month}月"
                  for m in result.period.month_starts()]
        out.append(svg.line_chart(_("Decisions on time by month"), months,
                                  {_("Whole county"): result.trend}, unit="%", maximum=100))
    return out
