"""Supervision pages: the 备案 register, the spot-check draws (list, draw, A4 list, XLSX,
assignment). Views parse, call one operation, render."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import idnumber
from ..auth.access import requires
from ..db import db
from ..filings.periods import label
from ..params import BadParameter, date_arg, id_arg, int_arg, month_arg
from ..periods import add_months, local_today, month_of
from ..regions.models import Region
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES, ReliefCode
from . import exports, operations, queries
from .models import Complaint, Rectification, SpotCheck, SpotCheckDraw
from .registry import (
    CHANNELS,
    COMPLAINT_STATUS,
    CONCERNS,
    CORRECT_LABEL,
    DECISION_LABELS,
    FINDINGS,
    OUTCOMES,
    RECTIFICATION_STATES,
    RECTIFICATION_STEPS,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bp = Blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")


def _month(source=None):
    return month_arg("month", month_of(local_today()), source=source)


def register_filters(source) -> dict:
    """The register's filters from a query string: month, township, relief type, decision."""
    township_id = id_arg("township_id", source)
    relief_type = (source.get("relief_type") or "").strip()
    kind = (source.get("decision") or "").strip()
    if relief_type and relief_type not in ReliefCode.__members__:
        raise BadParameter("relief_type", _("The relief type is not valid"))
    if kind and kind not in DECISION_LABELS:
        raise BadParameter("decision", _("The decision type is not valid"))
    return {"month": _month(source), "relief_type": relief_type, "kind": kind,
            "township": get_scoped_or_404(Region, township_id) if township_id else None}


@bp.route("/register")
@requires("supervision.view")
def register():
    filters = register_filters(request.args)
    month = filters.pop("month")
    rows = queries.register(month, **filters)
    towns = queries.townships()
    shown = [filters["township"]] if filters["township"] else towns
    return render_template("supervision/register.html", rows=rows, month=month,
                           label=label(month), prev=add_months(month, -1),
                           next=add_months(month, 1), towns=towns, filters=filters,
                           summary=queries.register_summary(rows, shown),
                           kinds=DECISION_LABELS, relief_types=RELIEF_TYPES, mask=idnumber.mask)


@bp.route("/draws")
@requires("supervision.view")
def draws():
    month = _month()
    return render_template("supervision/draws.html", month=month, label=label(month),
                           prev=add_months(month, -1), next=add_months(month, 1),
                           towns=queries.townships(), current=queries.current_draws(month),
                           least=operations.minimum_percent())


@bp.route("/draws", methods=["POST"])
@requires("supervision.draw")
def draw_new():
    township = get_scoped_or_404(Region, id_arg("township_id", request.form) or 0)
    month = _month(request.form)
    rate = int_arg("rate_percent", None, maximum=100, source=request.form)
    try:
        row = operations.draw(township, month, current_user, rate_percent=rate,
                              reason=request.form.get("reason", ""))
    except operations.DrawError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("supervision.draws", month=f"{month:%Y-%m}"))
    db.session.commit()
    flash(_("Drawn: %(count)s case(s) to visit.", count=len(row.checks)))
    return redirect(url_for("supervision.draw_detail", draw_id=row.id))


@bp.route("/draws/all", methods=["POST"])
@requires("supervision.draw")
def draw_all():
    """Draw every township of the month that has no draw yet (one pass over the county)."""
    month = _month(request.form)
    rows = operations.draw_all(month, current_user, queries.townships())
    db.session.commit()
    flash(_("Drawn %(count)s township(s).", count=len(rows)))
    return redirect(url_for("supervision.draws", month=f"{month:%Y-%m}"))


@bp.route("/draws/<int:draw_id>")
@requires("supervision.view")
def draw_detail(draw_id: int):
    row = get_scoped_or_404(SpotCheckDraw, draw_id)
    return render_template("supervision/draw.html", draw=row, title=exports.title(row),
                           rows=exports.rows(row), notes=exports.notes(row),
                           history=queries.draws_like(row),
                           supervisors=operations.county_supervisors(row.region.county),
                           reproduced=operations.is_reproduced(row))


