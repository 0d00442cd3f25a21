"""Reads of the public side: a notice by its token (the public view holds only what the paper
shows), a receipt's status, the objections of a case, the county's reports, the policy
notice with the standards in force, the photos a case's archive files."""
from __future__ import annotations

from sqlalchemy import select

from ..db import db
from ..regions.queries import scoped
from .models import (
    KIND_LABELS,
    STATUS_LABELS,
    PolicyNotice,
    PostedNotice,
    PublicSubmission,
    period_of,
)
from .operations import normal_receipt

PUBLIC_ROW_KEYS = ("number", "name", "persons", "relief_name", "amount", "note")


def notice_by_token(token: str) -> PostedNotice | None:
    if not token or len(token) > 32:
        return None
    return db.session.scalars(select(PostedNotice).where(PostedNotice.token == token)).first()


def current_version(notice: PostedNotice) -> PostedNotice | None:
    """The newest printed version of the same village's notice, when this one is not it."""
    if notice.is_current:
        return None
    return db.session.scalars(select(PostedNotice).where(
        PostedNotice.region_id == notice.region_id, PostedNotice.kind == notice.kind,
        PostedNotice.is_current.is_(True))).first()


def public_view(notice: PostedNotice) -> dict:
    """What the posted paper shows, and nothing more: village, period, rows, totals, the
    objection lines, and whether this copy is the current version."""
    from ..periods import local_today

    snap = notice.snapshot or {}
    start, end = period_of(snap)
    newer = current_version(notice)
    office = snap.get("office") or {}
    return {
        "title": notice.title,
        "kind": notice.kind,
        "region": {k: (snap.get("region") or {}).get(k) or "" for k in ("county", "township",
                                                                         "village")},
        "period": {"start": start, "end": end} if start else None,
        "is_period_over": bool(end and end < local_today()),
        "month": snap.get("month") if notice.kind == "standing_notice" else None,
        "issued_on": snap.get("issued_on"),
        "rows": [{k: row.get(k) for k in PUBLIC_ROW_KEYS} for row in snap.get("rows") or []],
        # a snapshot without totals (an old or partial one) counts its rows
        "total_households": snap.get("total_households", len(snap.get("rows") or ())),
        "total_persons": snap.get("total_persons", sum(
            row.get("persons") or 0 for row in snap.get("rows") or ())),
        "objection_phone": office.get("objection_phone"),
        "objection_address": office.get("objection_address"),
        "is_current": notice.is_current,
        "current_token": newer.token if newer is not None else None,
        "accepts_objections": notice.is_current and notice.kind == "publicity_notice",
    }


def submission_by_receipt(raw: str) -> PublicSubmission | None:
    receipt = normal_receipt(raw)
    if len(receipt) != 19:
        return None
    return db.session.scalars(select(PublicSubmission).where(
        PublicSubmission.receipt == receipt)).first()


def receipt_view(row: PublicSubmission) -> dict:
    """What a receipt's owner sees: kind, dates, status and the office's answer. Never the
    sender's own text, name or phone (whoever holds the number sees this)."""
    if row.complaint_id is not None:  # handled as a complaint: its status and reply
        from ..supervision.models import Complaint
        from ..supervision.queries import complaint_public_view

        status = complaint_public_view(db.session.get(Complaint, row.complaint_id))
        answered = status["status"] == "answered"
        return {"receipt": row.receipt, "kind": row.kind, "kind_label": str(KIND_LABELS[row.kind]),
                "status": status["status"], "status_label": str(STATUS_LABELS[status["status"]]),
                "received_at": row.created_at, "answered_at": None,  # the complaint keeps a day
                "answer": status["reply"] if answered else None}
    return {"receipt": row.receipt, "kind": row.kind, "kind_label": str(KIND_LABELS[row.kind]),
            "status": row.status, "status_label": str(STATUS_LABELS[row.status]),
            "received_at": row.created_at, "answered_at": row.answered_at,
            "answer": row.answer if row.status == "answered" else None}


