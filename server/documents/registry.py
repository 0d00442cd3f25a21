"""The document kinds: one class per kind, registered under a stable name.

Each kind declares its title, the relief types it serves, its scope (one case, one village, one
township), its context contract (what a template may use; the lint checks uploads against it),
whether it is posted in public (then its context is built from an allow-list), and the function
that builds the context. ``STEP_DOCUMENTS`` says which workflow step produces which kinds.

Each kind also declares when it may be produced: ``states`` (the case states it is valid in,
None for any) and ``refusal(subject)`` (a Chinese reason when the case does not call for it).
``available(kind, subject)`` is the one check the case page, the views, the API and print
packs use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Callable, ClassVar

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db
from ..i18n import in_page_language
from ..jobs import stored_values
from ..money import fen_to_yuan
from ..periods import age_on, as_date, local_today
from ..relief import RELIEF_TYPES, ReliefCode, codes_where, item
from . import context as ctx
from .errors import DocumentError, unknown_kind
from .formatting import DEFAULT_PLACEHOLDER, is_empty

ALL_RELIEF = frozenset(RELIEF_TYPES)
PAID_MONTHLY = frozenset(codes_where(is_monthly=True))


class Barcode:
    """A Code128 barcode the renderer turns into an inline PNG of ``width_mm``."""

    def __init__(self, value: str, width_mm: int = 70):
        self.value, self.width_mm = value, width_mm

    def __str__(self) -> str:
        return self.value


class QrCode(Barcode):
    """A QR code of ``value`` (a public address) the renderer turns into an inline PNG."""

    def __init__(self, value: str, width_mm: int = 28):
        super().__init__(value, width_mm)


class DocumentKind:
    """Base of every kind. Subclasses set the class attributes and ``extra_context``."""

    name: ClassVar[str]
    title: ClassVar[str]  # printed and stored with each document: Chinese
    title_en: ClassVar[str] = ""  # what English pages call it

    @property
    def label(self) -> str:
        """The kind's name in the page's language."""
        return in_page_language(self.title, self.title_en)
    relief_types: ClassVar[frozenset] = ALL_RELIEF
    scope: ClassVar[str] = "case"  # "case", "village" or "township"
    is_public: ClassVar[bool] = False
    extra_contract: ClassVar[dict] = {}
    states: ClassVar[frozenset | None] = None  # case states it may be produced in; None: any
    # stamped with the township's 委托事项专用章: each final print is entered in the seal log
    bears_seal: ClassVar[bool] = False
    when: ClassVar[str] = ""  # the same in words, for the refusal ("审核确认环节开始后")
    when_en: ClassVar[str] = ""

    def refusal(self, subject) -> str | None:
        """Why the subject does not call for this document (a message), or None when it does."""
        return None

    @classmethod
    def contract(cls) -> dict:
        return {**ctx.CASE_CONTRACT, **cls.extra_contract}

    def applies_to(self, relief_type) -> bool:
        return ReliefCode(relief_type) in self.relief_types

    def issued_on(self, case) -> date:
        """The date printed as the issue date: a case fact, so regenerating prints the same."""
        return case.accepted_on or local_today()

    def extra_context(self, case, base: dict, options: dict) -> dict:
        return {}

    def build_context(self, subject, options: dict | None = None) -> dict:
        options = options or {}
        issued = options.get("issued_on") or self.issued_on(subject)
        base = ctx.base_case_context(subject, issued, placeholder())
        base.update(self.extra_context(subject, base, options))
        return base

    def filename(self, subject, options: dict | None = None) -> str:
        label = getattr(subject, "case_number", None) or getattr(subject, "code", "")
        suffix = (options or {}).get("copy")
        return f"{label}-{self.name}{'-' + suffix if suffix else ''}.docx"


KINDS: dict[str, DocumentKind] = {}
# what one document of a kind is about (``DocumentKind.scope``), in words
SCOPE_LABELS = {"case": _l("One household"), "village": _l("One village"),
                "township": _l("One township")}


def register(cls):
    """Class decorator: adding a kind is adding one class."""
    KINDS[cls.name] = cls()
    return cls


def placeholder() -> str:
    return current_app.config.get("DOCUMENT_PLACEHOLDER", DEFAULT_PLACEHOLDER)


def get_kind(name: str) -> DocumentKind:
    return KINDS[name]


@dataclass(frozen=True)
class Verdict:
    """Whether a kind may be produced now; false with the ``reason`` (in the page's language)
    when not."""

    reason: str | None = None

    def __bool__(self) -> bool:
        return self.reason is None


def _state_label(state: str) -> str:
    from ..cases.workflows import STATE_LABELS

    return STATE_LABELS.get(state, state)


def available(kind: str | DocumentKind, subject) -> Verdict:
    """May ``kind`` be produced for the subject (a case, village or township) now?"""
    if isinstance(kind, str):
        if kind not in KINDS:
            return Verdict(str(unknown_kind(kind)))
        kind = KINDS[kind]
    if kind.scope == "case":
        if not kind.applies_to(subject.relief_type):
            relief = RELIEF_TYPES[ReliefCode(subject.relief_type)]
            return Verdict(str(_l("%(document)s does not apply to %(relief)s",
                                  document=kind.label, relief=relief.label)))
        if kind.states is not None and subject.state not in kind.states:
            return Verdict(str(_l("The case is “%(state)s” now; “%(document)s” can only be "
                                  "issued once %(when)s", state=_state_label(subject.state),
                                  document=kind.label,
                                  when=in_page_language(kind.when, kind.when_en))))
    reason = kind.refusal(subject)
    return Verdict(None if reason is None else str(reason))


# -- case states documents follow (the cases room's state names) -------------------------------

EARLY_STATES = frozenset({"accepted", "awaiting_materials", "emergency_aided"})
DECIDING_STATES = frozenset({"decision", "county_review", "publicity", "confirmed", "refused",
                             "paying", "recognized", "gradual_exit", "termination_publicity",
                             "stopped", "terminated", "closed"})
INVESTIGATED_STATES = DECIDING_STATES | {"investigating", "appraisal"}
CONFIRMED_STATES = frozenset({"confirmed", "paying", "recognized", "gradual_exit",
                              "termination_publicity", "stopped", "terminated", "closed"})


# -- facts other rooms record on the case (read defensively) -----------------------------------

DEFAULT_COMMITMENTS = [
    "本人及家庭成员提供的申请材料和申报的家庭收入、财产状况真实、完整、有效",
    "家庭人口、收入、财产状况发生变化时，及时主动向乡镇(街道)报告",
    "如有隐瞒、虚报或伪造材料，自愿退还所领取的救助资金，并承担相应法律责任",
]


def _as_list(value) -> list:
    if is_empty(value):
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[\n；;]", value) if part.strip()]
    return list(value)


def missing_materials(case) -> list[str]:
    """What the one-time notice lists: the workflow's request_materials event, else answers."""
    missing = ctx.event_data(case, "request_materials").get("missing")
    return [str(x) for x in _as_list(missing or ctx.fact(case, "missing_materials"))]


def proxy_of(case) -> dict | None:
    """The proxy (代办员) who applied for the household, if any."""
    proxy = ctx.fact(case, "proxy")
    if isinstance(proxy, dict) and not is_empty(proxy.get("name")):
        return proxy
    name = ctx.fact(case, "proxy_name")
    if is_empty(name):
        return None
    return {"name": name, "id_number": ctx.fact(case, "proxy_id_number"),
            "phone": ctx.fact(case, "proxy_phone"),
            "relationship": ctx.fact(case, "proxy_relationship")}


# -- per-case kinds ----------------------------------------------------------------------------

@register
class AcceptanceSlip(DocumentKind):
    name, title = "acceptance_slip", "受理回执"
    title_en = "Acceptance slip"
    extra_contract = {"materials": [None]}

    def extra_context(self, case, base, options):
        return {"materials": [str(x) for x in _as_list(ctx.fact(case, "materials_received",
                                                                   "materials"))]}


@register
class OneTimeNotice(DocumentKind):
    name, title = "one_time_notice", "一次性告知书"
    title_en = "One-time notice of missing materials"
    extra_contract = {"missing": [None], "deadline_on": None}

    def refusal(self, case):
        if not missing_materials(case):
            return _l("No missing materials are recorded, so no one-time notice is needed "
                      "(list the missing materials under “Ask for materials” first)")
        return None

    def extra_context(self, case, base, options):
        deadline = ctx.fact(case, "materials_deadline_on")
        return {"missing": missing_materials(case),
                "deadline_on": deadline or base["issued_on"] + timedelta(days=15)}


@register
class Application(DocumentKind):
    name, title = "application", "社会救助申请书"
    title_en = "Social assistance application"


SIGNER = {"name": None, "id_number": None, "relationship": None, "role": None}


@register
class Authorization(DocumentKind):
    name, title = "authorization", "家庭经济状况核对授权书"
    title_en = "Authorization to check household finances"
    extra_contract = {"signers": [SIGNER]}

    def extra_context(self, case, base, options):
        signers = [{"name": m["name"], "id_number": m["id_number"],
                    "relationship": m["relationship"], "role": "家庭成员"}
                   for m in base["members"] if m["is_adult"]]
        for obligor in _as_list(ctx.fact(case, "obligors")):
            if isinstance(obligor, dict) and obligor.get("name"):
                signers.append({"name": obligor["name"], "id_number": obligor.get("id_number"),
                                "relationship": obligor.get("relationship"),
                                "role": "赡养(抚养、扶养)义务人"})
        return {"signers": signers}


@register
class Commitment(DocumentKind):
    name, title = "commitment", "承诺书"
    title_en = "Letter of commitment"
    extra_contract = {"promises": [None], "instead_of_proof": [None]}

    def extra_context(self, case, base, options):
        return {"promises": DEFAULT_COMMITMENTS,
                "instead_of_proof": [str(x) for x in _as_list(
                    ctx.fact(case, "commitment_items", "promised_items"))]}


PROXY = {"name": None, "id_number": None, "phone": None, "relationship": None, "scope": None}


@register
class ProxyLetter(DocumentKind):
    name, title = "proxy_letter", "代办委托书"
    title_en = "Proxy authorization"
    extra_contract = {"proxy": PROXY}

    def refusal(self, case):
        if proxy_of(case) is None:
            return _l("This application has no proxy, so no proxy authorization is needed")
        return None

    def extra_context(self, case, base, options):
        proxy = proxy_of(case) or {}
        return {"proxy": {
            "name": proxy.get("name"), "id_number": proxy.get("id_number"),
            "phone": proxy.get("phone"), "relationship": proxy.get("relationship"),
            "scope": proxy.get("scope") or "代为提出申请、提交和补正材料、领取相关文书",
        }}


@register
class HouseholdSurvey(DocumentKind):
    name, title = "household_survey", "入户调查表"
    title_en = "Household survey"
    extra_contract = {"survey": ctx.SURVEY}
    states, when, when_en = INVESTIGATED_STATES, "开始调查核实后", "the investigation has begun"

    def issued_on(self, case):
        visited = ctx.recorded(case, *ctx.INVESTIGATION_ACTIONS).get("visited_on") or ctx.fact(
            case, "visited_on", "survey_on")
        return as_date(visited) or case.accepted_on or local_today()

    def extra_context(self, case, base, options):
        return {"survey": ctx.survey_context(case, base)}


APPRAISAL = {"held_on": None, "place": None, "host": None, "recorder": None,
             "participants": None, "participant_count": None, "opinions": None,
             "votes_for": None, "votes_against": None, "votes_abstain": None,
             "conclusion": None}


@register
class AppraisalMinutes(DocumentKind):
    name, title = "appraisal_minutes", "民主评议记录"
    title_en = "Democratic appraisal minutes"
    extra_contract = {"appraisal": APPRAISAL}

    def refusal(self, case):
        appraised = any(getattr(e, "action", None) == "record_appraisal"
                        for e in getattr(case, "events", None) or [])
        if not appraised and not isinstance(ctx.fact(case, "appraisal"), dict):
            return _l("This case had no democratic appraisal, so there are no minutes to issue")
        return None

    def extra_context(self, case, base, options):
        raw = ctx.fact(case, "appraisal") or ctx.event_data(case, "record_appraisal")
        raw = raw if isinstance(raw, dict) else {}
        if raw.get("outcome") and not raw.get("conclusion"):
            raw = {**raw, "conclusion": raw["outcome"]}
        appraisal = {key: raw.get(key) for key in APPRAISAL}
        appraisal["held_on"] = as_date(appraisal["held_on"])
        if isinstance(appraisal["participants"], list):
            appraisal["participant_count"] = appraisal["participant_count"] or len(
                appraisal["participants"])
            appraisal["participants"] = "、".join(map(str, appraisal["participants"]))
        return {"appraisal": appraisal}


DECISION = {"is_approved": None, "result": None, "opinion": None, "amount": None,
            "start_month": None, "decided_on": None}


def decision_context(case, base) -> dict:
    refused = case.state == "refused" or ctx.fact(case, "decision") == "refuse"
    return {
        "is_approved": not refused,
        "result": "不予救助" if refused else "同意救助",
        "opinion": ctx.fact(case, "decision_opinion", "opinion"),
        "amount": base["case"]["amount"],
        "start_month": case.payment_start_month,
        "decided_on": base["case"]["decided_on"],
    }


class DecisionKind(DocumentKind):
    """Kinds issued at the decision: dated by it."""

    extra_contract = {"decision": DECISION}
    states, when, when_en = DECIDING_STATES, "进入审核确认环节后", "the review has begun"
    bears_seal = True

    def issued_on(self, case):
        return as_date(case.decided_at) or case.accepted_on or local_today()

    def extra_context(self, case, base, options):
        return {"decision": decision_context(case, base)}


def refusal_reasons(case) -> list[str]:
    return [str(x) for x in _as_list(
        ctx.fact(case, "refusal_reasons", "refusal_reason", "decision_opinion"))]


@register
class DecisionForm(DecisionKind):
    name, title = "decision_form", "社会救助审核确认表"
    title_en = "Review and confirmation form"


LEGAL_BASIS = {code: relief.basis for code, relief in RELIEF_TYPES.items()}  # forms/items.yaml
REFUSAL = {"reasons": [None], "legal_basis": None, "review_body": None, "review_days": None,
           "court": None, "lawsuit_months": None}


@register
class RefusalNotice(DecisionKind):
    name, title = "refusal_notice", "不予救助告知书"
    title_en = "Refusal notice"
    extra_contract = {"decision": DECISION, "refusal": REFUSAL}
    states, when, when_en = frozenset({"refused"}), "作出不予救助决定后", "assistance is refused"

    def refusal(self, case):
        if not refusal_reasons(case):
            return _l("The reasons for refusing are not filled in, so no refusal notice can be "
                      "issued (they are entered when refusing)")
        return None

    def extra_context(self, case, base, options):
        county = base["region"]["county"] or ""
        return {"decision": decision_context(case, base), "refusal": {
            "reasons": refusal_reasons(case),
            "legal_basis": LEGAL_BASIS[ReliefCode(case.relief_type)],
            "review_body": f"{county}人民政府", "review_days": 60,
            "court": f"{county}人民法院", "lawsuit_months": 6,
        }}


@register
class ConfirmationNotice(DecisionKind):
    name, title = "confirmation_notice", "社会救助确认通知书"
    title_en = "Confirmation notice"
    states, when, when_en = CONFIRMED_STATES, "确认给予救助后", "assistance is confirmed"

    def refusal(self, case):
        if case.decision == "refuse":
            return _l("Assistance was refused in this case, so no confirmation notice is issued")
        return None


class ArchiveKind(DocumentKind):
    """The archive's own pages: only for decided cases (the archive room bundles those)."""

    def issued_on(self, case):
        return as_date(case.decided_at) or case.accepted_on or local_today()

    def refusal(self, case):
        if case.decided_at is None:
            return _l("The case has no decision yet, so “%(document)s” cannot be issued",
                      document=self.label)
        return None


@register
class DishonestyNotice(DocumentKind):
    """失信: the written notice that payment stops from the month of listing."""

    name, title = "dishonesty_notice", "社会救助失信行为处理告知书"
    title_en = "Notice of dishonesty handling"
    relief_types = frozenset(codes_where(is_one_off=False))  # standing support, not one-offs
    extra_contract = {"dishonesty": ctx.DISHONESTY}

    def issued_on(self, case):
        listed = ctx.recorded(case, "dishonesty_stop").get("listed_on")
        return as_date(listed) or case.accepted_on or local_today()

    def refusal(self, case):
        if not ctx.recorded(case, "dishonesty_stop"):
            return _l("Assistance in this case was not stopped for dishonesty, so no dishonesty "
                      "notice is issued")
        return None

    def extra_context(self, case, base, options):
        return {"dishonesty": ctx.dishonesty_context(case, base)}


COPY_MARKINGS = {"county": "县级存档", "township": "乡镇存档"}  # printed on the copies
# the copies' names on pages, in the page's language (the marking above is what is printed)
COPY_LABELS = {"county": _l("County archive copy"), "township": _l("Township archive copy")}


def marking_label(marking: str) -> str:
    """A copy's printed marking (县级存档) in the page's language, for messages that name it."""
    key = next((k for k, v in COPY_MARKINGS.items() if v == marking), None)
    return str(COPY_LABELS[key]) if key else marking


def title_label(title: str) -> str:
    """A kind's stored (Chinese) title in the page's language, for messages that name it."""
    kind = next((k for k in KINDS.values() if k.title == title), None)
    return kind.label if kind else title


# job rows store these names in Chinese: read back in the reader's language
stored_values(document=title_label, copy=marking_label)
ARCHIVE = {"number": None, "opened_on": None, "closed_on": None, "retention": None}
RETENTION_SOURCES: list[Callable] = []
"""Functions ``case -> str | None`` giving the cover's 保管期限 (the archive room's rule per
class of file); the first answer wins, else a recorded fact, else 长期."""


def retention_of(case) -> str:
    for source in RETENTION_SOURCES:
        label = source(case)
        if label:
            return label
    return ctx.fact(case, "retention") or "长期"


@register
class ArchiveCover(ArchiveKind):
    name, title = "archive_cover", "档案封面"
    title_en = "Archive cover"
    extra_contract = {"archive": ARCHIVE, "barcode": None, "copies": [{"marking": None}]}

    def extra_context(self, case, base, options):
        number = case.archive_number or case.case_number
        chosen = options.get("copy")
        markings = [COPY_MARKINGS[chosen]] if chosen in COPY_MARKINGS else list(
            COPY_MARKINGS.values())
        return {"archive": {"number": number, "opened_on": case.accepted_on,
                            "closed_on": case.payment_end_month,
                            "retention": retention_of(case)},
                "barcode": Barcode(number), "copies": [{"marking": m} for m in markings]}


ENTRY = {"number": None, "title": None, "made_on": None, "pages": None, "note": None}

INVENTORY_SOURCES: list[Callable] = []
"""Functions ``case -> [entry dicts]`` other rooms add (e.g. the archive's scans)."""


def _generated_entries(case) -> list[dict]:
    from .models import GeneratedDocument

    if case.id is None:
        return []
    rows = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.case_id == case.id,
        GeneratedDocument.kind.notin_(["archive_cover", "file_inventory"]),
    ).order_by(GeneratedDocument.id)).all()
    latest = {row.kind: row for row in rows}  # the newest of each kind is the filed one
    return [{"title": row.title, "made_on": as_date(row.created_at),
             "pages": _pages(row), "note": None}
            for row in sorted(latest.values(), key=lambda r: r.id)]