@bp.route("/draws/<int:draw_id>/xlsx")
@requires("supervision.view")
def draw_xlsx(draw_id: int):
    row = get_scoped_or_404(SpotCheckDraw, draw_id)
    name = f"{row.region.name}-{row.month:%Y-%m}-抽查名单-{row.number}.xlsx"
    return send_file(io.BytesIO(exports.xlsx(row)), mimetype=XLSX, as_attachment=True,
                     download_name=name)


@bp.route("/checks/<int:check_id>/assign", methods=["POST"])
@requires("supervision.draw")
def assign(check_id: int):
    check = get_scoped_or_404(SpotCheck, check_id)
    try:
        operations.assign(check, id_arg("assignee_id", request.form), current_user)
    except operations.DrawError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Assigned."))
    return redirect(url_for("supervision.draw_detail", draw_id=check.draw_id))


# -- township evaluation (联评) ----------------------------------------------------------------

def evaluation_period(source=None):
    """The evaluated period from ``period`` (2026, 2026-Q1, 2026-03); this year by default."""
    from ..params import period_arg
    from ..periods import period_of

    return period_arg("period", period_of("year", local_today()), source=source)


@bp.route("/evaluation")
@requires("supervision.view")
def evaluation():
    from . import evaluation as ev

    period = evaluation_period()
    result = ev.evaluate(period)
    return render_template("supervision/evaluation.html", result=result, period=period,
                           table=ev.table(result), header=ev.header(result),
                           charts=ev.charts(result), prev=period.shifted(-1),
                           next=period.shifted(1), display=ev.display, max_weight=ev.MAX_WEIGHT,
                           bottom_kinds=ev.BOTTOM_KINDS)


@bp.route("/evaluation/xlsx")
@requires("supervision.view")
def evaluation_xlsx():
    from . import evaluation as ev

    result = ev.evaluate(evaluation_period())
    name = f"乡镇联评-{result.period.key}.xlsx"
    return send_file(io.BytesIO(ev.xlsx(result)), mimetype=XLSX, as_attachment=True,
                     download_name=name)


@bp.route("/evaluation/settings", methods=["POST"])
@requires("supervision.evaluate")
def evaluation_settings():
    from .registry import METRICS

    period = evaluation_period(request.form)
    weights = {key: int_arg(f"weight_{key}", None, maximum=100, source=request.form)
               for key in METRICS}
    value = int_arg("bottom_value", 0, maximum=1000, source=request.form)
    try:
        operations.save_evaluation_setting(
            current_user.region.county, {k: v for k, v in weights.items() if v is not None},
            request.form.get("bottom_kind", ""), value, current_user)
    except operations.EvaluationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Evaluation settings saved."))
    return redirect(url_for("supervision.evaluation", period=period.key))


@bp.route("/evaluation/marks", methods=["POST"])
@requires("supervision.evaluate")
def evaluation_mark():
    period = evaluation_period(request.form)
    try:
        marks = operations.mark_bottom(period, current_user, request.form.get("reason", ""))
    except operations.EvaluationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Marked for close supervision next year: %(count)s township(s).",
                count=len(marks)))
    return redirect(url_for("supervision.evaluation", period=period.key))


# --- 复核 reviews (point 4) --------------------------------------------------------------


@bp.app_context_processor
def _review_labels():
    """Labels the case section and home panel (rendered by other rooms) print."""
    from .registry import REVIEW_OUTCOMES, REVIEW_SOURCES

    return {"review_sources": REVIEW_SOURCES, "review_outcomes": REVIEW_OUTCOMES}


@bp.route("/reviews")
@requires("supervision.township")
def reviews():
    return render_template("supervision/reviews.html", rows=queries.reviews(),
                           mask=idnumber.mask)


