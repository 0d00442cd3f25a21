"""What a transition does to a case, a registry keyed by the names in ``Transition.effects``.

An effect mutates the case (and may add change rows) in the caller's transaction; it raises
``CaseError`` when the case lacks what the effect needs (e.g. no standard in force).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..money import yuan_to_fen
from ..periods import add_months, first_of_next_month, local_noon_utc, local_today
from ..relief import item
from ..standards.amounts import calculate, payment_start_month
from ..standards.queries import standard_for
from .checks import CaseError, Problem
from .fields import APPRAISAL_RESULTS
from .household import MissingInput, amount_inputs
from .models import CaseChange
from .workflows import county_id_of

EFFECTS: dict[str, Callable] = {}


def effect(fn):
    EFFECTS[fn.__name__] = fn
    return fn


def _moment(on):
    """The UTC timestamp of a business date: now if it is today, else noon local time."""
    if on == local_today():
        from ..db import utcnow

        return utcnow()
    return local_noon_utc(on)


def _change(case, ctx, kind, **values) -> CaseChange:
    row = CaseChange(kind=kind, reason=ctx.data.get("reason") or "", effective_on=ctx.on,
                     created_by_id=ctx.actor.id, **values)
    case.changes.append(row)
    return row


@effect
def add_flag(case, ctx):
    if ctx.data["flag"] not in case.flags:
        case.flags = [*case.flags, ctx.data["flag"]]


@effect
def record_objection(case, ctx):
    if "objection" not in case.flags:
        case.flags = [*case.flags, "objection"]


@effect
def record_investigation(case, ctx):
    case.investigators = list(ctx.data["investigators"])
    case.is_home_visit = bool(ctx.data.get("is_home_visit"))
    case.reviewer_id = ctx.data.get("reviewer") or ctx.actor.id
    ctx.data.setdefault("reviewer", case.reviewer_id)
    ctx.data.setdefault("visited_on", ctx.on.isoformat())


@effect
def record_appraisal(case, ctx):
    """The minutes print the result as a conclusion sentence."""
    with force_locale("zh_CN"):  # stored with the event and printed: the office's language
        ctx.data["conclusion"] = str(dict(APPRAISAL_RESULTS)[ctx.data["result"]])


OPINIONS = {"approve": "经调查核实，符合救助条件，同意给予救助",
            "refuse": "经调查核实，不符合救助条件，不予救助。理由：{reason}"}


@effect
def record_opinion(case, ctx):
    """The 审核意见 printed on the decision form: what the approver wrote, else the default."""
    if not ctx.data.get("decision_opinion"):
        ctx.data["decision_opinion"] = OPINIONS[ctx.transition.action].format(
            reason=ctx.data.get("reason") or "")


@effect
def record_county_visit(case, ctx):
    case.county_visit_on = ctx.on


@effect
def record_approver(case, ctx):
    case.approver_id = ctx.actor.id


@effect
def compute_amount(case, ctx):
    """Amount from the standard in force on the decision date; stores its version id."""
    standard = standard_for(county_id_of(case), case.urban_rural, ctx.on)
    if standard is None:
        raise CaseError.from_problems([Problem(
            "standard_version_id", _l("No relief standard is in force on %(day)s: a county "
                                      "administrator must enter it first",
                                      day=ctx.on.isoformat()))])
    try:
        result = calculate(case.relief_type, standard,
                           **amount_inputs(case, ctx.figures, ctx.data.get("requested_amount")))
    except MissingInput as exc:
        raise CaseError.from_problems([Problem(exc.path, exc.message)]) from None
    except ValueError as exc:
        raise CaseError.from_problems([Problem(ctx.figures.income_path, str(exc))]) from None
    if not result.is_eligible:
        reason = result.refusal or "；".join(result.notes) or _l("Not eligible")
        raise CaseError.from_problems([Problem("amount", _l(
            "%(reason)s (%(formula)s): refuse support instead", reason=reason,
            formula=result.formula))])
    case.standard_version_id = standard.id
    if ctx.figures.per_capita_income is not None:
        case.per_capita_income_fen = yuan_to_fen(ctx.figures.per_capita_income,
                                                 allow_negative=True)
    case.persons_covered = int(result.inputs.get("persons") or ctx.figures.persons)
    if result.monthly:
        case.monthly_amount_fen, case.one_off_amount_fen = result.amount_fen, 0
    else:
        case.monthly_amount_fen, case.one_off_amount_fen = 0, result.amount_fen
    case.amount_formula = result.formula
    case.amount_inputs = result.as_dict()["inputs"] | {"standard_label": standard.label,
                                                      "notes": result.notes}
    case.needs_county_decision = result.needs_county_decision
    if item(case.relief_type).has_care_levels:
        case.care_level = ctx.figures.care_level


@effect
def route_by_delegation(case, ctx):
    """A township decides only what the county delegated to it on the decision date (赋权清单);
    otherwise its approval or refusal is a proposal and the case goes to the county with the
    reason."""
    from ..delegation.queries import not_delegated_reason

    case.county_reason = not_delegated_reason(case.region, case.relief_type, ctx.on) or ""


@effect
def decide(case, ctx):
    """The final decision: payment starts the month after it (paid types only). A township
    approval without the delegation is no decision: the county's approval is."""
    if ctx.transition.action == "approve" and case.county_reason:
        return
    case.decision = "approve"
    case.decided_at = _moment(ctx.on)
    if ctx.settings.is_paid:
        case.payment_start_month = payment_start_month(ctx.on)


