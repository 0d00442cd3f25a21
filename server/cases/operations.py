"""Writes on cases: starting a case's clocks, transitions, edits, registers, settings.

Every change is recorded twice: as a ``CaseEvent`` (the procedure: who, which role, when) and
in the hash-chained audit trail with the before/after values of the case's columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event as sa_event
from sqlalchemy import literal, null, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import idnumber
from ..audit.operations import record
from ..db import db, lock_for_write, utcnow
from ..periods import add_months, local_today
from ..regions.models import Region
from ..relief import RELIEF_TYPES, ReliefCode
from . import clocks, household
from .checks import CHECKS, STALE_MESSAGE, CaseError, Problem
from .dishonesty import CORRECTION_DAYS, FraudKind
from .effects import EFFECTS, settle_scheduled_amount
from .fields import FIELDS, FieldProblem
from .models import (
    Case,
    CaseDeadline,
    CaseEvent,
    DishonestyEntry,
    DishonestyWarning,
    Member,
    RelativeRegisterEntry,
    WorkflowSetting,
)
from .workflows import (
    FINAL_STATES,
    OPEN_STATES,
    PREVIOUS,
    SAME,
    SERVED_STATES,
    STATE_LABELS,
    Settings,
    Transition,
    Workflow,
    build,
    county_id_of,
    settings_for,
    workflow_for,
)

AUDITED_SKIP = {"updated_at", "lock_version", "answers"}


def _json(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def snapshot(case: Case) -> dict:
    """The case's own columns as JSON-safe values (for the audit trail's before/after)."""
    return {c.key: _json(getattr(case, c.key)) for c in Case.__mapper__.column_attrs
            if c.key not in AUDITED_SKIP}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# -- starting a case ----------------------------------------------------------------------------

def _region(case: Case) -> Region | None:
    return case.region or (db.session.get(Region, case.region_id) if case.region_id else None)


def _open_deadline(case: Case, kind: str, started_on: date, length: int, unit: str) -> None:
    case.deadlines.append(CaseDeadline(kind=kind, started_on=started_on, length=length,
                                       unit=unit, due_on=started_on))


def _rule_length(rule, s: Settings, ctx_lengths: dict) -> int | None:
    if rule.kind in ctx_lengths:
        return ctx_lengths[rule.kind]
    if rule.kind == "total":
        return s.total_days
    return getattr(s, rule.length_setting) if rule.length_setting else None


def _apply_deadlines(case: Case, wf: Workflow, action: str, on: date, starts: dict,
                     lengths: dict) -> None:
    for rule in wf.deadlines:
        if action in rule.closed_by:
            for d in case.deadlines:
                if d.kind == rule.kind and d.done_on is None:
                    d.done_on = on
        if action in rule.opened_by:
            length = _rule_length(rule, wf.settings, lengths)
            if length:
                _open_deadline(case, rule.kind, starts.get(rule.kind, on), length, rule.unit)


def start_case(case: Case, actor=None) -> None:
    """Record the acceptance event, open the first clocks and match the relatives register.

    Idempotent; called for every new case when it is first flushed, so intake needs nothing
    more than creating the Case with its Members.
    """
    if case.events:
        return
    with db.session.no_autoflush:
        region = _region(case)
        if region is None:
            return
        case.region = region
        on = case.accepted_on or local_today()
        case.accepted_on = on
        if actor is None and case.created_by_id:
            from ..auth.models import User

            actor = db.session.get(User, case.created_by_id)
        case.events.append(CaseEvent(
            from_state=None, to_state=case.state or "accepted", action="accept",
            actor_id=actor.id if actor else None, actor_name=actor.username if actor else "system",
            role=actor.role.value if actor else "", effective_on=on, data={}))
        wf = workflow_for(case)
        _apply_deadlines(case, wf, "accept", on, {}, {})
        match_relatives(case)
        clocks.recount(case)


def match_relatives(case: Case) -> list[RelativeRegisterEntry]:
    """Flag the case when a member is in the county's relatives register (近亲属备案)."""
    entries = relatives_of(case)
    if entries and not case.is_relative_case:
        case.is_relative_case = True
    return entries