def _pages(document) -> int | None:
    """Page count from the document's PDF when it has been converted."""
    from ..extensions import data_dir

    if not document.pdf_path or not (data_dir() / document.pdf_path).exists():
        return None
    from pypdf import PdfReader

    return len(PdfReader(str(data_dir() / document.pdf_path)).pages)


@register
class FileInventory(ArchiveKind):
    name, title = "file_inventory", "卷内目录"
    title_en = "File inventory"
    extra_contract = {"entries": [ENTRY]}

    def extra_context(self, case, base, options):
        entries = list(options.get("entries") or _generated_entries(case))
        for source in INVENTORY_SOURCES:
            entries.extend(source(case))
        return {"entries": [{**{k: None for k in ENTRY}, **e, "number": i}
                            for i, e in enumerate(entries, start=1)]}


# -- public notices (per village): contexts built from an allow-list ---------------------------

NOTICE_ROW = {"number": None, "name": None, "persons": None, "amount": None,
              "relief_name": None, "note": None}
NOTICE_CONTRACT = {
    "region": ctx.REGION, "office": ctx.OFFICE, "rows": [NOTICE_ROW], "total_households": None,
    "total_persons": None, "total_amount": None, "period": {"start": None, "end": None,
                                                            "days": None},
    "month": None, "issued_on": None, "placeholder": None,
    "verify": {"qr": None, "address": None},
}
NO_VERIFY = {"qr": None, "address": None}  # until a room issues the notice for posting

