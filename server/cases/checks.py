"""Prerequisite checks, a registry keyed by the names transitions list in ``checks``.

A check looks at the case and the transition's context and returns the problems that block
it: ``Problem(path, message)`` (422, with the field path to fix) or ``status=403`` for rules
about who may act (separation of duties).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import in_page_language
from ..money import yuan_to_fen
from ..relief import item


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    status: int = 422

    def as_dict(self) -> dict:
        return {"path": self.path, "message": str(self.message)}


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
        return [Problem("members", _("The case has no applicant or household members"))]
    return []


@check
def appraisal_flagged(case, ctx):
    if not case.flags:
        return [Problem("flags", _("Only a case marked doubtful, disputed or objected to in publicity needs a democratic review: mark it first"))]
    return []


@check
def investigators_recorded(case, ctx):
    if not ctx.data.get("investigators"):
        return [Problem("data.investigators", _("Enter the investigators"))]
    return []


@check
def home_visit_investigators(case, ctx):
    needed = ctx.settings.home_visit_min_investigators
    if ctx.data.get("is_home_visit") and len(ctx.data.get("investigators") or ()) < needed:
        return [Problem("data.investigators", _("A home visit needs at least %(needed)s investigators", needed=needed))]
    return []


@check
def income_recorded(case, ctx):
    if item(case.relief_type).is_one_off:
        return []  # temporary aid is decided on the hardship, not on the income line
    figures = ctx.figures
    if figures.per_capita_income is None:
        return [Problem(figures.income_path, _("The application has no monthly income per person: the amount cannot be calculated"))]
    if figures.per_capita_income < 0:
        return [Problem(figures.income_path, _("The monthly income per person cannot be negative"))]
    return []


@check
def not_sole_investigator(case, ctx):
    if ctx.settings.separate_investigator_approver and case.investigators == [ctx.actor.id]:
        return [Problem("investigators", _("The only investigator cannot also approve (who investigates, signs and answers for it)"),
                        status=403)]
    return []


@check
def reviewer_not_approver(case, ctx):
    """谁调查、谁签字、谁负责: the one who reviewed the investigation does not approve it."""
    if ctx.settings.separate_investigator_approver and case.reviewer_id == ctx.actor.id:
        return [Problem("reviewer_id", _("The reviewer cannot also approve (who investigates, signs and answers for it)"),
                        status=403)]
    return []


@check
def investigation_done(case, ctx):
    if not case.investigators:
        return [Problem("investigators", _("The home visit's findings are not entered yet: the case cannot be reviewed"))]
    return []


@check
def visit_dated(case, ctx):
    visited = ctx.data.get("visited_on")
    if visited and visited > ctx.on.isoformat():
        return [Problem("data.visited_on", _("The home visit cannot be later than the day of this step"))]
    if visited and case.accepted_on and visited < case.accepted_on.isoformat():
        return [Problem("data.visited_on", _("The home visit cannot be earlier than the day the case was accepted"))]
    return []


@check
def appraisal_dated(case, ctx):
    if ctx.data["held_on"] > ctx.on.isoformat():
        return [Problem("data.held_on", _("The review meeting cannot be later than the day of this step"))]
    return []


@check
def appraisal_votes(case, ctx):
    """Votes fit the meeting: at least one, no more than the participants, and the result
    follows them (同意 only with more than half of the votes cast)."""
    votes = {k: ctx.data[k] for k in ("votes_for", "votes_against", "votes_abstain")}
    cast, present = sum(votes.values()), len(ctx.data["participants"])
    if cast == 0:
        return [Problem("data.votes_for", _("No votes are entered: enter the result of the vote"))]
    if cast > present:
        return [Problem("data.votes_for", _("%(cast)s votes were cast, more than the %(present)s people present", cast=cast, present=present))]
    majority = votes["votes_for"] * 2 > cast
    if ctx.data["result"] == "agree" and not majority:
        return [Problem("data.result", _("%(votes)s votes for are not more than half of %(cast)s: the result cannot be "
                                         "\"agreed\"", votes=votes["votes_for"], cast=cast))]
    if ctx.data["result"] == "disagree" and majority:
        return [Problem("data.result", _("%(votes)s votes for are more than half of %(cast)s: the result cannot be "
                                         "\"not agreed\"", votes=votes["votes_for"], cast=cast))]
    return []


@check
def county_visit_if_relative(case, ctx):
    if case.is_relative_case and case.county_visit_on is None:
        return [Problem("county_visit_on", _("A case of a registered relative is reviewed only after the county's home visit"))]
    return []


@check
def not_extended(case, ctx):
    if case.is_extended:
        return [Problem("is_extended", _("The time limit was already extended once"))]
    return []


@check
def referral_open(case, ctx):
    if not any(d.kind == "referral" and d.done_on is None for d in case.deadlines):
        return [Problem("deadlines", _("No referral is waiting for feedback"))]
    return []


@check
def publicity_over(case, ctx):
    end = case.publicity_end_on
    if end is None or ctx.on <= end:
        shown = f"{end:%Y-%m-%d}" if end else "—"
        return [Problem("publicity_end_on", _("The publicity runs until %(day)s: this step comes after it", day=shown))]
    return []


def _amount_fen(ctx) -> int:
    return yuan_to_fen(ctx.data["amount"])


@check
def amount_higher(case, ctx):
    if _amount_fen(ctx) <= case.monthly_amount_fen:
        return [Problem("data.amount", _("A raised amount must be more than the current monthly amount"))]
    return []


@check
def amount_lower(case, ctx):
    if _amount_fen(ctx) >= case.monthly_amount_fen:
        return [Problem("data.amount", _("A reduced amount must be less than the current monthly amount"))]
    return []


@check
def month_open(case, ctx):
    """Payment changes may not touch a month the township has already filed (reopen first)."""
    from ..filings.queries import is_month_locked

    month = ctx.on.replace(day=1)
    if is_month_locked(case.region, month):
        return [Problem("effective_on", _("The report of %(year)s-%(month)s is filed and locked: a reviewer must reopen it "
                                          "first", year=month.year, month=month.month))]
    return []


@check
def months_within_limit(case, ctx):
    limit = ctx.settings.gradual_exit_max_months
    if ctx.data["months"] > limit:
        return [Problem("data.months", _("The gradual exit lasts at most %(months)s months", months=limit))]
    return []


class CaseError(Exception):
    """A refused case operation: HTTP-like status, a message and field problems. Messages may
    be lazy: effects run under the office's locale, the refusal is shown in the reader's."""

    def __init__(self, status: int, message=None, problems: list[Problem] | None = None):
        super().__init__(message)
        self.status = status
        self._message = message
        self.problems = problems or []

    @property
    def message(self) -> str:
        """The message in the current language (the problems' messages when none was given)."""
        if self._message is None:
            return in_page_language("；", "; ").join(str(p.message) for p in self.problems)
        return str(self._message)

    def __str__(self) -> str:
        return self.message

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> CaseError:
        status = 403 if any(p.status == 403 for p in problems) else 422
        return cls(status, None, [p for p in problems if p.status == status])

    def errors(self) -> list[dict]:
        return [p.as_dict() for p in self.problems]


STALE_MESSAGE = _l("Someone else changed this case meanwhile: reload the page and try again")
