"""The procedure of each relief type as data: settings, states, transitions, deadlines.

A workflow is built from a relief type's ``Settings`` (shipped national/delegated defaults,
overridden per county by a ``WorkflowSetting`` row). Each ``Transition`` names the permission
that may take it, the prerequisite checks (``checks.CHECKS``) that must pass, the input fields
(``fields.FIELDS``) it takes, the effects (``effects.EFFECTS``) it has on the case and the
documents (documents registry kinds) the step produces.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from flask_babel import lazy_gettext as _l

from ..i18n import in_page_language
from ..items.operations import check_settings_with
from ..relief import RELIEF_TYPES, ReliefCode, ReliefType, item

SAME = "@same"  # a transition that records something without changing the state
PREVIOUS = "@previous"  # back to the state before the current one (after awaiting materials)

STATE_LABELS = {
    "accepted": _l("Accepted for processing"),
    "awaiting_materials": _l("Awaiting materials"),
    "emergency_aided": _l("Emergency aid given"),
    "investigating": _l("Under investigation"),
    "appraisal": _l("Democratic appraisal"),
    "decision": _l("Awaiting review and confirmation"),
    "county_review": _l("Awaiting county approval"),  # above the township cap (一事一议) or not delegated
    "publicity": _l("In publicity"),
    "confirmed": _l("Confirmed"),
    "refused": _l("Refused"),
    "paying": _l("Receiving support"),
    "recognized": _l("Recognized"),
    "gradual_exit": _l("In gradual exit"),
    "termination_publicity": _l("Termination in publicity"),
    "stopped": _l("Payment stopped"),
    "terminated": _l("Support terminated"),
    "closed": _l("Closed"),
}
FINAL_STATES = frozenset({"refused", "stopped", "terminated", "closed"})
PAUSE_STATES = frozenset({"publicity", "awaiting_materials", "termination_publicity"})
OPEN_STATES = frozenset({"accepted", "awaiting_materials", "emergency_aided", "investigating",
                         "appraisal", "decision", "county_review", "publicity"})
SERVED_STATES = frozenset({"paying", "recognized", "gradual_exit", "termination_publicity"})

ACTION_LABELS = {
    "accept": _l("Accept the application"),
    "request_materials": _l("One-time notice of missing materials"),
    "materials_received": _l("Materials complete"),
    "emergency_aid": _l("Give emergency aid first"),
    "start_investigation": _l("Start investigation"),
    "flag": _l("Flag a doubt or dispute"),
    "send_to_appraisal": _l("Send to democratic appraisal"),
    "record_appraisal": _l("Record the appraisal result"),
    "submit_for_decision": _l("Investigation done, submit for review and confirmation"),
    "county_visit": _l("County home visit"),
    "approve": _l("Review and confirmation: grant support"),
    "refuse": _l("Review and confirmation: refuse support"),
    "county_approve": _l("County approves"),
    "county_refuse": _l("County does not approve"),
    "object": _l("Objection during publicity"),
    "confirm": _l("No objection in publicity, confirm"),
    "close_publicity": _l("Publicity period over"),
    "notify_refusal": _l("Deliver the refusal notice"),
    "start_payment": _l("Start payment"),
    "recognize": _l("Recognize as a near-dibao household"),
    "pay_one_off": _l("One-off payment made"),
    "extend": _l("Extend the time limit"),
    "refer": _l("Refer to another department"),
    "referral_done": _l("Referral answered"),
    "recheck": _l("Periodic re-check"),
    "increase": _l("Increase the amount"),
    "decrease": _l("Decrease the amount"),
    "member_death": _l("Death of a household member"),
    "gradual_exit": _l("Gradual exit"),
    "stop": _l("Stop payment"),
    "propose_termination": _l("Propose termination, publicize"),
    "terminate": _l("Terminate"),
    "dishonesty_stop": _l("Dishonesty register: stop payment from this month"),
    "import": _l("Import the recipient roll"),
    "county_correct": _l("County re-check: correct the amount (from next month)"),
    "county_revoke": _l("County re-check: revoke the decision"),
    "county_reinvestigate": _l("County re-check: order a new investigation"),
}

DEADLINE_LABELS = {
    "total": _l("Time limit for review and confirmation"),
    "investigation_start": _l("Time limit to start the investigation"),
    "refusal_notice": _l("Time limit to deliver the refusal notice"),
    "referral": _l("Time limit for the referral"),
    "emergency_aid": _l("Time limit for emergency aid (24 hours)"),
    "emergency_paperwork": _l("Time limit for paperwork after emergency aid"),
    "member_death": _l("Time limit to record a member's death"),
    "gradual_exit": _l("End of gradual exit"),
}


@dataclass(frozen=True)
class Settings:
    """What a county may configure per relief type. Defaults: the national rules, delegated."""

    is_delegated: bool = True
    national_total_days: int = 30
    delegated_total_days: int = 20
    extended_total_days: int = 45
    investigation_start_days: int = 3
    refusal_notice_days: int = 3
    referral_days: int = 2
    emergency_aid_days: int = 1  # 先行救助 within 24 hours (calendar days)
    emergency_paperwork_days: int = 5
    has_publicity: bool = True
    publicity_days: int = 7  # calendar days on the village board
    publish_mode: str = "proposed_first"  # or "once_after_decision" (一榜公示)
    has_emergency_aid: bool = False
    has_county_review: bool = False  # amounts above the township cap go to the county
    is_paid: bool = True
    is_one_off: bool = False
    has_termination_publicity: bool = False
    separate_investigator_approver: bool = True
    home_visit_min_investigators: int = 2
    recheck_months: dict = field(default_factory=lambda: {"stable": 12, "unstable": 6,
                                                          "quarterly": 3})
    default_recheck_category: str = "stable"
    gradual_exit_max_months: int = 6
    member_death_months: int = 3

    @property
    def total_days(self) -> int:
        return self.delegated_total_days if self.is_delegated else self.national_total_days

    def as_dict(self) -> dict:
        return asdict(self)

    def validated(self, overrides) -> Settings:
        """These settings with overrides a county typed in, refused with messages that name
        every unknown key and every out-of-range or wrongly typed value."""
        if not isinstance(overrides, dict):
            raise SettingsError([_l("The settings must be a JSON object")])
        known = {f.name for f in fields(self)}
        problems = [_l("Unknown setting \"%(key)s\"", key=key)
                    for key in overrides if key not in known]
        for key, value in overrides.items():
            if key in known:
                problem = _setting_problem(key, getattr(self, key), value)
                if problem:
                    problems.append(problem)
        if not problems and "default_recheck_category" in overrides:
            months = overrides.get("recheck_months", self.recheck_months)
            if overrides["default_recheck_category"] not in months:
                problems.append(_l("\"default_recheck_category\" must be one of the categories "
                                   "of recheck_months: %(kinds)s", kinds="、".join(months)))
        if problems:
            raise SettingsError(problems)
        return self.merged(overrides)

    def merged(self, overrides: dict) -> Settings:
        """These settings with a county's stored overrides (unknown keys are ignored)."""
        known = {f.name: f for f in fields(self)}
        clean = {}
        for key, value in (overrides or {}).items():
            if key in known:
                current = getattr(self, key)
                clean[key] = type(current)(value) if not isinstance(current, dict) else dict(value)
        return replace(self, **clean)