def relatives_of(case: Case) -> list[RelativeRegisterEntry]:
    ids = {m.id_number for m in case.members} | {case.applicant_id_number}
    region = _region(case)
    if region is None or not ids:
        return []
    county = select(Region.id).where(Region.code.startswith(region.county.prefix))
    with db.session.no_autoflush:
        return list(db.session.scalars(select(RelativeRegisterEntry).where(
            RelativeRegisterEntry.id_number.in_(ids), RelativeRegisterEntry.is_active.is_(True),
            RelativeRegisterEntry.region_id.in_(county))))


@sa_event.listens_for(Session, "before_flush")
def _start_new_cases(session, flush_context, instances):
    """New cases get their acceptance event and clocks; new members are matched."""
    for obj in list(session.new):
        if isinstance(obj, Case) and not obj.events:
            start_case(obj)
        elif isinstance(obj, Member):
            case = obj.case
            if case is not None and case.state in OPEN_STATES and case not in session.new:
                match_relatives(case)


# -- acceptance checks --------------------------------------------------------------------------

def check_acceptance(id_numbers, relief_type, region: Region, on: date | None = None,
                     user=None) -> list[str]:
    """Why an application may not be accepted (empty list: it may).

    Refuses a household on the dishonesty list (失信, within its year) and anyone already in
    another active case of the same relief type. The intake room calls this before creating.
    The reason (name, case number, state, 失信 reason) is given only for records inside the
    user's region (else the township of ``region``); for anyone else the message says only
    that the person cannot be accepted here and to contact the county.
    """
    on = on or local_today()
    relief_type = ReliefCode(relief_type)
    ids = sorted({idnumber.normalize(i) for i in id_numbers if i})
    if not ids:
        return []
    messages, elsewhere = [], []
    viewer = user.region if user is not None else (region.township or region)

    def visible(code: str) -> bool:
        return code.startswith(viewer.prefix)

    def hidden(id_number: str) -> None:
        if id_number not in elsewhere:
            elsewhere.append(id_number)

    # one statement: the county's dishonesty entries in force, then active cases of the type
    county = select(Region.id).where(Region.code.startswith(region.county.prefix))
    listed = (select(literal(0).label("kind"), DishonestyEntry.id.label("row_id"), DishonestyEntry.name,
                     DishonestyEntry.id_number, Region.code, DishonestyEntry.reason,
                     DishonestyEntry.listed_on, DishonestyEntry.expires_on)
              .join(Region, DishonestyEntry.region_id == Region.id)
              .where(DishonestyEntry.id_number.in_(ids), DishonestyEntry.is_active.is_(True),
                     DishonestyEntry.listed_on <= on, DishonestyEntry.expires_on >= on,
                     DishonestyEntry.region_id.in_(county)))
    active = (select(literal(1), Case.id, Member.name, Member.id_number, Region.code,
                     Case.case_number + literal("|") + Case.state, null(), null())
              .join(Case, Member.case_id == Case.id).join(Region, Case.region_id == Region.id)
              .where(Member.id_number.in_(ids), Case.relief_type == relief_type,
                     Case.is_active.is_(True), Case.state.not_in(FINAL_STATES)))
    short = RELIEF_TYPES[relief_type].short_name
    for kind, _id, name, id_number, code, text, listed_on, expires_on in db.session.execute(
            union_all(listed, active).order_by("kind", "row_id")):
        if not visible(code):
            hidden(id_number)
        elif kind == 0:
            messages.append(_("%(name)s (%(id)s) is on the dishonesty list: %(reason)s (listed "
                              "on %(listed)s, until %(expires)s); no new application is "
                              "accepted meanwhile", name=name, id=idnumber.mask(id_number),
                              reason=text, listed=listed_on.isoformat(),
                              expires=expires_on.isoformat()))
        else:
            number, state = text.rsplit("|", 1)
            messages.append(_("%(name)s (%(id)s) is already in %(relief)s case %(number)s "
                              "(%(state)s) and cannot apply again", name=name,
                              id=idnumber.mask(id_number), relief=short, number=number,
                              state=STATE_LABELS.get(state, state)))
    return messages + [_("%(id)s: this person cannot be accepted here; ask the county civil "
                         "affairs bureau to check", id=idnumber.mask(i)) for i in elsewhere]


