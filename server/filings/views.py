"""Filing pages: the month's townships, one filing (table, roster, reconciliation, submit,
reopen, review), the county's consolidated table, the calendar settings."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import confirm, idnumber
from ..auth.access import requires
from ..db import db
from ..extensions import data_dir
from ..faults import user_message
from ..jobs import status_json
from ..money import fen_text
from ..params import id_arg, int_arg, month_arg
from ..periods import add_months, local_today, month_of
from ..regions.models import Region
from ..regions.queries import get_scoped_or_404
from . import exports, figures, operations, queries, stats, tasks
from .models import Filing, FilingDifference
from .periods import label
from .roster import RosterError

bp = Blueprint("filings", __name__, url_prefix="/filings", template_folder="templates")

FILES = {"statistics_xlsx": "xlsx", "statistics_docx": "docx", "roster_xlsx": "xlsx"}


def _month_arg(source) -> object:
    return month_arg("month", month_of(local_today()), source=source)


def _done(filing: Filing, message=None):
    db.session.commit()
    if message:
        flash(message)
    return redirect(url_for("filings.detail", filing_id=filing.id))


def _refused(filing: Filing, exc: Exception):
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for("filings.detail", filing_id=filing.id))


@bp.route("/")
@requires("filings.view")
def index():
    month = _month_arg(request.args)
    return render_template("filings/index.html", month=month, label=label(month),
                           prev=add_months(month, -1), next=add_months(month, 1),
                           townships=queries.townships(),
                           filings=queries.filings_of_month(month),
                           reminders=queries.open_reminders())


@bp.route("/build", methods=["POST"])
@requires("filings.prepare")
def build():
    township = get_scoped_or_404(Region, id_arg("township_id", request.form) or 0)
    month = _month_arg(request.form)
    try:
        filing = operations.prepare_build(township, month)
    except operations.FilingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("filings.index", month=f"{month:%Y-%m}"))
    db.session.commit()
    tasks.enqueue_build(filing.id)
    return redirect(url_for("filings.detail", filing_id=filing.id))


@bp.route("/build-county", methods=["POST"])
@requires("filings.review")
def build_county():
    month = _month_arg(request.form)
    try:
        tasks.build_county_month(current_user.region.county.id, month.isoformat())
    except Exception as exc:  # noqa: BLE001 - the queue failed (read-only or full data dir)
        current_app.logger.error("could not queue the county's month: %s: %s",
                                 type(exc).__name__, exc)
        flash(user_message(exc), "error")
        return redirect(url_for("filings.index", month=f"{month:%Y-%m}"))
    flash(_("The month's filings are being built."))
    return redirect(url_for("filings.index", month=f"{month:%Y-%m}"))


@bp.route("/<int:filing_id>")
@requires("filings.view")
def detail(filing_id: int):
    filing = get_scoped_or_404(Filing, filing_id)
    parts = exports.sections(filing.stats) if filing.stats else []
    return render_template("filings/detail.html", filing=filing, parts=parts,
                           build=build_status(filing),
                           label=label(filing.month), files=FILES, mask=idnumber.mask)


BUILD_PROGRESS = {"queued": 0, "running": 50, "retrying": 50, "done": 100, "failed": 100}


def build_status(filing: Filing) -> dict:
    """The build as static/js/progress.js polls it; when done it says what was built."""
    status = filing.build_status or "done"
    message = ""
    if status == "done" and filing.built_at:
        message = _("Table and roster built: %(count)s households, %(total)s yuan.",
                    count=filing.roster_count, total=fen_text(filing.roster_total_fen))
    return status_json(status, BUILD_PROGRESS.get(status, 0), message, filing.build_error)


@bp.route("/<int:filing_id>/build-status")
@requires("filings.view")
def build_progress(filing_id: int):
    """The filing's build as JSON, for the progress poller."""
    return jsonify(build_status(get_scoped_or_404(Filing, filing_id)))


@bp.route("/<int:filing_id>/download")
@requires("filings.view")
def download(filing_id: int):
    filing = get_scoped_or_404(Filing, filing_id)
    key = request.args.get("file", "")
    relative = (filing.files or {}).get(key)
    if key not in FILES or not relative:
        abort(404)
    path = (data_dir() / relative).resolve()
    if data_dir().resolve() not in path.parents or not path.is_file():
        abort(404)
    name = f"{filing.region.name}-{filing.month:%Y-%m}-{key.rsplit('_', 1)[0]}.{FILES[key]}"
    return send_file(path, as_attachment=True, download_name=name)


@bp.route("/<int:filing_id>/reconcile", methods=["POST"])
@requires("filings.prepare")
def reconcile(filing_id: int):
    filing = get_scoped_or_404(Filing, filing_id)
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        return _refused(filing, operations.FilingError(_("Choose the bank's roster file.")))
    try:
        differences = operations.reconcile(filing, upload.filename, upload.read(), current_user)
    except (operations.FilingError, RosterError) as exc:
        return _refused(filing, exc)
    return _done(filing, _("%(count)s difference(s) found.", count=len(differences)))