PUBLIC_ISSUERS: list = []
"""Objects other rooms add (notices: the verification address and QR code), called when a
public kind is generated for posting: ``issue(kind_name, subject, context) -> dict`` of
context to add before rendering, ``issued(document, context)`` once the file is stored."""
PUBLICITY_STATES = ("publicity",)
RECIPIENT_STATES = ("paying", "gradual_exit")
ID_SHAPE = re.compile(r"\d{17}[\dXx]")
ACCOUNT_SHAPE = re.compile(r"\d{12,19}")


NOTICE_LABELS = {"number": "序号", "name": "姓名", "persons": "人数", "amount": "金额",
                 "relief_name": "救助类别", "note": "备注"}


class PublicLeak(DocumentError):
    """A public notice's context held something shaped like an ID number or account.

    ``cases`` lists the case numbers whose rows leaked; the notice can then be made without
    them (``skip_leaks``)."""

    def __init__(self, message: str, cases: list[str] | None = None):
        super().__init__(message)
        self.cases = cases or []


def _leaks(value, path: str = "context") -> list[str]:
    """Paths of every text in a context that looks like an ID number or a bank account."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaks(item, f"{path}.{key}")]
    if isinstance(value, (list, tuple)):
        return [p for i, item in enumerate(value) for p in _leaks(item, f"{path}[{i}]")]
    if isinstance(value, str) and (ID_SHAPE.search(value) or ACCOUNT_SHAPE.search(value)):
        return [path]
    return []


def assert_public_safe(value, path: str = "context") -> None:
    """Walk a context: refuse any text that looks like an ID number or a bank account."""
    leaks = _leaks(value, path)
    if leaks:
        raise PublicLeak(_l("A public notice may not contain ID numbers or bank accounts: "
                            "%(paths)s", paths="、".join(leaks)))


def row_leak_message(leaks: list[tuple[str, list[str]]]) -> str:
    """The clerk's message for rows that leak: which case, which field (never the digits)."""
    parts = [_("“%(fields)s” of case %(number)s", number=number, fields="、".join(fields))
             for number, fields in leaks]
    return _("%(parts)s hold numbers that look like ID numbers or bank accounts and cannot "
             "be posted. Correct these cases first, or make the notice without these "
             "households.", parts=in_page_language("；", "; ").join(parts))