# -- transitions --------------------------------------------------------------------------------

@dataclass
class Context:
    case: Case
    actor: object
    transition: Transition
    workflow: Workflow
    on: date
    data: dict = field(default_factory=dict)
    deadline_start: dict = field(default_factory=dict)
    deadline_length: dict = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.workflow.settings

    @cached_property
    def figures(self) -> household.Figures:
        return household.figures(self.case)


def barred_entries(case: Case, user) -> list[RelativeRegisterEntry]:
    return [e for e in relatives_of(case) if e.staff_user_id == user.id]


def allowed_transitions(case: Case, user) -> list[Transition]:
    """Transitions the user's role may take from the case's state (checks not yet run)."""
    if barred_entries(case, user):
        return []
    return [t for t in workflow_for(case).from_state(case.state)
            if t.is_manual and user.can(t.permission)]


def _parse_on(raw, case: Case) -> date:
    if raw in (None, ""):
        on = local_today()
    else:
        try:
            on = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
        except ValueError:
            message = _("The date of the step must be written YYYY-MM-DD")
            raise CaseError(422, message, [Problem("effective_on", message)]) from None
    last = case.events[-1].effective_on if case.events else case.accepted_on
    if on > local_today():
        message = _("The date of the step cannot be later than today")
        raise CaseError(422, message, [Problem("effective_on", message)])
    if last and on < last:
        message = _("The date of the step cannot be earlier than the previous step's, %(day)s",
                    day=last.isoformat())
        raise CaseError(422, message, [Problem("effective_on", message)])
    return on


def _parse_data(t: Transition, raw: dict, ctx: Context) -> dict:
    clean, problems = {}, []
    for name in t.fields:
        try:
            value = FIELDS[name].parse((raw or {}).get(name), ctx)
        except FieldProblem as exc:
            problems.append(Problem(f"data.{name}", str(exc)))
            continue
        if value is not None:
            clean[name] = value
    if problems:
        raise CaseError.from_problems(problems)
    return clean


def _target(t: Transition, case: Case, ctx: Context) -> str:
    target = t.target
    if isinstance(target, tuple):
        target = next(r.target for r in target
                      if r.condition is None or getattr(case, r.condition))
    if target == SAME:
        return case.state
    if target == PREVIOUS:
        entered = next((e for e in reversed(case.events) if e.to_state == case.state), None)
        return entered.from_state if entered and entered.from_state else "accepted"
    return target


def check_lock(case: Case, lock_version) -> None:
    if lock_version in (None, ""):
        return
    try:
        stale = int(lock_version) != case.lock_version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise CaseError(409, STALE_MESSAGE, [Problem("lock_version", STALE_MESSAGE)])


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise CaseError(409, STALE_MESSAGE, [Problem("lock_version", STALE_MESSAGE)]) from None


def transition(case: Case, action: str, actor, data: dict | None = None, comment: str = "",
               lock_version=None, effective_on=None) -> CaseEvent:
    """Take a workflow step under the same rules for the web UI and the API.

    Raises CaseError: 404 outside the actor's region, 403 wrong role / related staff /
    separation of duties, 409 not possible from this state or stale lock_version (also when
    another transaction changed the case meanwhile, wherever the flush happens), 422 bad
    input or missing prerequisite (with field paths).
    """
    # queue behind other writers before reading anything a concurrent step could change
    lock_for_write()
    try:
        return _transition(case, action, actor, data, comment, lock_version, effective_on)
    except StaleDataError:  # raised by any (auto)flush, not only _flush()
        db.session.rollback()
        raise CaseError(409, STALE_MESSAGE, [Problem("lock_version", STALE_MESSAGE)]) from None


