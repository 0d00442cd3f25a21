"""Context pieces shared by the document kinds, and the contracts describing them.

A contract is a nested description of what a template may use: ``None`` is a printable
value, a dict is an object with those attributes, ``[spec]`` is a list whose items follow
``spec``. The lint walks templates against it; builders produce exactly these shapes.

The case carries some facts that other rooms add over time (investigators, the standard used,
deadlines…); they are read defensively with ``fact`` so a missing column prints the
placeholder instead of failing.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..db import db
from ..money import MoneyError, fen_to_yuan, parse_yuan, round_money
from ..periods import age_on, as_date
from ..relief import RELIEF_TYPES, ReliefCode
from ..schemas.roles import LS_KIND_LABELS
from .formatting import is_empty

# -- contracts ---------------------------------------------------------------------------------

REGION = {"village": None, "township": None, "county": None,
          "full_name": None}
OFFICE = {"name": None, "phone": None, "address": None, "objection_phone": None,
          "objection_address": None, "county_office": None, "county_phone": None}
MEMBER = {"number": None, "name": None, "relationship": None, "sex": None, "age": None,
          "birth_date": None, "id_number": None, "is_applicant": None, "is_adult": None,
          "health": None, "disability": None, "work_ability": None, "occupation": None,
          "income": None}
INCOME = {"label": None, "amount": None, "note": None}
HOUSEHOLD = {"address": None, "phone": None, "size": None, "housing": None,
             "housing_area": None, "deposits": None, "vehicles": None, "other_assets": None,
             "incomes": [INCOME], "total_income": None, "per_capita_income": None,
             "bank_name": None, "bank_account": None, "reason": None}
CASE = {"number": None, "relief_code": None, "relief_name": None, "relief_short": None,
        "state": None, "accepted_on": None, "decided_on": None, "urban_rural": None,
        "persons_covered": None, "monthly_amount": None, "one_off_amount": None,
        "amount": None, "payment_start_month": None, "care_level": None,
        "support_mode": None, "ls_kind": None, "archive_number": None, "due_on": None}
STAFF = {"clerk": None, "investigators": [None], "investigator_names": None,
         "reviewer": None, "approver": None}
STANDARD = {"name": None, "amount": None, "urban_rural": None, "effective_from": None,
            "basis": None}
SCHEMA = {"number": None, "relief_type": None}

CASE_CONTRACT = {
    "case": CASE, "applicant": MEMBER, "members": [MEMBER], "household": HOUSEHOLD,
    "region": REGION, "office": OFFICE, "staff": STAFF, "standard": STANDARD,
    "schema": SCHEMA, "answers": "answers", "issued_on": None, "placeholder": None,
}
"""Every per-case kind receives these; ``answers`` is checked against the relief schema."""

URBAN_RURAL_LABELS = {"urban": "城市", "rural": "农村"}
RELATIONSHIP_ADULT_AGE = 18


RECORDED_FACTS = {"decision_opinion": ("approve", "refuse", "county_approve", "county_refuse")}
"""Facts a workflow step records in its event data, and the steps that record them."""


def fact(case, *names, default=None):
    """The first non-empty of ``case.<name>``, the newest workflow step recording it
    (``RECORDED_FACTS``) or ``case.answers[name]`` for the given names."""
    answers = getattr(case, "answers", None) or {}
    for name in names:
        value = getattr(case, name, None)
        if is_empty(value) and name in RECORDED_FACTS:
            value = recorded(case, *RECORDED_FACTS[name]).get(name)
        if is_empty(value):
            value = answers.get(name)
        if not is_empty(value):
            return value
    return default


def person_name(person) -> str | None:
    """A user row, a user id, or a plain name → the name to print."""
    if is_empty(person):
        return None
    if isinstance(person, str):
        return person
    if isinstance(person, int):
        from ..auth.models import User

        person = db.session.get(User, person)
        if person is None:
            return None
    return getattr(person, "display_name", None) or getattr(person, "name", None) or str(person)


def _money(value) -> Decimal | None:
    """An answer's amount as yuan; one that is not an amount prints as the placeholder."""
    try:
        return None if is_empty(value) else parse_yuan(value, allow_negative=True)
    except MoneyError:
        return None


