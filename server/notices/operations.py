"""Writes of the public side: issuing a notice for posting (its token and snapshot), what
the public sends in (objections, reports), the office's handling and answers, the photo of a
posted notice and the county's policy notice lines. Views and the API call these."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.operations import record
from ..db import db, utcnow
from ..documents.registry import KINDS, PublicLeak, QrCode, assert_public_safe
from ..i18n import in_page_language
from .models import PolicyNotice, PostedNotice, PublicSubmission

MAX_TEXT = 1000  # characters of an objection, report or answer
MAX_NAME, MAX_PHONE = 40, 20
HTML = re.compile(r"<\s*[A-Za-z!/?]|&#?\w+;|javascript:", re.I)
PHONE = re.compile(r"[\d\s()+-]{5,20}")


class SubmissionError(Exception):
    """Refused input: ``errors`` are (path, message) pairs, the messages lazy msgids read in
    the language of whoever is shown them."""

    def __init__(self, errors: list[tuple[str, str]], status: int = 422):
        super().__init__(errors)
        self.errors, self.status = errors, status

    def __str__(self) -> str:
        return in_page_language("；", "; ").join(str(message) for _, message in self.errors)

    def by_path(self) -> dict[str, str]:
        """path -> message as text (a lazy string would reach a template as safe markup)."""
        return {path: str(message) for path, message in self.errors}


# -- issuing a notice for posting ------------------------------------------------------------

def new_token() -> str:
    """96 random bits, URL-safe, 16 characters; never one a public-text check would refuse."""
    while True:
        token = secrets.token_urlsafe(12)
        if not re.search(r"\d{5}", token):
            return token


def public_address(token: str) -> str:
    """The printed address of a notice: the configured public URL, else this server's."""
    path = f"/n/{token}"  # the notices.verify route; built by hand so a worker needs no request
    base = current_app.config.get("PUBLIC_URL") or ""
    if base:
        return base.rstrip("/") + path
    try:
        return url_for("notices.verify", token=token, _external=True)
    except RuntimeError:  # no request and no SERVER_NAME (a worker): the path alone
        return path


def _plain(value):
    """A context value as JSON (dates as ISO text, money as text)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


SNAPSHOT_KEYS = ("region", "office", "rows", "total_households", "total_persons",
                 "total_amount", "period", "month", "issued_on")


class NoticeIssuer:
    """The documents room's public issuer: each printed notice gets its posted version."""

    def issue(self, kind_name: str, village, context: dict) -> dict:
        kind = KINDS[kind_name]
        snapshot = {key: _plain(context.get(key)) for key in SNAPSHOT_KEYS}
        if kind_name != "publicity_notice":
            snapshot.pop("period")
        assert_public_safe(snapshot)
        cases = kind.listed_cases(village, context["issued_on"], skip_leaks=True)
        # a step on a listed case (a new publicity after an objection, even the same day with
        # the same rows) makes a new version; printing the same again keeps the address
        steps = [[c.id, max((e.id for e in c.events), default=0)] for c in cases]
        content = {"kind": kind_name, "rows": snapshot["rows"], "month": snapshot["month"],
                   "period": snapshot.get("period"), "steps": steps}
        fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True,
                                                ensure_ascii=False).encode()).hexdigest()
        posted = db.session.scalars(select(PostedNotice).where(
            PostedNotice.region_id == village.id, PostedNotice.kind == kind_name,
            PostedNotice.fingerprint == fingerprint)).first()
        now = utcnow()
        if posted is None:
            posted = PostedNotice(region_id=village.id, kind=kind_name, token=new_token(),
                                  fingerprint=fingerprint, created_at=now)
            db.session.add(posted)
        posted.title, posted.snapshot, posted.printed_at = kind.title, snapshot, now
        posted.case_ids = [c.id for c in cases]
        posted.is_current, posted.superseded_at = True, None
        db.session.flush()
        for older in db.session.scalars(select(PostedNotice).where(
                PostedNotice.region_id == village.id, PostedNotice.kind == kind_name,
                PostedNotice.id != posted.id, PostedNotice.is_current.is_(True))):
            older.is_current, older.superseded_at = False, now
        address = public_address(posted.token)
        return {"verify": {"qr": QrCode(address), "address": address, "token": posted.token}}

    def issued(self, document, context: dict) -> None:
        posted = db.session.scalars(select(PostedNotice).where(
            PostedNotice.token == context["verify"]["token"])).one()
        posted.document_id = document.id
        posted.created_by_id = posted.created_by_id or document.created_by_id
        record("notice.post", posted, details={"kind": posted.kind, "document_id": document.id,
                                               "rows": len(posted.case_ids)})