@effect
def record_refusal(case, ctx):
    if ctx.transition.action == "refuse" and case.county_reason:
        return  # a proposal: the county's refusal is the decision
    case.decision = "refuse"
    case.refusal_reason = ctx.data.get("reason") or ""
    case.decided_at = _moment(ctx.on)


@effect
def start_publicity(case, ctx):
    case.publicity_start_on = ctx.on
    case.publicity_end_on = ctx.on + timedelta(days=ctx.settings.publicity_days - 1)


@effect
def extend_total(case, ctx):
    case.is_extended = True
    for deadline in case.deadlines:
        if deadline.kind == "total" and deadline.done_on is None:
            deadline.length = ctx.settings.extended_total_days


@effect
def record_emergency_aid(case, ctx):
    case.emergency_aid_fen = yuan_to_fen(ctx.data["amount"])
    case.emergency_aid_on = ctx.on


def _months_for(case, ctx, category) -> int:
    months = ctx.settings.recheck_months
    return int(months.get(category) or months.get(ctx.settings.default_recheck_category) or 12)


@effect
def choose_recheck_category(case, ctx):
    if ctx.data.get("recheck_category"):
        case.recheck_category = ctx.data["recheck_category"]


@effect
def schedule_recheck(case, ctx):
    category = (ctx.data.get("recheck_category") or case.recheck_category
                or ctx.settings.default_recheck_category)
    case.recheck_category = category
    start = case.payment_start_month or ctx.on
    case.next_recheck_on = add_months(start, _months_for(case, ctx, category))


@effect
def record_recheck(case, ctx):
    category = ctx.data.get("recheck_category") or case.recheck_category or \
        ctx.settings.default_recheck_category
    case.recheck_category = category
    case.last_recheck_on = ctx.on
    case.next_recheck_on = add_months(ctx.on, _months_for(case, ctx, category))
    _change(case, ctx, "recheck", amount_before_fen=case.monthly_amount_fen,
            amount_after_fen=case.monthly_amount_fen, data={"category": category})


@effect
def record_member_death(case, ctx):
    died_on = ctx.deadline_start["member_death"] = datetime.fromisoformat(
        ctx.data["died_on"]).date()
    member = next(m for m in case.members if m.id == ctx.data["member"])
    due = add_months(died_on, ctx.settings.member_death_months)
    _change(case, ctx, "member_death", due_on=due, amount_before_fen=case.monthly_amount_fen,
            amount_after_fen=case.monthly_amount_fen,
            data={"member_id": member.id, "name": member.name, "died_on": died_on.isoformat()})