@bp.route("/reviews", methods=["POST"])
@requires("supervision.review")
def review_new():
    from ..cases.models import Case

    case = get_scoped_or_404(Case, id_arg("case_id", request.form) or 0)
    try:
        row = operations.open_review(case, (request.form.get("source") or "").strip(),
                                     current_user, source_ref=id_arg("source_ref", request.form),
                                     reason=request.form.get("reason", ""))
    except operations.DrawError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("cases.detail", case_id=case.id))
    db.session.commit()
    flash(_("Review opened."))
    return redirect(url_for("supervision.review_detail", review_id=row.id))


@bp.route("/reviews/<int:review_id>")
@requires("supervision.township")
def review_detail(review_id: int):
    from ..cases.workflows import STATE_LABELS
    from .models import Review

    review = get_scoped_or_404(Review, review_id)
    return render_template("supervision/review.html", review=review, mask=idnumber.mask,
                           document=queries.review_document(review), states=STATE_LABELS)


@bp.route("/reviews/<int:review_id>/decide", methods=["POST"])
@requires("supervision.review")
def review_decide(review_id: int):
    from .models import Review

    review = get_scoped_or_404(Review, review_id)
    try:
        operations.decide_review(review, (request.form.get("outcome") or "").strip(),
                                 request.form.get("findings", ""), current_user,
                                 amount=request.form.get("amount") or None)
    except operations.DrawError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Review decided."))
    return redirect(url_for("supervision.review_detail", review_id=review_id))


# --- meetings, the reserve fund and the funding plan (point 8) ---------------------------


@bp.route("/meetings")
@requires("supervision.township")
def meetings():
    return render_template("supervision/meetings.html", queue=queries.county_queue(),
                           meetings=queries.meetings(), mask=idnumber.mask,
                           relief_types=RELIEF_TYPES)


@bp.route("/meetings", methods=["POST"])
@requires("supervision.meet")
def meeting_new():
    from ..cases.fields import NAME_SEPARATORS
    from ..params import date_arg

    held_on = date_arg("held_on", None, source=request.form)
    ids = [int(v) for v in request.form.getlist("case_ids") if v.strip().isdigit()]
    try:
        if held_on is None:
            raise operations.DrawError(_("Enter the day of the meeting"), "held_on")
        operations.record_meeting(current_user.region.township, held_on,
                                  NAME_SEPARATORS.split(request.form.get("attendees", "")),
                                  ids, current_user, notes=request.form.get("notes", ""))
    except operations.DrawError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Meeting recorded."))
    return redirect(url_for("supervision.meetings"))


@bp.route("/reserve")
@requires("supervision.township")
def reserve():
    township_id = id_arg("township_id")
    towns = queries.townships()
    township = get_scoped_or_404(Region, township_id) if township_id else (
        towns[0] if len(towns) == 1 else None)
    return render_template("supervision/reserve.html", towns=towns,
                           balances=queries.balances(), threshold=queries.low_threshold_fen(),
                           township=township,
                           entries=queries.ledger(township) if township else [],
                           entry_kinds={"top_up": _("Top-up"), "draw": _("Emergency aid")})


@bp.route("/reserve", methods=["POST"])
@requires("supervision.fund")
def reserve_top_up():
    township = get_scoped_or_404(Region, id_arg("township_id", request.form) or 0)
    try:
        operations.top_up(township, request.form.get("amount", ""), current_user,
                          note=request.form.get("note", ""))
    except operations.DrawError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Reserve fund topped up."))
    return redirect(url_for("supervision.reserve", township_id=township.id))


@bp.route("/funding-plan")
@requires("supervision.view")
def funding_plan():
    month = _month()
    return render_template("supervision/funding_plan.html", month=month, label=label(month),
                           prev=add_months(month, -1), next=add_months(month, 1),
                           plan=queries.funding_plan(current_user.region.county, month))


@bp.route("/funding-plan/file")
@requires("supervision.view")
def funding_plan_file():
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "docx"):
        raise BadParameter("format", _("The format must be xlsx or docx"))
    month = _month()
    county = current_user.region.county
    data = operations.funding_plan_export(county, month, current_user, fmt)
    db.session.commit()
    mimetype = XLSX if fmt == "xlsx" else (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"{county.name}-{month:%Y-%m}-资金发放计划.{fmt}")


