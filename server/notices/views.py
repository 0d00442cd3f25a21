"""Pages of the public side. Public (no login, rate-limited per address, noindex): a notice's
page by its token with the objection form, the county-wide report page, the receipt lookup.
Staff: the village board (posted notices, photos, the policy notice), the county's reports,
the handling of what the public sent. Views parse, call one operation, render."""
from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import public, requires, safe_next
from ..db import db
from ..extensions import data_dir
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped_or_404, villages_of
from . import limits, operations, queries
from .models import KIND_LABELS, STATUS_LABELS, PostedNotice, PublicSubmission

bp = Blueprint("notices", __name__, template_folder="templates")


def _is_public_endpoint() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "is_public", False))


@bp.before_request
def _limit_public():
    """Every public request counts against the client's views; a POST also its submissions."""
    if not _is_public_endpoint():
        return None
    cfg = current_app.config
    try:
        limits.hit("view", cfg["PUBLIC_VIEWS_PER_10_MIN"], 600)
        if request.method == "POST" and request.endpoint != "notices.receipt":
            limits.hit("submit", cfg["PUBLIC_SUBMISSIONS_PER_HOUR"], 3600)
    except limits.RateLimited as exc:
        return limited(exc)
    return None


def limited(exc: limits.RateLimited):
    response = current_app.make_response(
        (render_template("notices/limited.html", wait=max(1, exc.retry_after // 60)), 429))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.after_request
def _private_headers(response):
    """Public pages are never indexed, cached or sent on as a referrer."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    if _is_public_endpoint():
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _receipt_page(row: PublicSubmission, status: int = 201):
    return render_template("notices/sent.html", view=queries.receipt_view(row)), status


# -- public ------------------------------------------------------------------------------------

@bp.route("/n/<token>", methods=["GET", "POST"])
@public
def verify(token: str):
    notice = queries.notice_by_token(token)
    if notice is None:
        abort(404)
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.form
        try:
            row = operations.submit_on_notice(notice, request.form)
        except operations.SubmissionError as exc:
            db.session.rollback()
            errors, status = exc.by_path(), exc.status
        else:
            db.session.commit()
            return _receipt_page(row)
    return render_template("notices/verify.html", view=queries.public_view(notice),
                           token=token, errors=errors, values=values), status


@bp.route("/public/report", methods=["GET", "POST"])
@public
def report():
    counties = list(db.session.scalars(select(Region).where(
        Region.level == RegionLevel.county).order_by(Region.code)))
    chosen_county = (request.values.get("county") or "").strip()
    county = next((c for c in counties if str(c.id) == chosen_county), None) or (
        counties[0] if len(counties) == 1 else None)
    townships = sorted(county.children, key=lambda r: r.code) if county else []
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form
        chosen = (request.form.get("township") or "").strip()
        region = next((t for t in townships if str(t.id) == chosen), None) or county
        try:
            if region is None:
                raise operations.SubmissionError([("county", _("Choose a county"))])
            if chosen and region is county:
                raise operations.SubmissionError([("township", _("Choose a township from the list"))])
            row = operations.create_report(region, request.form)
        except operations.SubmissionError as exc:
            db.session.rollback()
            errors = exc.by_path()
        else:
            db.session.commit()
            return _receipt_page(row)
    return render_template("notices/report.html", counties=counties, county=county,
                           townships=townships, errors=errors, values=values), \
        422 if errors else 200


@bp.route("/public/receipt", methods=["GET", "POST"])
@public
def receipt():
    view, missing = None, False
    if request.method == "POST":
        row = queries.submission_by_receipt(request.form.get("receipt", ""))
        if row is None:
            missing = True
        else:
            view = queries.receipt_view(row)
    return render_template("notices/receipt.html", view=view, missing=missing), \
        404 if missing else 200


# -- the village board (staff) -----------------------------------------------------------------

@bp.route("/notices/board")
@requires("notices.board")
def board():
    villages = [(v, queries.notices_of_village(v)) for v in villages_of()]
    return render_template("notices/board.html", villages=villages,
                           address=operations.public_address)


@bp.route("/notices/posted/<int:notice_id>/photo", methods=["GET", "POST"])
@requires("notices.board")
def photo(notice_id: int):
    notice = get_scoped_or_404(PostedNotice, notice_id)
    if request.method == "GET":
        if notice.photo is None:
            abort(404)
        from ..schemas.fields import stored_name

        data = (data_dir() / stored_name(notice.photo.describe())).read_bytes()
        return send_file(io.BytesIO(data), mimetype=notice.photo.content_type)
    try:
        operations.attach_photo(notice, request.files.get("photo"), current_user)
    except operations.SubmissionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Photo of the posted notice saved."))
    return redirect(url_for("notices.board"))


@bp.route("/notices/policy")
@requires("notices.board")
def policy():
    return render_template("notices/policy.html", policy=queries.policy_of(current_user.region.county))


@bp.route("/notices/policy/settings", methods=["GET", "POST"])
@requires("notices.policy")
def policy_settings():
    county = current_user.region.county
    errors = {}
    if request.method == "POST":
        try:
            operations.save_policy(county, request.form, current_user)
        except operations.SubmissionError as exc:
            db.session.rollback()
            errors = exc.by_path()
        else:
            db.session.commit()
            flash(_("Policy notice saved."))
            return redirect(url_for("notices.policy"))
    return render_template("notices/policy_settings.html", policy=queries.policy_of(county),
                           errors=errors, labels=operations.POLICY_LABELS), \
        422 if errors else 200


# -- handling what the public sent (staff) -----------------------------------------------------

@bp.route("/notices/reports")
@requires("notices.reports")
def reports():
    status = request.args.get("status") or None
    if status and status not in STATUS_LABELS:
        abort(400)
    return render_template("notices/reports.html", rows=queries.reports(status=status),
                           statuses=STATUS_LABELS, kinds=KIND_LABELS, status=status)


def _back(row: PublicSubmission):
    if row.case_id and row.kind == "objection":
        return redirect(url_for("cases.detail", case_id=row.case_id))
    return redirect(safe_next(request.form.get("next"), url_for("notices.reports")))


def _handle(submission_id: int, act):
    """Run one handling step on a submission of the user's region, then go back."""
    from ..cases.checks import CaseError

    row = get_scoped_or_404(PublicSubmission, submission_id)
    try:
        act(row)
    except (operations.SubmissionError, CaseError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Saved."))
    return _back(row)


@bp.route("/notices/submissions/<int:submission_id>/take-up", methods=["POST"])
@requires("notices.answer")
def take_up(submission_id: int):
    return _handle(submission_id, lambda row: operations.take_up_objection(row, current_user))


@bp.route("/notices/submissions/<int:submission_id>/checking", methods=["POST"])
@requires("notices.answer")
def checking(submission_id: int):
    return _handle(submission_id, lambda row: operations.mark_checking(row, current_user))


@bp.route("/notices/submissions/<int:submission_id>/answer", methods=["POST"])
@requires("notices.answer")
def answer(submission_id: int):
    return _handle(submission_id, lambda row: operations.answer(
        row, request.form.get("answer", ""), current_user))
