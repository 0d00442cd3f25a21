"""Archive pages: a case's bundle (build, progress, downloads), barcode lookup, monthly batch."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from ..auth.access import requires
from ..cases.models import Case
from ..db import db
from ..params import id_arg, month_arg
from ..periods import add_months, local_today, month_of
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped_or_404, scoped
from ..relief import RELIEF_TYPES
from . import operations, queries, tasks
from .bundle import COPIES
from .models import ArchiveJob
from .retention import CLASSES, stopped_on

bp = Blueprint("archives", __name__, url_prefix="/archives", template_folder="templates")


def case_url(case: Case) -> str:
    """The case's own page (cases room) when it exists, else its archive page."""
    try:
        return url_for("cases.detail", case_id=case.id)
    except BuildError:
        return url_for("archives.case", case_id=case.id)


def _townships():
    return list(db.session.scalars(scoped(Region).where(Region.level == RegionLevel.township)
                                   .order_by(Region.code)))


@bp.route("/")
@requires("archives.manage")
def index():
    last_month = add_months(month_of(local_today()), -1)
    expired = request.args.get("expired") == "1"
    files = queries.expired_cases() if expired else queries.archived_cases()
    reports = queries.expired_reports() if expired else []
    return render_template("archives/index.html", jobs=queries.recent_jobs(),
                           townships=_townships(), month=f"{last_month:%Y-%m}",
                           files=files, expired=expired, retention=queries.case_retention,
                           reports=reports, report_retention=queries.report_retention,
                           stopped_on=stopped_on, relief_types=RELIEF_TYPES)


@bp.route("/lookup")
@requires("archives.manage")
def lookup():
    """Scan (or type) an archive or case number: opens its case, saying which number matched;
    404 outside the user's region."""
    number = request.args.get("number", "").strip()
    if not number:
        return redirect(url_for("archives.index"))
    case, kind = queries.case_by_number(number)
    if case is None:
        abort(404)
    flash(_("Found by %(kind)s %(number)s.", kind=queries.NUMBER_KINDS[kind], number=number))
    return redirect(case_url(case))


@bp.route("/cases/<int:case_id>")
@requires("archives.manage")
def case(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    job = queries.latest_job(case)
    files = {c.key: {fmt: queries.bundle_file(case, c.key, fmt) is not None
                     for fmt in ("zip", "pdf")} for c in COPIES}
    return render_template("archives/case.html", case=case, job=job, copies=COPIES, files=files)


@bp.route("/cases/<int:case_id>/bundle", methods=["POST"])
@requires("archives.manage")
def bundle_case(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    if case.decided_at is None:
        flash(_("Only decided cases can be archived."), "error")
        return redirect(url_for("archives.case", case_id=case.id))
    try:
        job = operations.create_job(region_id=case.region_id, case=case, actor=current_user)
    except operations.ArchiveError as exc:
        flash(str(exc), "error")
        return redirect(url_for("archives.case", case_id=case.id))
    db.session.commit()
    _queue(job)
    return redirect(url_for("archives.case", case_id=case.id))


def _queue(job: ArchiveJob) -> None:
    problem = tasks.enqueue_or_fail(job)
    if problem:
        flash(problem, "error")


@bp.route("/cases/<int:case_id>/download")
@requires("archives.manage")
def download(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    copy, fmt = request.args.get("copy", ""), request.args.get("fmt", "pdf")
    path = queries.bundle_file(case, copy, fmt)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=fmt == "zip",
                     download_name=f"{case.archive_number}-{copy}.{fmt}")


@bp.route("/batch", methods=["POST"])
@requires("archives.manage")
def batch():
    township = get_scoped_or_404(Region, id_arg("township_id", request.form) or 0)
    month = month_arg("month", source=request.form)
    if township.level != RegionLevel.township or month is None:
        flash(_("Choose a township and a month."), "error")
        return redirect(url_for("archives.index"))
    try:
        job = operations.create_job(region_id=township.id, month=month, actor=current_user)
    except operations.ArchiveError as exc:
        flash(str(exc), "error")
        return redirect(url_for("archives.index"))
    db.session.commit()
    _queue(job)
    return redirect(url_for("archives.index"))


@bp.route("/jobs/<int:job_id>")
@requires("archives.manage")
def job(job_id: int):
    """The job's status as JSON, for the progress poller."""
    return jsonify(queries.job_json(get_scoped_or_404(ArchiveJob, job_id)))


@bp.route("/settings", methods=["GET", "POST"])
@requires("archives.configure")
def settings():
    county = current_user.region.county
    row = operations.settings_for(county)
    if request.method == "POST":
        try:
            operations.set_pattern(county, request.form.get("number_pattern", ""))
        except operations.ArchiveError as exc:
            flash(str(exc), "error")
            return _settings_page(row), 400
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("archives.settings"))
    return _settings_page(row)


def _settings_page(row, rules=None):
    county = current_user.region.county
    return render_template("archives/settings.html", row=row, classes=CLASSES,
                           rules=rules or queries.retention_rules(county))


@bp.route("/settings/retention", methods=["POST"])
@requires("archives.configure")
def retention():
    """Save the retention period of every class of file (all or none)."""
    county = current_user.region.county
    try:
        operations.set_retention(county, request.form.to_dict())
    except operations.ArchiveError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _settings_page(operations.settings_for(county), request.form.to_dict()), 400
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for("archives.settings"))