# -- what the public sends in ---------------------------------------------------------------

def _text(raw, path: str, label: str, limit: int, required: bool, errors: list) -> str:
    value = (raw or "").strip() if isinstance(raw, str) else ("" if raw is None else None)
    if value is None:
        errors.append((path, _l("%(label)s is not in a valid format", label=label)))
        return ""
    if required and not value:
        errors.append((path, _l("%(label)s is required", label=label)))
    elif len(value) > limit:
        errors.append((path, _l("%(label)s cannot be longer than %(limit)s characters", label=label,
                                  limit=limit)))
    elif HTML.search(value):
        errors.append((path, _l("%(label)s cannot contain web page code (HTML)", label=label)))
    return value


def clean_submission(values: dict) -> dict:
    """The sender's fields checked: text required (≤ 1000 characters), name and phone
    optional, no HTML anywhere, the honeypot empty. Raises SubmissionError."""
    if (values.get("website") or "").strip():
        raise SubmissionError([("website", _l("The submission was not accepted"))], status=400)
    errors: list = []
    clean = {"text": _text(values.get("text"), "text", _l("Content"), MAX_TEXT, True, errors),
             "name": _text(values.get("name"), "name", _l("Name"), MAX_NAME, False, errors),
             "phone": _text(values.get("phone"), "phone", _l("Phone"), MAX_PHONE, False, errors)}
    if clean["phone"] and not PHONE.fullmatch(clean["phone"]):
        errors.append(("phone", _l("A phone number has only digits, spaces and \"-\"")))
    if errors:
        raise SubmissionError(errors)
    return clean


def new_receipt() -> str:
    """80 random bits in base32, grouped for reading out: ``ABCD-EFGH-JKLM-NPQR``."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normal_receipt(raw: str) -> str:
    """A receipt number as typed (any case, spaces or dashes) in its stored form."""
    letters = re.sub(r"[^A-Za-z2-7]", "", raw or "").upper()[:16]
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def _submission(kind: str, region_id: int, clean: dict, *, case=None, notice=None,
                row_number=None) -> PublicSubmission:
    row = PublicSubmission(kind=kind, receipt=new_receipt(), region_id=region_id,
                           case_id=case.id if case is not None else None,
                           notice_id=notice.id if notice is not None else None,
                           row_number=row_number, created_at=utcnow(), **clean)
    db.session.add(row)
    db.session.flush()
    record({"objection": "public.objection", "report": "public.report"}[kind], row,
           actor_name="public",
           details={"case_id": row.case_id, "notice_id": row.notice_id})
    return row


def create_report(region, values: dict, *, case=None, notice=None, row_number=None,
                  channel: str = "online") -> PublicSubmission:
    """A report of a problem from the public: the one place reports are created. One that
    names a household or a township becomes a complaint (举报) the county handles in the
    supervision room, whose status and reply the receipt then shows; one about the county as
    a whole stays on the county's 群众反映 list."""
    from ..supervision.operations import record_complaint

    clean = clean_submission(values)
    row = _submission("report", region.id, clean, case=case, notice=notice,
                      row_number=row_number)
    township = case.region.township if case is not None else region.township
    if township is not None:
        complaint = record_complaint(
            None, channel=channel, concerns="case" if case is not None else "township",
            content=clean["text"], case_id=case.id if case is not None else None,
            township_id=township.id, complainant_name=clean.get("name") or None,
            complainant_phone=clean.get("phone") or None)
        row.complaint_id = complaint.id
        db.session.flush()
    return row


def submit_on_notice(notice: PostedNotice, values: dict) -> PublicSubmission:
    """What someone sends from a notice's page. An objection to a household of a current
    publicity notice still in publicity is the case's objection; anything else is a report."""
    from ..cases.models import Case

    raw_row = str(values.get("row") or "").strip()
    row_number, case = None, None
    if raw_row:
        if not raw_row.isdigit() or not 1 <= int(raw_row) <= len(notice.case_ids):
            raise SubmissionError([("row", _l("Choose a household from the notice's list"))])
        row_number = int(raw_row)
        case = db.session.get(Case, notice.case_ids[row_number - 1])
    if row_number and not notice.is_current:
        raise SubmissionError([("row", _l("This notice was replaced by a newer one: object on the newest notice"))], 409)
    if case is not None and notice.kind == "publicity_notice" and case.state == "publicity":
        clean = clean_submission(values)
        return _submission("objection", notice.region_id, clean, case=case, notice=notice,
                           row_number=row_number)
    return create_report(notice.region, values, case=case, notice=notice,
                         row_number=row_number)


# -- the office's handling -------------------------------------------------------------------

