"""Standards pages: the county's versions side by side, and a form for a new version."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import requires
from ..db import db
from . import operations, queries
from .forms import CHOICE_LABELS, GROUP_LABELS, StandardForm

bp = Blueprint("standards", __name__, url_prefix="/standards", template_folder="templates")


def _county():
    return current_user.region.county


@bp.route("/")
@requires("standards.view")
def index():
    county = _county()
    rows = queries.versions(county.id)
    return render_template(
        "standards/index.html", county=county, rows=rows,
        current=queries.current_set(county.id), specs=operations.SPECS,
        choice_labels=CHOICE_LABELS, group_labels=GROUP_LABELS,
        named=queries.named_matrix(rows),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("standards.manage")
def new():
    county = _county()
    if request.method == "POST":
        form = StandardForm()
    else:  # start from the version in force
        form = StandardForm(data=operations.form_values(queries.current_set(county.id)))
        form.add_blank_rows()
    status, other_errors = 200, {}
    if "add_row" in request.form:  # one more named-value row; nothing is saved yet
        form.add_blank_rows(1)
    elif form.validate_on_submit():
        try:
            row = operations.create_version(county, form.data)
        except operations.StandardError as exc:
            other_errors = form.show_errors(exc.errors)
            status = 400
        else:
            db.session.commit()
            flash(_("Standard version %(id)s saved, effective from %(day)s.", id=row.id,
                    day=row.effective_from.isoformat()), "success")
            return redirect(url_for("standards.index"))
    elif request.method == "POST":
        status = 400
    groups = {g: [s for s in operations.SPECS if s.group == g] for g in GROUP_LABELS}
    return render_template("standards/new.html", form=form, county=county, groups=groups,
                           group_labels=GROUP_LABELS, other_errors=other_errors), status