@bp.route("/differences/<int:difference_id>/explain", methods=["POST"])
@requires("filings.prepare")
def explain(difference_id: int):
    difference = get_scoped_or_404(FilingDifference, difference_id)
    try:
        operations.explain(difference, request.form.get("note", ""), current_user)
    except operations.FilingError as exc:
        return _refused(difference.filing, exc)
    return _done(difference.filing)


def _act(filing_id: int, action, message):
    """Fetch the scoped filing, run one operation on it, commit or show the refusal."""
    filing = get_scoped_or_404(Filing, filing_id)
    try:
        action(filing)
    except operations.FilingError as exc:
        return _refused(filing, exc)
    return _done(filing, message)


@bp.route("/<int:filing_id>/submit", methods=["POST"])
@requires("filings.prepare")
def submit(filing_id: int):
    filing = get_scoped_or_404(Filing, filing_id)
    page = confirm.required(
        _("file with the county"),
        _("The filing of %(month)s goes to the county and the month is locked: cases, "
          "payments and the table can no longer change until the county reopens it.",
          month=label(filing.month)),
        url_for("filings.detail", filing_id=filing.id))
    if page is not None:
        return page
    return _act(filing_id, lambda f: operations.submit(f, current_user),
                _("Filed with the county. The month is locked."))


@bp.route("/<int:filing_id>/reopen", methods=["POST"])
@requires("filings.reopen")
def reopen(filing_id: int):
    return _act(filing_id, lambda f: operations.reopen(f, request.form.get("reason", ""),
                                                       current_user), _("Reopened."))


@bp.route("/<int:filing_id>/review", methods=["POST"])
@requires("filings.review")
def review(filing_id: int):
    accept = request.form.get("decision") == "accept"
    return _act(filing_id, lambda f: operations.review(f, accept, request.form.get("comment", ""),
                                                       current_user), _("Review recorded."))


@bp.route("/consolidated")
@requires("filings.review")
def consolidated():
    """The county's table over the townships' filed (submitted or accepted) figures."""
    month = _month_arg(request.args)
    townships = queries.townships()
    filings = queries.filings_of_month(month)
    filed = {t.prefix: filings[t.id].stats for t in townships
             if t.id in filings and filings[t.id].is_locked and filings[t.id].stats}
    missing = [t for t in townships if t.prefix not in filed]
    names = {t.prefix: t.name for t in townships}
    if request.args.get("format") == "xlsx":
        try:
            path = operations.write_consolidation(current_user.region.county, month, filed, names)
        except OSError as exc:  # full or read-only data directory: say so, not a 500
            current_app.logger.error("consolidation not written: %s", exc)
            flash(user_message(exc), "error")
            return redirect(url_for("filings.consolidated", month=f"{month:%Y-%m}"))
        return send_file(path, as_attachment=True,
                         download_name=f"{current_user.region.county.name}-{month:%Y-%m}-汇总表.xlsx")
    parts = [exports.township_section(filed, names), *exports.sections(stats.consolidate(filed))]
    return render_template("filings/consolidated.html", month=month, label=label(month),
                           parts=parts, missing=missing,
                           charts=figures.filing_charts(current_user, month))


@bp.route("/settings", methods=["GET", "POST"])
@requires("filings.configure")
def settings():
    county = current_user.region.county
    row = operations.settings_for(county)
    if request.method == "POST":
        try:
            operations.set_settings(county, *(int_arg(name, 0, maximum=999, source=request.form)
                                              for name in ("adjust_day", "filing_day", "remind_days")),
                                    current_user)
        except operations.FilingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("filings/settings.html", row=row), 400
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("filings.settings"))
    return render_template("filings/settings.html", row=row)



STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"), "accepted": _l("Accepted"),
                 "returned": _l("Returned")}
FILE_LABELS = {"statistics_xlsx": _l("Table (XLSX)"), "statistics_docx": _l("Table (DOCX)"),
               "roster_xlsx": _l("Payment roster (XLSX)")}
DIFFERENCE_LABELS = {"missing": _l("Not paid by the bank"), "extra": _l("Paid but not due"),
                     "amount": _l("Amount differs"), "name": _l("Name differs"),
                     "id_number": _l("ID number differs"), "account": _l("Account differs")}


@bp.app_template_global()
def filing_status_label(status) -> str:
    return str(STATUS_LABELS.get(getattr(status, "value", status), status))


@bp.app_template_global()
def file_label(key: str) -> str:
    return str(FILE_LABELS.get(key, key))


@bp.app_template_global()
def difference_label(kind: str) -> str:
    return str(DIFFERENCE_LABELS.get(kind, kind))