def _transition(case: Case, action: str, actor, data, comment, lock_version,
                effective_on) -> CaseEvent:
    start_case(case)
    if not actor.region.contains(case.region):
        raise CaseError(404, _("No such case"))
    wf = workflow_for(case)
    t = wf.transition(action)
    if t is None:
        raise CaseError(409, _("This relief type has no step \"%(action)s\"", action=action))
    if not actor.can(t.permission):
        raise CaseError(403, _("Your role cannot do \"%(action)s\"", action=t.label))
    if barred_entries(case, actor):
        raise CaseError(403, _("You are registered as related to this household: you may not "
                               "handle this case"))
    check_lock(case, lock_version)
    if case.state not in t.sources:
        raise CaseError(409, _("The case is \"%(state)s\": \"%(action)s\" cannot be done now",
                               state=STATE_LABELS.get(case.state, case.state), action=t.label))
    ctx = Context(case, actor, t, wf, _parse_on(effective_on, case))
    ctx.data = _parse_data(t, data or {}, ctx)
    settle_scheduled_amount(case, ctx.on)
    problems = [p for name in t.checks for p in CHECKS[name](case, ctx)]
    if problems:
        raise CaseError.from_problems(problems)
    before = snapshot(case)
    from_state = case.state
    with force_locale("zh_CN"):  # what effects store (labels, formulas) is in the office's language
        for name in t.effects:
            EFFECTS[name](case, ctx)
    case.state = _target(t, case, ctx)
    if case.state in FINAL_STATES:
        case.is_active = False
    case.updated_at = utcnow()
    event = CaseEvent(from_state=from_state, to_state=case.state, action=action,
                      actor_id=actor.id, actor_name=actor.username, role=actor.role.value,
                      effective_on=ctx.on, comment=(comment or "").strip()[:2000],
                      data=ctx.data | {"documents": list(t.documents)})
    case.events.append(event)
    # a township's proposal sent up for lack of delegation decides nothing: its clocks run on
    proposal = case.state == "county_review" and bool(case.county_reason) and \
        not action.startswith("county_")
    _apply_deadlines(case, wf, "" if proposal else action, ctx.on, ctx.deadline_start,
                     ctx.deadline_length)
    clocks.recount(case)
    _flush()
    old, new = diff(before, snapshot(case))
    record(f"case.{action}", case, actor=actor,
           details={"event_id": event.id, "before": old, "after": new,
                    "comment": event.comment})
    for hook in AFTER_TRANSITION:
        hook(case, event, t, actor)
    return event


AFTER_TRANSITION: list = []
"""Functions ``(case, event, transition, actor)`` higher rooms register to follow a step in
the same transaction (e.g. supervision draws emergency aid on the township's reserve fund)."""


# -- edits, reveals -----------------------------------------------------------------------------

EDITABLE = ("urban_rural", "persons_covered", "care_level", "ls_kind")


def update_case(case: Case, values: dict, actor, lock_version) -> None:
    """Edit the case's own facts; refused if someone saved the case since it was loaded."""
    check_lock(case, lock_version)
    before = snapshot(case)
    for key in EDITABLE:
        if key in values:
            setattr(case, key, values[key])
    case.updated_at = utcnow()
    _flush()
    old, new = diff(before, snapshot(case))
    if new:
        record("case.update", case, actor=actor, details={"before": old, "after": new})


def reveal_id_number(case: Case, member: Member, actor) -> str:
    """Show one full ID number: an explicit act, written to the audit trail."""
    record("case.reveal_id", case, actor=actor,
           details={"member_id": member.id, "name": member.name})
    return member.id_number