def objections_of_case(case) -> list[PublicSubmission]:
    return list(db.session.scalars(select(PublicSubmission).where(
        PublicSubmission.case_id == case.id).order_by(PublicSubmission.id.desc())))


def reports(user=None, status: str | None = None) -> list[PublicSubmission]:
    """Reports (not objections) under the user's region, newest first."""
    stmt = scoped(PublicSubmission, user).where(PublicSubmission.kind == "report")
    if status:
        stmt = stmt.where(PublicSubmission.status == status)
    return list(db.session.scalars(stmt.order_by(PublicSubmission.id.desc()).limit(500)))


def submissions(user=None) -> list[PublicSubmission]:
    """Everything sent in under the user's region (the API list), newest first."""
    return list(db.session.scalars(scoped(PublicSubmission, user)
                                   .order_by(PublicSubmission.id.desc()).limit(500)))


def open_objections(user=None) -> list[PublicSubmission]:
    """Objections under the user's region not yet answered, oldest first (the home panel)."""
    return list(db.session.scalars(scoped(PublicSubmission, user).where(
        PublicSubmission.kind == "objection", PublicSubmission.status != "answered")
        .order_by(PublicSubmission.id).limit(50)))


def open_report_count(user=None) -> int:
    from sqlalchemy import func

    return db.session.scalar(scoped(select(func.count(PublicSubmission.id))
                                    .select_from(PublicSubmission), user).where(
        PublicSubmission.kind == "report", PublicSubmission.status != "answered")) or 0


def notices_of_village(village) -> list[PostedNotice]:
    return list(db.session.scalars(select(PostedNotice).where(
        PostedNotice.region_id == village.id).order_by(PostedNotice.id.desc()).limit(50)))


def photo_refs(case) -> list[tuple[str, str]]:
    """(stored path, title) of each posted-notice photo that listed the case: 公示照片."""
    from ..schemas.fields import stored_name

    rows = db.session.scalars(select(PostedNotice).where(
        PostedNotice.region_id == case.region_id, PostedNotice.photo_upload_id.is_not(None))
        .order_by(PostedNotice.id))
    out = []
    for row in rows:
        if case.id in (row.case_ids or []) and row.photo is not None:
            ref = stored_name(row.photo.describe())
            if ref:
                out.append((ref, f"公示照片（{row.title}，{row.photo_at:%Y-%m-%d}）"))
    return out


DEFAULT_CONDITIONS = (
    "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定的，"
    "可以申请最低生活保障；无劳动能力、无生活来源、无法定赡养抚养扶养义务人或其义务人无履行能力的"
    "老年人、残疾人和未成年人，可以申请特困人员救助供养；因意外事件、突发重大疾病或生活必需支出"
    "突然增加导致基本生活暂时出现严重困难的家庭或个人，可以申请临时救助。")
DEFAULT_PROCEDURE = (
    "申请人向户籍所在地或经常居住地乡镇人民政府（街道办事处）提出书面申请（可委托村(居)民委员会"
    "代为提出）；乡镇(街道)受理后开展家庭经济状况调查核实和入户调查，必要时组织民主评议；"
    "审核确认结果在申请人所在村(社区)公示 7 天；公示无异议的，确认给予救助，"
    "自确认的次月起发放救助金。")


def policy_of(county) -> dict:
    """The county's policy notice: its lines (or the shipped text) and the standards in force
    (standards room). Jilin seed: 在镇务和村务公开栏公开认定条件、救助标准、申请程序."""
    from ..documents.queries import office_for
    from ..standards.queries import current_set

    row = db.session.scalars(select(PolicyNotice).where(
        PolicyNotice.region_id == county.id)).first()
    office = office_for(county)
    return {
        "county": county,
        "conditions": (row.conditions if row and row.conditions else DEFAULT_CONDITIONS),
        "procedure": (row.procedure if row and row.procedure else DEFAULT_PROCEDURE),
        "complaint_phone": (row.complaint_phone if row and row.complaint_phone
                            else office.get("county_phone")),
        "complaint_address": (row.complaint_address if row and row.complaint_address
                              else office.get("county_office")),
        "standard": current_set(county.id),
        "row": row,
    }