def _detail(details: dict, *names):
    for name in names:
        if not is_empty(details.get(name)):
            return details[name]
    return None


SEX_LABELS = {"M": "男", "F": "女"}


def _health(details: dict):
    if not is_empty(details.get("illness")):
        return details["illness"]
    if details.get("has_illness") is False:
        return "健康"
    return _detail(details, "health", "health_status")


def _disability(details: dict):
    grade = _detail(details, "disability_grade", "disability")
    if details.get("is_disabled") is False and is_empty(grade):
        return "无"
    return f"残疾{grade}" if grade and details.get("is_disabled") else grade


def member_context(member, number: int, on: date) -> dict:
    """A member row as documents print it (keys follow the shipped form schemas)."""
    details = dict(getattr(member, "details", None) or {})
    age = age_on(member.birth_date, on)
    return {
        "number": number,
        "name": member.name,
        "relationship": member.relationship_ or ("本人" if member.is_applicant else None),
        "sex": SEX_LABELS.get(member.sex, member.sex or None),
        "age": age,
        "birth_date": member.birth_date,
        "id_number": member.id_number,
        "is_applicant": bool(member.is_applicant),
        "is_adult": age is None or age >= RELATIONSHIP_ADULT_AGE,
        "health": _health(details),
        "disability": _disability(details),
        "work_ability": _detail(details, "work_ability", "labor_ability"),
        "occupation": _detail(details, "occupation", "work"),
        "income": _money(_detail(details, "monthly_income", "income")),
    }


INCOME_KINDS = {"wages": "工资性收入", "business": "经营净收入", "property": "财产净收入",
                "transfers": "转移净收入", "other": "其他收入"}


def _incomes(answers: dict) -> list[dict]:
    """Income by kind from ``answers['incomes']`` (a dict or a list of rows)."""
    raw = answers.get("incomes") or answers.get("income") or {}
    rows = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            rows.append({"label": INCOME_KINDS.get(key, key), "amount": _money(value),
                         "note": None})
    elif isinstance(raw, list):
        for row in raw:
            if isinstance(row, dict):
                kind = row.get("kind") or row.get("label") or ""
                note = row.get("description") or row.get("note")
                if row.get("is_exempt"):
                    note = f"{note}（豁免）" if note else "豁免，不计入收入"
                rows.append({"label": INCOME_KINDS.get(kind, kind), "note": note,
                             "amount": _money(row.get("amount") or row.get("monthly"))})
    return rows


INVESTIGATION_ACTIONS = ("submit_for_decision", "send_to_appraisal")
"""The workflow steps that record the home visit (cases room: the investigation fields)."""
HOUSEHOLD_FACTS = ("housing", "housing_area", "vehicles", "other_assets")
"""What the investigation verified, printed instead of what the application stated."""


def recorded(case, *actions) -> dict:
    """The data of the newest workflow event among ``actions`` (empty if none)."""
    for event in reversed(list(getattr(case, "events", None) or [])):
        if getattr(event, "action", None) in actions:
            return dict(getattr(event, "data", None) or {})
    return {}