def _is_minor(case, on: date) -> bool:
    applicant = case.applicant
    born = applicant.birth_date if applicant is not None else None
    if born is None:
        from ..idnumber import birth_date

        try:
            born = birth_date(case.applicant_id_number)
        except (ValueError, TypeError):
            return False
    return age_on(born, on) < 18


def notice_row(case, number: int) -> dict:
    """The only facts of a case a public notice shows."""
    relief = item(case.relief_type)
    fen = case.one_off_amount_fen if relief.is_one_off else case.monthly_amount_fen
    return {"number": number, "name": case.applicant_name,
            "persons": case.persons_covered or len(case.members) or None,
            "amount": fen_to_yuan(fen) if fen else None, "relief_name": relief.short_name,
            "note": "集中供养" if relief.has_care_levels and case.is_concentrated else None}


class VillageNotice(DocumentKind):
    """A list posted on the village board: never ID numbers, accounts or income details."""

    scope = "village"
    is_public = True
    case_states: ClassVar[tuple] = ()
    nobody: ClassVar[str] = ""  # who is missing when the list would be empty
    nobody_en: ClassVar[str] = ""
    relief_types = ALL_RELIEF

    def refusal(self, village):
        if not self.cases(village):
            return _l("%(village)s: %(nobody)s, so “%(document)s” is not needed",
                      village=village.name, nobody=in_page_language(self.nobody, self.nobody_en),
                      document=self.label)
        return None

    @classmethod
    def contract(cls) -> dict:
        return NOTICE_CONTRACT

    def issued_on(self, village) -> date:
        return local_today()

    def cases(self, village) -> list:
        from ..cases.models import Case

        stmt = select(Case).where(Case.region_id == village.id, Case.state.in_(self.case_states),
                                  Case.is_active.is_(True),
                                  Case.relief_type.in_(list(self.relief_types)))
        return list(db.session.scalars(stmt.order_by(Case.relief_type, Case.case_number)))

    def visible(self, case, on: date) -> bool:
        # a minor supported as a person (特困 children) is never posted on the village board
        return not (item(case.relief_type).unit == "person" and _is_minor(case, on))

    def listed_cases(self, village, issued: date, skip_leaks: bool = False) -> list:
        """The cases the notice lists, in row order (row n is case n-1). Raises PublicLeak
        for rows that would show an ID-shaped or account-shaped text unless ``skip_leaks``."""
        cases = [c for c in self.cases(village) if self.visible(c, issued)]
        leaks = []
        for case in cases:
            fields = sorted({NOTICE_LABELS[path.split(".")[1]]
                             for path in _leaks(notice_row(case, 0), "row")})
            if fields:
                leaks.append((case, fields))
        if leaks and not skip_leaks:
            raise PublicLeak(row_leak_message([(c.case_number, f) for c, f in leaks]),
                             [c.case_number for c, _ in leaks])
        return [c for c in cases if c not in {case for case, _ in leaks}]

    def build_context(self, village, options: dict | None = None) -> dict:
        options = options or {}
        issued = options.get("issued_on") or self.issued_on(village)
        cases = self.listed_cases(village, issued, bool(options.get("skip_leaks")))
        rows = [notice_row(c, i) for i, c in enumerate(cases, start=1)]
        days = int(options.get("days") or current_app.config.get("PUBLICITY_DAYS", 7))
        starts = [c.publicity_start_on for c in cases if getattr(c, "publicity_start_on", None)]
        start = options.get("start") or (min(starts) if starts else issued)
        context = {
            "region": ctx.region_context(village),
            "office": ctx.office_context(village),
            "rows": rows,
            "total_households": len(rows),
            "total_persons": sum(r["persons"] or 0 for r in rows),
            "total_amount": sum((r["amount"] or Decimal(0) for r in rows), Decimal("0.00")),
            "period": {"start": start, "end": start + timedelta(days=days - 1), "days": days},
            "month": options.get("month") or issued.replace(day=1),
            "issued_on": issued,
            "placeholder": placeholder(),
            "verify": dict(NO_VERIFY),
        }
        assert_public_safe(context)
        return context