# -- registers ----------------------------------------------------------------------------------

def add_relative(region: Region, id_number: str, name: str, relation: str, actor,
                 staff_user=None, cadre_name: str = "") -> RelativeRegisterEntry:
    id_number = idnumber.validate(id_number)
    if staff_user is None and not cadre_name.strip():
        raise ValueError(_("Choose the related staff user or enter the village cadre's name"))
    entry = RelativeRegisterEntry(region=region, id_number=id_number, name=name.strip(),
                                  relation=relation.strip(), staff_user=staff_user,
                                  cadre_name=cadre_name.strip(), created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record("register.relative_add", entry, actor=actor,
           details={"after": {"name": entry.name, "relation": entry.relation,
                              "staff_user_id": entry.staff_user_id,
                              "cadre_name": entry.cadre_name}})
    for case in db.session.scalars(select(Case).join(Member).where(
            Member.id_number == id_number, Case.is_active.is_(True))).unique():
        if not case.is_relative_case and county_id_of(case) == region.county.id:
            update_flag(case, actor)
    return entry


def update_flag(case: Case, actor) -> None:
    before = snapshot(case)
    case.is_relative_case = True
    case.updated_at = utcnow()
    _flush()
    old, new = diff(before, snapshot(case))
    record("case.relative_flag", case, actor=actor, details={"before": old, "after": new})


def deactivate(entry, actor, action: str) -> None:
    entry.is_active = False
    record(action, entry, actor=actor, details={"before": {"is_active": True},
                                                 "after": {"is_active": False}})


def _add_recorded(row, action: str, actor, after: dict):
    """Add a register row and write its creation to the audit trail."""
    db.session.add(row)
    db.session.flush()
    record(action, row, actor=actor, details={"after": after})
    return row


def _fraud_kind(kind) -> FraudKind:
    try:
        return FraudKind(kind)
    except ValueError:
        raise ValueError(_("Choose the kind of dishonesty (one of the ten)")) from None


def add_dishonesty(region: Region, id_number: str, name: str, reason: str, actor,
                   listed_on: date | None = None, kind=FraudKind.other,
                   warning: DishonestyWarning | None = None) -> DishonestyEntry:
    """Put a household on the list (refused new applications for a year); no payment change.

    ``list_dishonest`` is the procedure's way in: it also stops payment and keeps the warning.
    """
    id_number = idnumber.validate(id_number)
    kind = _fraud_kind(kind)
    if not reason.strip():
        raise ValueError(_("Enter why the household is put on the dishonesty list"))
    listed_on = listed_on or local_today()
    entry = DishonestyEntry(region=region, id_number=id_number, name=name.strip(),
                            reason=reason.strip(), kind=kind.value, warning=warning,
                            listed_on=listed_on, expires_on=add_months(listed_on, 12),
                            created_by_id=actor.id, stopped_cases=[])
    return _add_recorded(entry, "register.dishonesty_add", actor, {
        "name": entry.name, "reason": entry.reason, "kind": entry.kind,
        "expires_on": entry.expires_on.isoformat()})


def warn_dishonesty(region: Region, id_number: str, name: str, kind, facts: str, actor,
                    warned_on: date | None = None,
                    correction_days: int = CORRECTION_DAYS) -> DishonestyWarning:
    """A first occurrence (首次出现): educate the household and set a correction deadline."""
    id_number = idnumber.validate(id_number)
    kind = _fraud_kind(kind)
    if not (facts or "").strip():
        raise ValueError(_("Enter the facts of the dishonest behaviour"))
    if not name.strip():
        raise ValueError(_("Enter the name"))
    if not 1 <= int(correction_days) <= 365:
        raise ValueError(_("The time to correct must be 1 to 365 days"))
    warned_on = warned_on or local_today()
    warning = DishonestyWarning(
        region=region, id_number=id_number, name=name.strip(), kind=kind.value,
        facts=facts.strip(), warned_on=warned_on,
        correction_due_on=warned_on + timedelta(days=int(correction_days)),
        created_by_id=actor.id)
    return _add_recorded(warning, "register.dishonesty_warn", actor, {
        "name": warning.name, "kind": warning.kind, "facts": warning.facts,
        "correction_due_on": warning.correction_due_on.isoformat()})


def _listed_already(warning: DishonestyWarning) -> str:
    return _("Put on the dishonesty list on %(day)s", day=warning.listed_on.isoformat())


def correct_dishonesty(warning: DishonestyWarning, actor, on: date | None = None) -> None:
    """The household corrected within the deadline: no listing."""
    if warning.listed_on is not None:
        raise ValueError(_listed_already(warning))
    warning.corrected_on = on or local_today()
    db.session.flush()
    record("register.dishonesty_corrected", warning, actor=actor,
           details={"after": {"corrected_on": warning.corrected_on.isoformat()}})


def list_dishonest(warning: DishonestyWarning, actor, on: date | None = None) -> DishonestyEntry:
    """Refusal to correct (拒不纠正): list the household for a year and stop every case of it
    being served in the county from the current month, each with a written notice.

    Raises ValueError (deadline not over, already corrected or listed) or CaseError (a month
    already filed); the caller rolls back, so nothing is half-written.
    """
    on = on or local_today()
    if warning.corrected_on is not None:
        raise ValueError(_("Corrected on %(day)s: the household cannot be put on the list",
                           day=warning.corrected_on.isoformat()))
    if warning.listed_on is not None:
        raise ValueError(_listed_already(warning))
    if on <= warning.correction_due_on:
        raise ValueError(_("The time to correct runs until %(day)s: only a household that has "
                           "not corrected by then can be put on the list",
                           day=warning.correction_due_on.isoformat()))
    entry = add_dishonesty(warning.region, warning.id_number, warning.name, warning.facts, actor,
                           listed_on=on, kind=warning.kind, warning=warning)
    warning.listed_on = on
    county = select(Region.id).where(Region.code.startswith(warning.region.county.prefix))
    served = db.session.scalars(select(Case).join(Member).where(
        Member.id_number == warning.id_number, Case.state.in_(SERVED_STATES),
        Case.region_id.in_(county)).order_by(Case.id)).unique()
    stopped = []
    for case in served:
        transition(case, "dishonesty_stop", actor, {"dishonesty": entry.id}, effective_on=on)
        stopped.append(case.case_number)
    entry.stopped_cases = stopped
    db.session.flush()
    return entry


def export_dishonesty_list(actor) -> bytes:
    """The list in force as XLSX for other departments; full ID numbers, so it is audited."""
    from .queries import dishonesty_xlsx

    data = dishonesty_xlsx(actor)
    record("register.dishonesty_export", actor.region, actor=actor,
           details={"region": actor.region.code})
    return data


# -- settings -----------------------------------------------------------------------------------

def save_settings(county: Region, relief_type: ReliefCode, overrides: dict, actor) -> Settings:
    """Store a county's overrides of a relief type's workflow settings.

    Raises ``SettingsError`` (a ValueError) naming unknown keys and bad values.
    """
    base = settings_for(relief_type, None)
    merged = base.validated(overrides)
    build(relief_type, merged)
    row = db.session.scalars(select(WorkflowSetting).where(
        WorkflowSetting.region_id == county.id,
        WorkflowSetting.relief_type == relief_type)).first()
    before = dict(row.settings) if row else {}
    if row is None:
        row = WorkflowSetting(region=county, relief_type=relief_type)
        db.session.add(row)
    row.settings = {k: v for k, v in merged.as_dict().items() if v != base.as_dict()[k]}
    row.updated_by_id = actor.id
    db.session.flush()
    record("workflow.settings", row, actor=actor, details={"before": before, "after": row.settings})
    return merged

