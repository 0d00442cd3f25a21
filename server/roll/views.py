"""Roll pages: import a file (check, then import; the job page shows every problem by row and
column), download the template, export the roll or the month's changes, edit the county's
export column layout."""
from __future__ import annotations

import io

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

from ..auth.access import requires
from ..db import db
from ..jobs import status_json, status_label
from ..params import id_arg, month_arg
from ..periods import add_months, local_today, month_of
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped_or_404
from . import exports, layout, operations, queries, tasks
from .models import RollImport

bp = Blueprint("roll", __name__, url_prefix="/roll", template_folder="templates")

TEMPLATE_NAME = "在册名单导入模板.xlsx"


def _last_month():
    return add_months(month_of(local_today()), -1)


@bp.route("/")
@requires("roll.export")
def index():
    county = current_user.region.county
    return render_template(
        "roll/index.html", regions=queries.export_regions(current_user),
        imports=queries.imports(current_user) if current_user.can("roll.import") else [],
        month=_last_month(), layouts=layout.LAYOUT_LABELS, formats=exports.FORMATS,
        columns={name: operations.mapping_columns(county, name) for name in layout.LAYOUTS},
        roll_columns=layout.ROLL, status_label=status_label)


@bp.route("/template.xlsx")
@requires("roll.export")
def template():
    return send_file(io.BytesIO(layout.template_xlsx()), as_attachment=True,
                     download_name=TEMPLATE_NAME, mimetype=exports.FORMATS["xlsx"])


@bp.route("/imports", methods=["POST"])
@requires("roll.import")
def upload():
    upload = request.files.get("file")
    is_dry_run = request.form.get("action", "check") != "import"
    try:
        job = operations.create_import(current_user.region.county,
                                       upload.filename if upload else "",
                                       upload.read() if upload else b"", current_user,
                                       is_dry_run=is_dry_run)
    except operations.RollError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("roll.index"))
    db.session.commit()
    message = tasks.enqueue_or_fail(job)
    if message:
        flash(message, "error")
    return redirect(url_for("roll.job", import_id=job.id))


@bp.route("/imports/<int:import_id>")
@requires("roll.import")
def job(import_id: int):
    row = get_scoped_or_404(RollImport, import_id)
    return render_template("roll/job.html", job=row, status_label=status_label,
                           problems=queries.read_problems(row.problems or []))


@bp.route("/imports/<int:import_id>/status")
@requires("roll.import")
def job_status(import_id: int):
    """The import's state as JSON, for the progress poller (the page reloads when done to show
    the counts and problems)."""
    row = get_scoped_or_404(RollImport, import_id)
    return jsonify(status_json(row.status, row.progress, row.message))


def export_region(user, region_id: int | None) -> Region:
    """The county or a township the user's region covers (404 otherwise)."""
    region = get_scoped_or_404(Region, region_id or user.region_id, user)
    if region.level == RegionLevel.village:
        abort(404)
    return region


@bp.route("/export")
@requires("roll.export")
def export():
    region = export_region(current_user, id_arg("region_id", request.args))
    month = month_arg("month", _last_month(), source=request.args)
    name = request.args.get("layout", "roll")
    fmt = request.args.get("format", "xlsx")
    if name not in layout.LAYOUTS or fmt not in exports.FORMATS:
        abort(404)
    data, _rows = operations.export_file(region, name, month, fmt, current_user)
    db.session.commit()
    filename = f"{region.name}-{month:%Y-%m}-{layout.file_title(name)}.{fmt}"
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename,
                     mimetype=exports.FORMATS[fmt])


@bp.route("/mapping", methods=["GET", "POST"])
@requires("roll.configure")
def mapping():
    name = (request.values.get("layout") or "roll")
    if name not in layout.LAYOUTS:
        abort(404)
    county = current_user.region.county
    text = layout.mapping_text(operations.mapping_columns(county, name), name)
    problems = []
    if request.method == "POST":
        text = request.form.get("columns", "")
        try:
            operations.save_mapping(county, name, layout.parse_mapping_text(text), current_user)
        except layout.MappingError as exc:
            db.session.rollback()
            problems = [str(p) for p in exc.problems]  # text: a lazy string is safe markup
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("roll.mapping", layout=name))
    return render_template("roll/mapping.html", layout_name=name, label=layout.LAYOUT_LABELS[name],
                           text=text, problems=problems, columns=layout.LAYOUTS[name]), (
        400 if problems else 200)