@register
class PublicityNotice(VillageNotice):
    name, title = "publicity_notice", "社会救助公示"
    title_en = "Publicity notice"
    case_states, nobody = PUBLICITY_STATES, "当前没有处于公示期的对象"
    nobody_en = "nobody is in the publicity period now"


@register
class StandingNotice(VillageNotice):
    name, title = "standing_notice", "社会救助长期公示"
    title_en = "Standing publicity notice"
    case_states, nobody = RECIPIENT_STATES, "当前没有享受低保或特困供养的对象"
    nobody_en = "nobody receives dibao or tekun support now"
    relief_types = PAID_MONTHLY


# -- per-township -----------------------------------------------------------------------------

DEFAULT_POWERS = [
    "最低生活保障审核确认", "特困人员救助供养审核确认", "临时救助审核确认（乡镇审批额度内）",
    "低保边缘家庭认定", "家庭经济状况核对", "救助对象动态管理（增发、减发、停发）",
]
DEFAULT_SUPERVISION = [
    "乡镇(街道)每月将审核确认结果报县级民政部门备案",
    "县级民政部门每月按不低于30%的比例抽查新增对象，对近亲属备案、被举报及有重大疑点的对象100%入户核查",
    "县级民政部门对乡镇(街道)审核确认工作进行年度评估，评估结果作为调整委托事项的依据",
]
DEFAULT_SEAL_RULES = [
    "委托事项专用章由乡镇(街道)首席代表管理，专章专用，使用须登记",
    "专用章仅用于本委托书所列事项，不得用于其他事项",
    "委托终止时，专用章交回县级民政部门",
]