class SettingsError(ValueError):
    """Refused workflow settings; ``problems`` lists one (lazy) message per bad key, shown in
    the reader's language."""

    def __init__(self, problems: list):
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return in_page_language("；", "; ").join(map(str, self.problems))


SETTING_RANGES = {"publicity_days": (1, 60), "home_visit_min_investigators": (1, 10),
                  "gradual_exit_max_months": (1, 24), "member_death_months": (1, 12),
                  "national_total_days": (1, 366), "delegated_total_days": (1, 366),
                  "extended_total_days": (1, 366), "emergency_aid_days": (1, 30)}
"""Allowed (min, max) of whole-number settings; others are 0–366 days."""
SETTING_CHOICES = {"publish_mode": ("proposed_first", "once_after_decision")}
RECHECK_MONTH_RANGE = (1, 36)


def _whole(key: str, value, low: int, high: int):
    """Why ``value`` of ``key`` is not a whole number in [low, high] (None: it is)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()):
        return _l("\"%(label)s\" must be a whole number", label=key)
    if not low <= value <= high:
        return _l("\"%(label)s\" must be between %(low)s and %(high)s", label=key, low=low,
                  high=high)
    return None


def _setting_problem(key: str, current, value):
    """Why ``value`` cannot replace the setting ``key`` whose default is ``current`` (a lazy
    message naming the key), or None."""
    if isinstance(current, bool):
        return None if isinstance(value, bool) else _l("\"%(label)s\" must be true or false",
                                                       label=key)
    if isinstance(current, int):
        return _whole(key, value, *SETTING_RANGES.get(key, (0, 366)))
    if isinstance(current, dict):
        if not isinstance(value, dict) or not value:
            return _l("\"%(label)s\" must be an object {category: months}", label=key)
        unknown = [k for k in value if k not in current]
        if unknown:
            return _l("\"%(label)s\" has unknown categories: %(kinds)s", label=key,
                      kinds="、".join(map(str, unknown)))
        bad = [k for k, v in value.items() if _whole(k, v, *RECHECK_MONTH_RANGE)]
        if bad:
            low, high = RECHECK_MONTH_RANGE
            return _l("\"%(label)s\": the months of %(kinds)s must be whole numbers from "
                      "%(low)s to %(high)s", label=key, kinds="、".join(bad), low=low, high=high)
        return None
    allowed = SETTING_CHOICES.get(key)
    if not isinstance(value, str) or (allowed and value not in allowed):
        if allowed:
            return _l("\"%(label)s\" must be one of: %(choices)s", label=key,
                      choices="、".join(allowed))
        return _l("\"%(label)s\" must be text", label=key)
    return None


ITEM_FACTS = ("is_paid", "is_one_off")  # what an item's family and is_paid say already


def item_settings(item: ReliefType) -> Settings:
    """An item's procedure defaults: the national rules, its ``settings`` from the items file
    (unknown keys or bad values refused with the item's code), paid / one-off from the item."""
    problems = item_settings_problems(item.settings)
    if problems:
        raise SettingsError([_l("Relief item %(code)s, settings: %(problem)s", code=item.code,
                                problem=p) for _key, p in problems])
    settings = Settings().merged(item.settings)
    return replace(settings, is_paid=item.is_paid, is_one_off=item.is_one_off)


def item_settings_problems(settings: dict) -> list[tuple[str, str]]:
    """(key, message) for every setting a county's new item may not have: an item fact, an
    unknown key, a bad value ("" for a problem between keys). The items room asks this."""
    problems = [(key, _l("\"%(key)s\" follows from the relief item's family / is_paid: it "
                         "cannot be set in settings", key=key))
                for key in ITEM_FACTS if key in settings]
    rest = {k: v for k, v in settings.items() if k not in ITEM_FACTS}
    try:
        Settings().validated(rest)
    except SettingsError as whole:
        each = []
        for key, value in rest.items():
            try:
                Settings().validated({key: value})
            except SettingsError as exc:
                each += [(key, p) for p in exc.problems]
        problems += each or [("", p) for p in whole.problems]
    return problems


check_settings_with(item_settings_problems)

DEFAULT_SETTINGS: dict[ReliefCode, Settings] = {
    code: item_settings(item) for code, item in RELIEF_TYPES.items()}


@dataclass(frozen=True)
class Route:
    """A conditional target: the first route whose condition holds (None: always) wins."""

    condition: str | None
    target: str


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | tuple[Route, ...]
    permission: str
    checks: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    is_manual: bool = True  # False: taken by another operation (a listing), not offered

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass(frozen=True)
class DeadlineRule:
    """A time limit opened by some actions and met by others."""

    kind: str
    length_setting: str | None  # a Settings attribute, or None when the action gives it
    unit: str  # working_days / days / months
    opened_by: tuple[str, ...]
    closed_by: tuple[str, ...]


@dataclass(frozen=True)
class Workflow:
    relief_type: ReliefCode
    settings: Settings
    transitions: tuple[Transition, ...]
    deadlines: tuple[DeadlineRule, ...]

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    @property
    def states(self) -> list[str]:
        seen = {"accepted"}
        for t in self.transitions:
            seen.update(t.sources)
            targets = t.target if isinstance(t.target, tuple) else (Route(None, t.target),)
            seen.update(r.target for r in targets if not r.target.startswith("@"))
        return [s for s in STATE_LABELS if s in seen]


def _after_approval(s: Settings) -> tuple[Route, ...]:
    """Where an approval leads: the county queue above the cap, else publicity or confirmed."""
    routes = [Route("lacks_delegation", "county_review")]
    if s.has_county_review:
        routes.append(Route("needs_county_decision", "county_review"))
    routes.append(Route(None, "publicity" if s.has_publicity else "confirmed"))
    return tuple(routes)


def build(relief_type: ReliefCode, s: Settings) -> Workflow:
    """The transition table of one relief type under the given settings."""
    T = Transition
    process, approve, county = "cases.process", "cases.approve", "cases.county_decide"
    open_working = ("accepted", "emergency_aided", "investigating", "appraisal", "decision",
                    "county_review")
    # with publicity of the proposed decision, the final decision is the confirmation after it
    decides_at_approval = not s.has_publicity or s.publish_mode == "once_after_decision"
    approve_effects = ("route_by_delegation", "compute_amount", "record_approver", "choose_recheck_category") + (
        ("decide",) if decides_at_approval else ()) + (
        ("start_publicity",) if s.has_publicity else ())
    start = ("accepted",)
    # the investigation is recorded when it ends, whether the case goes on to appraisal or not
    investigation = dict(
        fields=("investigators", "is_home_visit", "reviewer", "visited_on", "members_present",
                "housing", "housing_area", "vehicles", "other_assets", "incomes",
                "survey_findings", "survey_opinion"),
        effects=("record_investigation",), documents=("household_survey",))
    investigation_checks = ("investigators_recorded", "home_visit_investigators", "visit_dated")
    t = [
        T("request_materials", ("accepted", "emergency_aided", "investigating"),
          "awaiting_materials", process, fields=("missing",), documents=("one_time_notice",)),
        T("materials_received", ("awaiting_materials",), PREVIOUS, process),
        T("start_investigation", start + (("emergency_aided",) if s.has_emergency_aid else ()),
          "investigating", process, checks=("has_applicant",)),
        T("flag", ("investigating", "decision"), SAME, process, fields=("flag",),
          effects=("add_flag",)),
        T("send_to_appraisal", ("investigating",), "appraisal", process,
          checks=("appraisal_flagged",) + investigation_checks, **investigation),
        T("record_appraisal", ("appraisal",), "decision", process,
          fields=("held_on", "place", "host", "recorder", "participants", "opinions",
                  "votes_for", "votes_against", "votes_abstain", "result"),
          checks=("appraisal_dated", "appraisal_votes"), effects=("record_appraisal",),
          documents=("appraisal_minutes",)),
        T("submit_for_decision", ("investigating",), "decision", process,
          checks=investigation_checks + ("income_recorded",), **investigation),
        T("county_visit", ("investigating", "appraisal", "decision"), SAME, county,
          fields=("findings",), effects=("record_county_visit",)),
        T("approve", ("decision",), _after_approval(s), approve,
          fields=("requested_amount", "recheck_category", "decision_opinion"),
          checks=("investigation_done", "not_sole_investigator", "reviewer_not_approver",
                  "county_visit_if_relative", "income_recorded"),
          effects=approve_effects + ("record_opinion",), documents=("decision_form",)),
        T("refuse", ("decision",), (Route("lacks_delegation", "county_review"),
                                    Route(None, "refused")), approve,
          fields=("reason", "decision_opinion"),
          checks=("not_sole_investigator", "reviewer_not_approver"),
          effects=("route_by_delegation", "record_approver", "record_refusal", "record_opinion"),
          documents=("decision_form", "refusal_notice")),
        T("notify_refusal", ("refused",), SAME, process, documents=("refusal_notice",)),
        T("extend", open_working + ("awaiting_materials",), SAME, approve, fields=("reason",),
          checks=("not_extended",), effects=("extend_total",)),
        T("refer", open_working + ("awaiting_materials",) + tuple(SERVED_STATES), SAME, process,
          fields=("department",)),
        T("referral_done", open_working + ("awaiting_materials",) + tuple(SERVED_STATES), SAME,
          process, checks=("referral_open",)),
    ]
    if s.has_emergency_aid:
        t.append(T("emergency_aid", ("accepted",), "emergency_aided", process,
                   fields=("amount",), effects=("record_emergency_aid",)))
    # every type has the county queue: a township without the delegation sends approvals there
    after = "publicity" if s.has_publicity else "confirmed"
    meeting = ("meeting_on", "attendees", "meeting_decision")  # the joint meeting's record
    t += [T("county_approve", ("county_review",), after, county,
            fields=("approved_amount",) + meeting,
            effects=("set_approved_amount", "decide") + (
                ("start_publicity",) if s.has_publicity else ()),
            documents=("decision_form",)),
          T("county_refuse", ("county_review",), "refused", county,
            fields=("reason",) + meeting,
            effects=("record_refusal",), documents=("refusal_notice",))]
    if s.has_publicity:
        t.append(T("object", ("publicity",), "investigating", process, fields=("reason",),
                   effects=("record_objection",)))
        if s.publish_mode == "once_after_decision":
            t.append(T("close_publicity", ("publicity",), "confirmed", process,
                       checks=("publicity_over",), documents=("confirmation_notice",)))
        else:
            t.append(T("confirm", ("publicity",), "confirmed", approve,
                       checks=("publicity_over", "not_sole_investigator",
                               "reviewer_not_approver"),
                       effects=("record_approver", "decide"),
                       documents=("confirmation_notice",)))
    if not s.is_paid:
        t.append(T("recognize", ("confirmed",), "recognized", process,
                   effects=("schedule_recheck",), documents=("confirmation_notice",)))
    elif s.is_one_off:
        t.append(T("pay_one_off", ("confirmed",), "closed", process))
    else:
        t.append(T("start_payment", ("confirmed",), "paying", process,
                   effects=("schedule_recheck",), documents=("confirmation_notice",)))
    served = ("recognized",) if not s.is_paid else ("paying", "gradual_exit")
    if not s.is_one_off:
        t += [
            T("recheck", served, SAME, process, fields=("reason", "recheck_category"),
              effects=("record_recheck",)),
            T("member_death", served, SAME, process, fields=("member", "died_on"),
              effects=("record_member_death",)),
            T("stop", served, "stopped", process, fields=("reason",), checks=("month_open",),
              effects=("stop_payment",), documents=("refusal_notice",)),
            # 失信: taken for every served case of a household when it is listed
            T("dishonesty_stop", served, "stopped", process, fields=("dishonesty",),
              checks=("month_open",), effects=("stop_for_dishonesty",),
              documents=("dishonesty_notice",), is_manual=False),
        ]
    if s.is_paid and not s.is_one_off:
        t += [
            T("increase", ("paying",), SAME, process, fields=("amount", "reason"),
              checks=("amount_higher", "month_open"), effects=("change_amount",)),
            T("decrease", ("paying", "gradual_exit"), SAME, process, fields=("amount", "reason"),
              checks=("amount_lower", "month_open"), effects=("change_amount",)),
            T("gradual_exit", ("paying",), "gradual_exit", process, fields=("months", "reason"),
              checks=("months_within_limit", "month_open"), effects=("start_gradual_exit",)),
        ]
        if s.has_termination_publicity:
            t += [T("propose_termination", ("paying",), "termination_publicity", process,
                    fields=("reason",), effects=("start_publicity",),
                    documents=("publicity_notice",)),
                  T("terminate", ("termination_publicity",), "terminated", approve,
                    checks=("publicity_over", "month_open"), effects=("stop_payment",),
                    documents=("decision_form",))]
        else:
            t.append(T("terminate", ("paying", "gradual_exit"), "terminated", approve,
                       fields=("reason",), checks=("month_open",), effects=("stop_payment",),
                       documents=("decision_form",)))
    t += _county_corrections(s, served)
    decisions = ("refuse", "county_refuse") + tuple(
        x.action for x in t if "decide" in x.effects)
    deadlines = (
        DeadlineRule("total", None, "working_days", ("accept",), decisions),
        DeadlineRule("investigation_start", "investigation_start_days", "working_days",
                     ("accept",), ("start_investigation", "emergency_aid") + decisions),
        DeadlineRule("refusal_notice", "refusal_notice_days", "working_days",
                     ("refuse", "county_refuse"), ("notify_refusal",)),
        DeadlineRule("referral", "referral_days", "working_days", ("refer",), ("referral_done",)),
        DeadlineRule("emergency_paperwork", "emergency_paperwork_days", "working_days",
                     ("emergency_aid",), decisions + ("approve",)),
        DeadlineRule("emergency_aid", "emergency_aid_days" if s.has_emergency_aid else None,
                     "days", ("accept",), ("emergency_aid", "start_investigation") + decisions),
        DeadlineRule("member_death", "member_death_months", "months", ("member_death",),
                     ("decrease", "stop", "terminate", "recheck", "propose_termination")),
        DeadlineRule("gradual_exit", None, "months", ("gradual_exit",), ("stop", "terminate")),
    )
    return Workflow(relief_type, s, tuple(t), deadlines)


def _county_corrections(s: Settings, served: tuple[str, ...]) -> list[Transition]:
    """The county's 复核 outcomes on a township decision, taken by the supervision room's
    review (not offered as buttons): correct the monthly amount from the next month, revoke
    (stop paying), or send the case back for a new investigation."""
    county = "cases.county_decide"
    deciding = ("decision", "county_review", "publicity", "confirmed")
    t = [Transition("county_reinvestigate", deciding + served,
                    (Route("is_served", SAME), Route(None, "investigating")), county,
                    fields=("reason",), effects=("order_reinvestigation",), is_manual=False)]
    if s.is_one_off:
        return t
    t.append(Transition("county_revoke", served, "stopped", county, fields=("reason",),
                        effects=("stop_payment",), is_manual=False))
    if s.is_paid:
        t.append(Transition("county_correct", ("paying", "gradual_exit"), SAME, county,
                            fields=("amount", "reason"), effects=("schedule_amount",),
                            is_manual=False))
    return t


def settings_for(relief_type: ReliefCode, county_id: int | None) -> Settings:
    """The defaults of the relief type with the county's overrides, if any."""
    from sqlalchemy import select

    from ..db import db
    from .models import WorkflowSetting

    relief_type = getattr(relief_type, "value", relief_type)
    base = DEFAULT_SETTINGS.get(relief_type) or item_settings(item(relief_type))
    if county_id is None:
        return base
    row = db.session.scalars(select(WorkflowSetting).where(
        WorkflowSetting.region_id == county_id, WorkflowSetting.relief_type == relief_type)).first()
    return base.merged(row.settings) if row is not None else base


def workflow_for(case) -> Workflow:
    """The workflow that applies to a case (its relief type, its county's settings)."""
    return build(case.relief_type, settings_for(case.relief_type, county_id_of(case)))


def county_id_of(case) -> int | None:
    from ..db import db
    from ..regions.models import Region

    region = case.region
    if region is None and case.region_id:
        region = db.session.get(Region, case.region_id)
    return region.county.id if region is not None else None
