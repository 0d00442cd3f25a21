"""Prerequisite checks, a registry keyed by the names transitions list in ``checks``.

A check looks at the case and the transition's context and returns the problems that block
it: ``Problem(path, message)`` (422, with the field path to fix) or ``status=403`` for rules
about who may act (separation of duties).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from ..money import yuan_to_fen
from ..relief import item


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    status: int = 422

    def as_dict(self) -> dict:
        return {"path": self.path, "message": self.message}


CHECKS: dict[str, Callable] = {}
# what each check asks, for the workflow settings page (a check without one shows its name)
CHECK_LABELS = {
    "has_applicant": _l("The case has an applicant and members"),
    "appraisal_flagged": _l("The case is flagged (doubt, dispute or objection)"),
    "investigators_recorded": _l("Investigators are recorded"),
    "home_visit_investigators": _l("Enough investigators on a home visit"),
    "income_recorded": _l("The per-capita income is recorded"),
    "not_sole_investigator": _l("The approver is not the only investigator"),
    "reviewer_not_approver": _l("The reviewer is not the approver"),
    "investigation_done": _l("The investigation is recorded"),
    "visit_dated": _l("The visit date is not after the step"),
    "appraisal_dated": _l("The appraisal date is not after the step"),
    "appraisal_votes": _l("The appraisal votes are recorded"),
    "county_visit_if_relative": _l("County home check for relatives of staff"),
    "not_extended": _l("The time limit was not extended before"),
    "referral_open": _l("A referral awaits its answer"),
    "publicity_over": _l("The publicity period has ended"),
    "amount_higher": _l("The new amount is higher"),
    "amount_lower": _l("The new amount is lower"),
    "month_open": _l("The month is not filed"),
    "months_within_limit": _l("The gradual exit is within its limit"),
}


def check_label(name: str) -> str:
    return str(CHECK_LABELS.get(name, name))


def check(fn):
    CHECKS[fn.__name__] = fn
    return fn


@check
def has_applicant(case, ctx):
    if not case.applicant_id_number or not case.members:
        return [Problem("members", "案件没有申请人或家庭成员信息")]
    return []


@check
def appraisal_flagged(case, ctx):
    if not case.flags:
        return [Problem("flags", "只有调查存疑、有争议或公示有异议的案件才需民主评议，请先标记")]
    return []


@check
def investigators_recorded(case, ctx):
    if not ctx.data.get("investigators"):
        return [Problem("data.investigators", "请填写调查人员")]
    return []


@check
def home_visit_investigators(case, ctx):
    needed = ctx.settings.home_visit_min_investigators
    if ctx.data.get("is_home_visit") and len(ctx.data.get("investigators") or ()) < needed:
        return [Problem("data.investigators", f"入户调查至少需要 {needed} 名调查人员")]
    return []


@check
def income_recorded(case, ctx):
    if item(case.relief_type).is_one_off:
        return []  # temporary aid is decided on the hardship, not on the income line
    figures = ctx.figures
    if figures.per_capita_income is None:
        return [Problem(figures.income_path, "申请表中没有家庭人均月收入，无法计算救助金额")]
    if figures.per_capita_income < 0:
        return [Problem(figures.income_path, "家庭人均月收入不能为负数")]
    return []


@check
def not_sole_investigator(case, ctx):
    if ctx.settings.separate_investigator_approver and case.investigators == [ctx.actor.id]:
        return [Problem("investigators", "同一人不能既是唯一调查人又是审批人（谁调查、谁签字、谁负责）",
                        status=403)]
    return []


@check
def reviewer_not_approver(case, ctx):
    """谁调查、谁签字、谁负责: the one who reviewed the investigation does not approve it."""
    if ctx.settings.separate_investigator_approver and case.reviewer_id == ctx.actor.id:
        return [Problem("reviewer_id", "审核人与审批人不能为同一人（谁调查、谁签字、谁负责）",
                        status=403)]
    return []


@check
def investigation_done(case, ctx):
    if not case.investigators:
        return [Problem("investigators", "尚未录入入户调查结果，不能审核确认")]
    return []


@check
def visit_dated(case, ctx):
    visited = ctx.data.get("visited_on")
    if visited and visited > ctx.on.isoformat():
        return [Problem("data.visited_on", "入户调查日期不能晚于办理日期")]
    if visited and case.accepted_on and visited < case.accepted_on.isoformat():
        return [Problem("data.visited_on", "入户调查日期不能早于受理日期")]
    return []


@check
def appraisal_dated(case, ctx):
    if ctx.data["held_on"] > ctx.on.isoformat():
        return [Problem("data.held_on", "评议时间不能晚于办理日期")]
    return []


@check
def appraisal_votes(case, ctx):
    """Votes fit the meeting: at least one, no more than the participants, and the result
    follows them (同意 only with more than half of the votes cast)."""
    votes = {k: ctx.data[k] for k in ("votes_for", "votes_against", "votes_abstain")}
    cast, present = sum(votes.values()), len(ctx.data["participants"])
    if cast == 0:
        return [Problem("data.votes_for", "表决票数合计为 0，请录入表决结果")]
    if cast > present:
        return [Problem("data.votes_for", f"表决票数合计 {cast} 票，超过参加人数 {present} 人")]
    majority = votes["votes_for"] * 2 > cast
    if ctx.data["result"] == "agree" and not majority:
        return [Problem("data.result", f"同意 {votes['votes_for']} 票未超过投票数 {cast} 的半数，"
                                       "评议结果不能为“同意”")]
    if ctx.data["result"] == "disagree" and majority:
        return [Problem("data.result", f"同意 {votes['votes_for']} 票已超过投票数 {cast} 的半数，"
                                       "评议结果不能为“不同意”")]
    return []


@check
def county_visit_if_relative(case, ctx):
    if case.is_relative_case and case.county_visit_on is None:
        return [Problem("county_visit_on", "近亲属备案案件须由县级入户核查后才能审核确认")]
    return []


@check
def not_extended(case, ctx):
    if case.is_extended:
        return [Problem("is_extended", "办理期限已延长过一次")]
    return []


@check
def referral_open(case, ctx):
    if not any(d.kind == "referral" and d.done_on is None for d in case.deadlines):
        return [Problem("deadlines", "没有待反馈的转办事项")]
    return []


@check
def publicity_over(case, ctx):
    end = case.publicity_end_on
    if end is None or ctx.on <= end:
        shown = f"{end:%Y-%m-%d}" if end else "—"
        return [Problem("publicity_end_on", f"公示期至 {shown}，期满后才能办理")]
    return []


def _amount_fen(ctx) -> int:
    return yuan_to_fen(ctx.data["amount"])


@check
def amount_higher(case, ctx):
    if _amount_fen(ctx) <= case.monthly_amount_fen:
        return [Problem("data.amount", "增发后的金额应高于当前月发放额")]
    return []


@check
def amount_lower(case, ctx):
    if _amount_fen(ctx) >= case.monthly_amount_fen:
        return [Problem("data.amount", "减发后的金额应低于当前月发放额")]
    return []


@check
def month_open(case, ctx):
    """Payment changes may not touch a month the township has already filed (reopen first)."""
    from ..filings.queries import is_month_locked

    month = ctx.on.replace(day=1)
    if is_month_locked(case.region, month):
        return [Problem("effective_on", f"{month.year}年{month.month}月的月报已上报并锁定，"
                                        "须经审核人重新开启后才能变更")]
    return []


@check
def months_within_limit(case, ctx):
    limit = ctx.settings.gradual_exit_max_months
    if ctx.data["months"] > limit:
        return [Problem("data.months", f"渐退期最长 {limit} 个月")]
    return []


class CaseError(Exception):
    """A refused case operation: HTTP-like status, a message and field problems."""

    def __init__(self, status: int, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> CaseError:
        status = 403 if any(p.status == 403 for p in problems) else 422
        shown = [p for p in problems if p.status == status]
        return cls(status, "；".join(p.message for p in shown), shown)

    def errors(self) -> list[dict]:
        return [p.as_dict() for p in self.problems]


STALE_MESSAGE = "该案件已被他人修改，请刷新后重试"