def household_context(case, members: list[dict]) -> dict:
    answers = dict(case.answers or {})
    verified = recorded(case, *INVESTIGATION_ACTIONS)
    incomes = _incomes(verified if verified.get("incomes") else answers)
    total = fact(case, "income_total", "total_income")
    total = _money(total) if total is not None else (
        sum((r["amount"] or Decimal(0) for r in incomes), Decimal("0.00")) if incomes else None)
    size = len(members) or None
    per_capita = fen_to_yuan(getattr(case, "per_capita_income_fen", None)) or _money(
        fact(case, "per_capita_income"))
    if per_capita is None and total is not None and size:
        per_capita = round_money(total / size)
    household = {
        "address": fact(case, "address", "home_address"),
        "phone": fact(case, "phone", "contact_phone"),
        "size": size,
        "housing": fact(case, "housing", "housing_type") or (
            f"自有住房{answers['house_count']}套" if answers.get("house_count") is not None
            else None),
        "housing_area": fact(case, "housing_area"),
        "deposits": _money(fact(case, "deposits", "savings")),
        "vehicles": fact(case, "vehicle_note", "vehicles") or (
            "无" if answers.get("has_vehicle") is False else None),
        "other_assets": fact(case, "other_assets", "assets"),
        "incomes": incomes,
        "total_income": total,
        "per_capita_income": per_capita,
        "bank_name": fact(case, "bank_name"),
        "bank_account": fact(case, "bank_account"),
        "reason": fact(case, "reason", "application_reason", "hardship"),
    }
    household.update({k: verified[k] for k in HOUSEHOLD_FACTS if not is_empty(verified.get(k))})
    return household


SURVEY = {"visited_on": None, "findings": None, "opinion": None, "present": None,
          "investigators": None, "living_conditions": None, "place": None}


def survey_context(case, base: dict) -> dict:
    """The home visit as the investigation step recorded it (入户调查表)."""
    data = recorded(case, *INVESTIGATION_ACTIONS)
    present = data.get("members_present") or []
    names = [m.name for m in case.members if m.id in present]
    return {
        "visited_on": as_date(data.get("visited_on") or fact(case, "visited_on", "survey_on")),
        "findings": data.get("survey_findings") or fact(case, "survey_findings", "findings"),
        "opinion": data.get("survey_opinion"),
        "present": "、".join(names) or None,
        "investigators": base["staff"]["investigator_names"],
        "living_conditions": fact(case, "living_conditions"),
        "place": base["household"]["address"],
    }


def region_context(region) -> dict:
    """Names of the village (if any), township and county of a region."""
    village = region if region is not None and region.level.value == "village" else None
    township = region.township if region is not None else None
    county = region.county if region is not None else None
    return {
        "village": village.name if village else None,
        "township": township.name if township else None,
        "county": county.name if county else None,
        "full_name": region.full_name if region is not None else None,
    }


def office_context(region) -> dict:
    """The township office's contact lines (set on the documents settings page)."""
    from .queries import office_for

    return office_for(region)


STANDARD_NAMES = {True: "特困人员基本生活标准", False: "最低生活保障标准"}  # by has_care_levels


def standard_context(case) -> dict:
    """The standard version the decision used (standards room), for the household's category."""
    empty = {"name": None, "amount": None, "effective_from": None, "basis": None,
             "urban_rural": URBAN_RURAL_LABELS.get(case.urban_rural)}
    set_id = getattr(case, "standard_version_id", None)
    if not set_id:
        return empty
    try:
        from ..standards.queries import standard_by_id

        standard = standard_by_id(set_id, case.urban_rural or "rural")
    except (ImportError, ValueError):
        return empty
    if standard is None:
        return empty
    relief = RELIEF_TYPES[ReliefCode(case.relief_type)]
    return {
        "name": STANDARD_NAMES[relief.has_care_levels],
        "amount": _money(standard.tk_basic if relief.has_care_levels else standard.db_standard),
        "urban_rural": URBAN_RURAL_LABELS.get(standard.urban_rural),
        "effective_from": standard.effective_from,
        "basis": standard.basis or None,
    }


def staff_context(case) -> dict:
    investigators = fact(case, "investigators", default=[])
    if not isinstance(investigators, (list, tuple)):
        investigators = [investigators]
    names = [n for n in (person_name(p) for p in investigators) if n]
    return {
        "clerk": person_name(fact(case, "created_by", "clerk", "created_by_id")),
        "investigators": names,
        "investigator_names": "、".join(names) or None,
        "reviewer": person_name(fact(case, "reviewer", "reviewed_by", "reviewer_id")),
        "approver": person_name(fact(case, "approver", "approved_by", "approver_id")),
    }


