"""How the audit trail names the cases room's actions, objects and case columns."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import idnumber
from ..audit import labels
from ..auth.labels import user_names
from ..money import fen_text
from ..regions import URBAN_RURAL_LABELS
from ..relief import RELIEF_TYPES, ReliefCode
from ..schemas.roles import LS_KIND_LABELS
from .fields import FLAG_CHOICES, RECHECK_CHOICES
from .models import Case, DishonestyEntry, DishonestyWarning, RelativeRegisterEntry
from .workflows import ACTION_LABELS, STATE_LABELS


def _yuan(fen) -> str:
    return _("%(amount)s yuan", amount=fen_text(fen))


def _relief(code) -> str:
    try:
        return RELIEF_TYPES[ReliefCode(code)].short_label
    except ValueError:
        return str(code)


def _choice(choices):
    return lambda value: str(dict(choices).get(value, value))


def _stored(value) -> str:
    """A text the case stored in the office's language (the formula as printed, a standard's
    label): shown as it is, marked as Chinese data."""
    return Markup('<span lang="zh-CN">{}</span>').format(value)


def _inputs(value) -> str:
    """The calculator's inputs: each by its label in the page's language; stored texts as
    they were stored."""
    if not isinstance(value, dict):
        return _stored(value)
    return Markup("；").join(
        Markup("{}：{}").format(labels.field_label(k), _stored(v) if isinstance(v, str)
                               else labels.value_text(k, v))
        for k, v in value.items() if k != "notes")


def _many(one):
    return lambda value: "、".join(one(v) for v in value) if isinstance(value, list) else one(value)


labels.actions({
    "case.create": _l("Application accepted into a case"),
    "case.update": _l("Case details changed"),
    "case.reveal_id": _l("Full ID number shown"),
    "case.relative_flag": _l("Marked as a relative-of-staff case"),
    "register.relative_add": _l("Added to the relatives register"),
    "register.relative_remove": _l("Removed from the relatives register"),
    "register.dishonesty_add": _l("Added to the dishonesty register"),
    "register.dishonesty_lift": _l("Dishonesty entry lifted"),
    "register.dishonesty_warn": _l("Dishonesty warning recorded"),
    "register.dishonesty_corrected": _l("Dishonesty warning corrected"),
    "register.dishonesty_export": _l("Dishonesty register exported"),
    "workflow.settings": _l("Workflow settings changed"),
})
labels.family("case.", ACTION_LABELS.get)  # one entry per workflow transition
labels.objects(
    Case=labels.ObjectKind(_l("Case"), labels.named(Case, "case_number", "applicant_name")),
    RelativeRegisterEntry=labels.ObjectKind(_l("Relatives register entry"),
                                            labels.named(RelativeRegisterEntry, "name")),
    DishonestyEntry=labels.ObjectKind(_l("Dishonesty register entry"),
                                      labels.named(DishonestyEntry, "name")),
    DishonestyWarning=labels.ObjectKind(_l("Dishonesty warning"),
                                        labels.named(DishonestyWarning, "name")),
    WorkflowSetting=labels.ObjectKind(_l("Workflow settings")),
)
labels.fields(
    {
        "case_number": _l("Case number"), "relief_type": _l("Relief type"),
        "schema_version_id": _l("Form version"), "state": _l("State"),
        "applicant_name": _l("Applicant"), "applicant_id_number": _l("Applicant ID number"),
        "is_active": _l("Case in force"), "created_by_id": _l("Accepted by"),
        "created_at": _l("Created at"), "accepted_on": _l("Accepted on"),
        "region_id": _l("Region"), "urban_rural": _l("Urban or rural"),
        "persons_covered": _l("Persons covered"), "decided_at": _l("Decided at"),
        "monthly_amount_fen": _l("Monthly amount"), "one_off_amount_fen": _l("One-off amount"),
        "payment_start_month": _l("First paid month"), "payment_end_month": _l("Last paid month"),
        "care_level": _l("Care level"), "is_concentrated": _l("Concentrated support"),
        "ls_kind": _l("Temporary assistance kind"), "proxy_name": _l("Proxy"),
        "proxy_id_number": _l("Proxy ID number"), "proxy_relation": _l("Proxy relation"),
        "archive_number": _l("Archive number"), "is_relative_case": _l("Relative of staff"),
        "flags": _l("Flags"), "investigators": _l("Investigators"),
        "is_home_visit": _l("Home visit"), "reviewer_id": _l("Reviewer"),
        "approver_id": _l("Approver"), "county_visit_on": _l("County visit on"),
        "decision": _l("Decision result"), "refusal_reason": _l("Reason for refusal"),
        "standard_version_id": _l("Standard version"),
        "per_capita_income_fen": _l("Monthly income per person"),
        "amount_formula": _l("Amount formula"), "amount_inputs": _l("Amount inputs"),
        "needs_county_decision": _l("Needs the county's decision"),
        "emergency_aid_fen": _l("Emergency aid amount"), "emergency_aid_on": _l("Emergency aid on"),
        "publicity_start_on": _l("Publicity from"), "publicity_end_on": _l("Publicity until"),
        "is_extended": _l("Time limit extended"), "due_on": _l("Next deadline"),
        "total_due_on": _l("Total time limit"), "recheck_category": _l("Re-check category"),
        "last_recheck_on": _l("Last re-check"), "next_recheck_on": _l("Next re-check"),
        "gradual_exit_until": _l("Gradual exit until"), "event_id": _l("Step"),
        "member_id": _l("Member"), "name": _l("Name"), "relation": _l("Relation"),
        "staff_user_id": _l("Staff member"), "cadre_name": _l("Village cadre"),
        "scheduled_amount_fen": _l("Corrected monthly amount"),
        "scheduled_amount_month": _l("Corrected amount from"),
        "county_reason": _l("Why the county decides"), "is_imported": _l("Imported from the roll"),
    },
    state=lambda v: STATE_LABELS.get(v, str(v)),
    relief_type=_relief,
    applicant_id_number=idnumber.mask,
    proxy_id_number=idnumber.mask,
    urban_rural=lambda v: str(URBAN_RURAL_LABELS.get(v, v)),
    monthly_amount_fen=_yuan, one_off_amount_fen=_yuan, emergency_aid_fen=_yuan,
    scheduled_amount_fen=_yuan,
    per_capita_income_fen=_yuan,
    created_by_id=user_names, reviewer_id=user_names, approver_id=user_names,
    investigators=user_names, staff_user_id=user_names,
    decision=lambda v: re.split("[：:] ?", str(ACTION_LABELS.get(v, v)))[-1],
    flags=_many(_choice(FLAG_CHOICES)),
    recheck_category=_choice(RECHECK_CHOICES),
    ls_kind=lambda v: LS_KIND_LABELS.get(v, str(v)),
    amount_formula=_stored, amount_inputs=_inputs,
)