@effect
def change_amount(case, ctx):
    new = yuan_to_fen(ctx.data["amount"])
    _change(case, ctx, ctx.transition.action, amount_before_fen=case.monthly_amount_fen,
            amount_after_fen=new)
    case.monthly_amount_fen = new


@effect
def set_approved_amount(case, ctx):
    """一事一议: the county may approve another amount than the township's (one-off or monthly)."""
    if not ctx.data.get("approved_amount"):
        return
    fen = yuan_to_fen(ctx.data["approved_amount"])
    ctx.data["township_amount_fen"] = (case.one_off_amount_fen if ctx.settings.is_one_off
                                       else case.monthly_amount_fen)
    if ctx.settings.is_one_off:
        case.one_off_amount_fen = fen
    else:
        case.monthly_amount_fen = fen


@effect
def schedule_amount(case, ctx):
    """A county correction: the new monthly amount is paid from the month after the decision;
    this month is paid as before."""
    settle_scheduled_amount(case, ctx.on)
    month = first_of_next_month(ctx.on)
    new = yuan_to_fen(ctx.data["amount"])
    row = _change(case, ctx, ctx.transition.action, amount_before_fen=case.monthly_amount_fen,
                  amount_after_fen=new, data={"from_month": month.isoformat()})
    row.effective_on = month
    case.scheduled_amount_fen, case.scheduled_amount_month = new, month
    ctx.data["from_month"] = month.isoformat()


def settle_scheduled_amount(case, on) -> None:
    """Fold a scheduled amount whose month has come into the case's monthly amount, so later
    steps (increase, decrease) start from what is paid."""
    if case.scheduled_amount_month is not None and case.scheduled_amount_month <= on:
        case.monthly_amount_fen = case.scheduled_amount_fen or 0
        case.scheduled_amount_fen = case.scheduled_amount_month = None


@effect
def order_reinvestigation(case, ctx):
    """The county ordered the township to investigate again (a served case stays paid)."""
    if "reinvestigate" not in case.flags:
        case.flags = [*case.flags, "reinvestigate"]


@effect
def start_gradual_exit(case, ctx):
    months = ctx.deadline_length["gradual_exit"] = ctx.data["months"]
    case.gradual_exit_until = add_months(ctx.on.replace(day=1), months)
    _change(case, ctx, "gradual_exit", amount_before_fen=case.monthly_amount_fen,
            amount_after_fen=case.monthly_amount_fen,
            data={"months": months, "until": case.gradual_exit_until.isoformat()})


@effect
def stop_payment(case, ctx):
    """Paid up to this month; nothing from the next month on."""
    case.payment_end_month = ctx.on.replace(day=1)
    _change(case, ctx, ctx.transition.action, amount_before_fen=case.monthly_amount_fen,
            amount_after_fen=0, data={"last_month": case.payment_end_month.isoformat()})


@effect
def stop_for_dishonesty(case, ctx):
    """失信: nothing is paid from the month of listing on (the notice prints the facts)."""
    from ..db import db
    from .dishonesty import kind_label
    from .models import DishonestyEntry

    entry = db.session.get(DishonestyEntry, ctx.data["dishonesty"])
    warning = entry.warning
    stop_month = ctx.on.replace(day=1)
    case.payment_end_month = add_months(stop_month, -1)
    with force_locale("zh_CN"):  # stored with the event and printed: the office's language
        label = kind_label(entry.kind)
    ctx.data.update({
        "kind": entry.kind, "kind_label": label, "facts": entry.reason,
        "listed_on": entry.listed_on.isoformat(), "expires_on": entry.expires_on.isoformat(),
        "stop_month": stop_month.isoformat(),
        "warned_on": warning.warned_on.isoformat() if warning else None,
        "correction_due_on": warning.correction_due_on.isoformat() if warning else None,
        "reason": f"列入失信名单：{label}"})
    _change(case, ctx, "dishonesty_stop", amount_before_fen=case.monthly_amount_fen,
            amount_after_fen=0, data={"dishonesty_id": entry.id,
                                      "last_month": case.payment_end_month.isoformat()})