def delegated_powers(township, on: date) -> list[str]:
    """The 委托事项 of the letter: the relief types the ledger delegates on ``on`` (with their
    start day), then the duties that come with any delegation."""
    from ..delegation.queries import in_force, relief_name

    items = in_force(township.id, on)
    if not items:
        return []
    return [f"{relief_name(item.relief_type)}审核确认（自{item.starts_on.year}年"
            f"{item.starts_on.month}月{item.starts_on.day}日起）" for item in items] + [
        "家庭经济状况核对", "救助对象动态管理（增发、减发、停发）"]


@register
class DelegationLetter(DocumentKind):
    """放权委托书, made per township from the delegation ledger (赋权清单)."""

    name, title = "delegation_letter", "放权委托书"
    title_en = "Delegation letter"
    scope = "township"

    @classmethod
    def contract(cls) -> dict:
        return {"region": ctx.REGION, "office": ctx.OFFICE, "powers": [None],
                "supervision": [None], "seal_rules": [None],
                "period": {"start": None, "end": None}, "letter_number": None,
                "custodian": {"name": None, "post": None},
                "issued_on": None, "placeholder": None}

    def issued_on(self, township) -> date:
        return local_today()

    def refusal(self, township):
        if not delegated_powers(township, local_today()):
            return _l("%(township)s has no delegated matters now (delegation ledger), so no "
                      "delegation letter can be issued", township=township.name)
        return None

    def build_context(self, township, options: dict | None = None) -> dict:
        from ..delegation.queries import terms_of

        options = options or {}
        terms = terms_of(township.id)
        issued = options.get("issued_on") or self.issued_on(township)
        start = options.get("start") or (terms and terms.period_start) or issued
        end = options.get("end") or (terms and terms.period_end) or start.replace(
            year=start.year + 3, day=min(start.day, 28)) - timedelta(days=1)
        number = (options.get("letter_number") or (terms and terms.letter_number)
                  or f"{township.code[:9]}-{start.year}")
        return {
            "region": ctx.region_context(township),
            "office": ctx.office_context(township),
            "powers": list(options.get("powers") or delegated_powers(township, issued)
                           or DEFAULT_POWERS),
            "supervision": list(options.get("supervision") or DEFAULT_SUPERVISION),
            "seal_rules": list(options.get("seal_rules") or DEFAULT_SEAL_RULES),
            "period": {"start": start, "end": end},
            "letter_number": number,
            "custodian": {"name": terms.custodian if terms else None,
                          "post": terms.custodian_post if terms else None},
            "issued_on": issued,
            "placeholder": placeholder(),
        }