# --- check findings and rectification (整改) ---------------------------------------------


def _back(exc, endpoint: str, **values):
    """A refused write: nothing kept, the Chinese reason flashed, back to the page."""
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for(endpoint, **values))


def _problems(form) -> list[str] | None:
    """The checked problems; [] when "correct" is ticked alone; None when nothing is chosen."""
    problems = form.getlist("problems")
    return problems or ([] if form.get("correct") else None)


@bp.route("/checks/<int:check_id>")
@requires("supervision.view")
def check_detail(check_id: int):
    check = get_scoped_or_404(SpotCheck, check_id)
    return render_template("supervision/check.html", check=check, findings=FINDINGS,
                           correct=CORRECT_LABEL, states=RECTIFICATION_STATES,
                           mask=idnumber.mask, today=local_today())


@bp.route("/checks/<int:check_id>/finding", methods=["POST"])
@requires("supervision.check")
def record_finding(check_id: int):
    check = get_scoped_or_404(SpotCheck, check_id)
    try:
        operations.record_finding(
            check, current_user, visited_on=date_arg("visited_on", None, request.form),
            people_met=request.form.get("people_met", ""), problems=_problems(request.form),
            notes=request.form.get("notes", ""), files=request.files.getlist("evidence"))
    except (operations.Refused, BadParameter) as exc:
        return _back(getattr(exc, "description", exc), "supervision.check_detail",
                     check_id=check.id)
    db.session.commit()
    flash(_("Finding recorded."))
    return redirect(url_for("supervision.check_detail", check_id=check.id))


@bp.route("/rectifications")
@requires("supervision.rectifications")
def rectifications():
    return render_template("supervision/rectifications.html", rows=queries.rectifications(),
                           states=RECTIFICATION_STATES, findings=FINDINGS,
                           is_overdue=queries.is_overdue, mask=idnumber.mask)


@bp.route("/rectifications/<int:rectification_id>")
@requires("supervision.rectifications")
def rectification_detail(rectification_id: int):
    row = get_scoped_or_404(Rectification, rectification_id)
    return render_template("supervision/rectification.html", rect=row,
                           states=RECTIFICATION_STATES, steps=RECTIFICATION_STEPS,
                           findings=FINDINGS, overdue=queries.is_overdue(row),
                           mask=idnumber.mask)


@bp.route("/rectifications/<int:rectification_id>/answer", methods=["POST"])
@requires("supervision.answer")
def answer_rectification(rectification_id: int):
    row = get_scoped_or_404(Rectification, rectification_id)
    try:
        operations.answer_rectification(row, current_user, text=request.form.get("text", ""),
                                        files=request.files.getlist("proof"))
    except operations.Refused as exc:
        return _back(exc, "supervision.rectification_detail", rectification_id=row.id)
    db.session.commit()
    flash(_("Answer sent to the county."))
    return redirect(url_for("supervision.rectification_detail", rectification_id=row.id))


def _decide(rectification_id: int, close: bool):
    row = get_scoped_or_404(Rectification, rectification_id)
    try:
        operations.decide_rectification(row, current_user, close=close,
                                        text=request.form.get("text", ""))
    except operations.Refused as exc:
        return _back(exc, "supervision.rectification_detail", rectification_id=row.id)
    db.session.commit()
    flash(_("Rectification closed.") if close else _("Returned to the township."))
    return redirect(url_for("supervision.rectification_detail", rectification_id=row.id))


@bp.route("/rectifications/<int:rectification_id>/close", methods=["POST"])
@requires("supervision.check")
def close_rectification(rectification_id: int):
    return _decide(rectification_id, close=True)


@bp.route("/rectifications/<int:rectification_id>/return", methods=["POST"])
@requires("supervision.check")
def return_rectification(rectification_id: int):
    return _decide(rectification_id, close=False)