def _answer_text(text: str) -> str:
    errors: list = []
    value = _text(text, "answer", _l("Answer"), MAX_TEXT, True, errors)
    if errors:
        raise SubmissionError(errors)
    try:
        assert_public_safe({"answer": value}, "answer")
    except PublicLeak:
        raise SubmissionError([("answer", _l("The answer is shown to the sender: it may not contain an ID number "
                                          "or a bank account"))]) \
            from None
    return value


def take_up_objection(submission: PublicSubmission, actor) -> None:
    """The clerk takes a public objection into the procedure: the case's 公示期异议 step
    (back to investigation: re-investigate or send to appraisal, then publish again)."""
    from ..cases.operations import transition

    if submission.kind != "objection" or submission.case is None:
        raise SubmissionError([("submission", _l("Only an objection to a listed household sends the case back for "
                                              "investigation"))], 409)
    if submission.status != "received":
        raise SubmissionError([("submission", _l("This objection is already being handled"))], 409)
    transition(submission.case, "object", actor,
               {"reason": f"群众异议（回执 {submission.receipt}）：{submission.text[:300]}"})
    _set_status(submission, "checking", actor)


def _not_a_complaint(submission: PublicSubmission) -> None:
    if submission.complaint_id is not None:
        raise SubmissionError([("submission", _l("This report became a complaint: handle it under \"Complaints\""))], 409)


def mark_checking(submission: PublicSubmission, actor) -> None:
    _not_a_complaint(submission)
    if submission.status != "received":
        raise SubmissionError([("submission", _l("This matter is already being handled"))], 409)
    _set_status(submission, "checking", actor)


def answer(submission: PublicSubmission, text: str, actor) -> None:
    """The office's answer, shown to whoever looks up the receipt (never the sender's text)."""
    _not_a_complaint(submission)
    submission.answer = _answer_text(text)
    _set_status(submission, "answered", actor)


def _set_status(submission: PublicSubmission, status: str, actor) -> None:
    now = utcnow()
    submission.status, submission.handled_by_id = status, actor.id
    if status == "checking":
        submission.checking_at = now
    else:
        submission.answered_at = now
    db.session.flush()
    record({"checking": "public.checking", "answered": "public.answered"}[status], submission,
           actor=actor, details={"kind": submission.kind})


# -- the village board -----------------------------------------------------------------------

def attach_photo(notice: PostedNotice, storage, actor) -> None:
    """The photo of the posted notice (JPEG or PNG, checked by content and decoded), kept as
    an upload of the village and filed into each listed case's archive."""
    import io

    from PIL import Image, UnidentifiedImageError

    from ..intake.operations import IntakeError, create_upload
    from ..schemas.fields import sniff

    data = storage.read() if storage is not None and storage.filename else b""
    if not data:
        raise SubmissionError([("photo", _l("Choose the photo of the posted notice"))])
    if sniff(data) not in {"jpeg", "png"}:
        raise SubmissionError([("photo", _l("The photo must be a JPEG or PNG image"))])
    try:
        Image.open(io.BytesIO(data)).verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise SubmissionError([("photo", _l("The image is damaged or unreadable: take the photo again and upload it"))]) from None
    storage.stream.seek(0)
    try:
        upload = create_upload(storage, actor)
    except IntakeError as exc:
        raise SubmissionError([("photo", str(exc))]) from None
    notice.photo_upload_id, notice.photo_at = upload.id, utcnow()
    db.session.flush()
    record("notice.photo", notice, actor=actor, details={"upload_id": upload.id,
                                                         "sha256": upload.sha256})


POLICY_FIELDS = ("conditions", "procedure", "complaint_phone", "complaint_address")
POLICY_LIMITS = {"conditions": 4000, "procedure": 4000, "complaint_phone": 40,
                 "complaint_address": 200}


def save_policy(county, values: dict, actor) -> PolicyNotice:
    """The county's lines of the policy notice (empty lines fall back to the shipped text)."""
    errors: list = []
    clean = {name: _text(values.get(name), name, POLICY_LABELS[name], POLICY_LIMITS[name],
                         False, errors) for name in POLICY_FIELDS}
    if errors:
        raise SubmissionError(errors)
    row = db.session.scalars(select(PolicyNotice).where(
        PolicyNotice.region_id == county.id)).first()
    if row is None:
        row = PolicyNotice(region_id=county.id)
        db.session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    db.session.flush()
    record("notice.policy", row, actor=actor, details=clean)
    return row


POLICY_LABELS = {"conditions": _l("Eligibility conditions"), "procedure": _l("How to apply"),
                 "complaint_phone": _l("Complaint phone"),
                 "complaint_address": _l("Complaint address")}