# -- which workflow step produces which kinds --------------------------------------------------

STEP_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "acceptance": ("acceptance_slip", "one_time_notice", "application", "authorization",
                   "commitment", "proxy_letter"),
    "investigation": ("household_survey",),
    "appraisal": ("appraisal_minutes",),
    "decision": ("decision_form",),
    "publicity": ("publicity_notice",),
    "refusal": ("refusal_notice",),
    "confirmation": ("confirmation_notice",),
    "archiving": ("archive_cover", "file_inventory"),
    "dishonesty": ("dishonesty_notice",),
}


def subject_of(kind: DocumentKind, case):
    """What a kind is made for, starting from a case: the case, or its village."""
    return case if kind.scope == "case" else case.region


def kinds_for_step(step: str, case=None) -> list[str]:
    """The kinds a step produces, for this case if given (only those ``available`` now)."""
    kinds = STEP_DOCUMENTS.get(step, ())
    if case is None:
        return list(kinds)
    return [k for k in kinds if available(k, subject_of(KINDS[k], case))]


def steps_for_case(case) -> list[tuple[str, list[str]]]:
    return [(step, kinds) for step in STEP_DOCUMENTS if (kinds := kinds_for_step(step, case))]


def by_step(documents) -> list[tuple[str, list]]:
    """Generated documents grouped by the step that produces their kind, in procedure order;
    kinds no step lists come last under ``""``."""
    step_of = {kind: step for step, kinds in STEP_DOCUMENTS.items() for kind in kinds}
    groups: dict[str, list] = {step: [] for step in (*STEP_DOCUMENTS, "")}
    for doc in documents:
        groups[step_of.get(doc.kind, "")].append(doc)
    return [(step, docs) for step, docs in groups.items() if docs]