@bp.route("/evidence/<int:evidence_id>")
@requires("supervision.rectifications")
def evidence(evidence_id: int):
    """An evidence file, to those who see the check or rectification it belongs to."""
    from ..extensions import data_dir
    from ..schemas.fields import stored_name

    row = queries.evidence_or_none(evidence_id)
    if row is None:
        abort(404)
    upload = row.upload
    data = (data_dir() / stored_name(upload.describe())).read_bytes()  # at most 20 MB
    return send_file(io.BytesIO(data), mimetype=upload.content_type,
                     download_name=upload.name or f"evidence-{row.id}")


# --- complaints (举报) and hotline records -----------------------------------------------


def complaint_fields(source) -> dict:
    """The record_complaint keywords from a form or JSON body (ids parsed at the edge)."""
    def ident(name):
        value = source.get(name)
        return value if isinstance(value, int) else id_arg(name, source)

    case_id = ident("case_id")
    number = (source.get("case_number") or "").strip()
    if number and case_id is None:
        case_id = queries.case_id_by_number(number)
        if case_id is None:
            raise BadParameter("case_number", _("No case of this county has this number"))
    return {"channel": (source.get("channel") or "").strip(),
            "concerns": (source.get("concerns") or "").strip(),
            "content": source.get("content") or "",
            "case_id": case_id, "township_id": ident("township_id"),
            "staff_user_id": ident("staff_user_id"),
            "complainant_name": source.get("complainant_name") or "",
            "complainant_phone": source.get("complainant_phone") or ""}


@bp.route("/complaints")
@requires("supervision.complaints")
def complaints():
    return render_template("supervision/complaints.html", rows=queries.complaints(),
                           channels=CHANNELS, concerns=CONCERNS, outcomes=OUTCOMES,
                           statuses=COMPLAINT_STATUS, status=queries.complaint_status,
                           is_overdue=queries.is_overdue, mask_name=queries.mask_name,
                           mask_phone=queries.mask_phone, towns=queries.townships(),
                           staff=queries.township_staff())


@bp.route("/complaints", methods=["POST"])
@requires("supervision.complaints")
def complaint_new():
    try:
        row = operations.record_complaint(current_user, **complaint_fields(request.form))
    except (operations.Refused, BadParameter) as exc:
        return _back(getattr(exc, "description", exc), "supervision.complaints")
    db.session.commit()
    flash(_("Complaint recorded: %(reference)s", reference=row.reference))
    return redirect(url_for("supervision.complaint_detail", complaint_id=row.id))


@bp.route("/complaints/<int:complaint_id>")
@requires("supervision.complaints")
def complaint_detail(complaint_id: int):
    row = get_scoped_or_404(Complaint, complaint_id)
    return render_template("supervision/complaint.html", c=row, channels=CHANNELS,
                           concerns=CONCERNS, outcomes=OUTCOMES, statuses=COMPLAINT_STATUS,
                           status=queries.complaint_status(row),
                           overdue=queries.is_overdue(row), mask=idnumber.mask,
                           handlers=operations.county_staff(row.region))


@bp.route("/complaints/<int:complaint_id>/assign", methods=["POST"])
@requires("supervision.complaints")
def complaint_assign(complaint_id: int):
    row = get_scoped_or_404(Complaint, complaint_id)
    try:
        operations.assign_complaint(row, id_arg("handler_id", request.form), current_user)
    except operations.Refused as exc:
        return _back(exc, "supervision.complaint_detail", complaint_id=row.id)
    db.session.commit()
    flash(_("Assigned."))
    return redirect(url_for("supervision.complaint_detail", complaint_id=row.id))


@bp.route("/complaints/<int:complaint_id>/answer", methods=["POST"])
@requires("supervision.complaints")
def complaint_answer(complaint_id: int):
    row = get_scoped_or_404(Complaint, complaint_id)
    form = request.form
    try:
        operations.answer_complaint(row, current_user, findings=form.get("findings", ""),
                                    outcome=form.get("outcome", ""), reply=form.get("reply", ""))
    except operations.Refused as exc:
        return _back(exc, "supervision.complaint_detail", complaint_id=row.id)
    db.session.commit()
    flash(_("Complaint answered."))
    return redirect(url_for("supervision.complaint_detail", complaint_id=row.id))