def case_facts(case) -> dict:
    relief = RELIEF_TYPES[ReliefCode(case.relief_type)]
    monthly = fen_to_yuan(case.monthly_amount_fen) if case.monthly_amount_fen else None
    one_off = fen_to_yuan(case.one_off_amount_fen) if case.one_off_amount_fen else None
    support = None
    if relief.has_care_levels:  # 特困: concentrated or dispersed support
        support = "集中供养" if case.is_concentrated else "分散供养"
    return {
        "number": case.case_number,
        "relief_code": relief.code,
        "relief_name": relief.name,
        "relief_short": relief.short_name,
        "state": case.state,
        "accepted_on": case.accepted_on,
        "decided_on": as_date(case.decided_at),
        "urban_rural": URBAN_RURAL_LABELS.get(case.urban_rural, case.urban_rural),
        "persons_covered": case.persons_covered or None,
        "monthly_amount": monthly,
        "one_off_amount": one_off,
        "amount": one_off if relief.is_one_off else monthly,
        "payment_start_month": case.payment_start_month,
        "care_level": case.care_level,
        "support_mode": support,
        "ls_kind": LS_KIND_LABELS.get(case.ls_kind or "", case.ls_kind),
        "archive_number": case.archive_number,
        "due_on": as_date(fact(case, "due_on", "decision_due_on", "deadline_on")),
    }


def event_data(case, action: str) -> dict:
    """The data of the newest workflow event with this action (e.g. the missing materials)."""
    return recorded(case, action)


class Answers(dict):
    """The case's answers; a field the schema has but the case left empty reads as None."""

    def __missing__(self, key):
        return None


def base_case_context(case, issued_on: date, placeholder: str) -> dict:
    members = [member_context(m, i, issued_on) for i, m in enumerate(case.members, start=1)]
    applicant = next((m for m in members if m["is_applicant"]), members[0] if members else
                     {key: None for key in MEMBER} | {"name": case.applicant_name,
                                                      "id_number": case.applicant_id_number})
    schema = case.schema_version
    return {
        "case": case_facts(case),
        "applicant": applicant,
        "members": members,
        "household": household_context(case, members),
        "region": region_context(case.region),
        "office": office_context(case.region),
        "staff": staff_context(case),
        "standard": standard_context(case),
        "schema": {"number": getattr(schema, "number", None),
                   "relief_type": getattr(getattr(schema, "relief_type", None), "value", None)},
        "answers": Answers(case.answers or {}),
        "issued_on": issued_on,
        "placeholder": placeholder,
    }


DISHONESTY = {"kind": None, "facts": None, "warned_on": None, "correction_due_on": None,
              "listed_on": None, "expires_on": None, "stop_month": None, "legal_basis": None,
              "review_body": None, "review_days": None, "court": None, "lawsuit_months": None}
DISHONESTY_BASIS = "《社会救助暂行办法》第六十八条及本市社会救助对象失信惩戒机制有关规定"


def dishonesty_context(case, base: dict) -> dict:
    """The 失信 listing that stopped this case, as the dishonesty_stop step recorded it."""
    data = recorded(case, "dishonesty_stop")
    county = base["region"]["county"] or ""
    return {
        "kind": data.get("kind_label"), "facts": data.get("facts"),
        "warned_on": as_date(data.get("warned_on")),
        "correction_due_on": as_date(data.get("correction_due_on")),
        "listed_on": as_date(data.get("listed_on")),
        "expires_on": as_date(data.get("expires_on")),
        "stop_month": as_date(data.get("stop_month")),
        "legal_basis": DISHONESTY_BASIS, "review_body": f"{county}人民政府", "review_days": 60,
        "court": f"{county}人民法院", "lawsuit_months": 6,
    }
