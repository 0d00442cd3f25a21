"""The window pages: register and follow requests (township), departments (county admin)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import requires
from ..db import db
from ..regions.models import RegionLevel
from ..regions.queries import get_scoped_or_404
from . import operations, queries
from .forms import (
    DepartmentForm,
    FeedbackForm,
    ReferForm,
    RequestForm,
    ResultForm,
    SatisfactionForm,
)
from .labels import MATTERS, SATISFACTION, STATES, state_of
from .models import WindowDepartment, WindowRequest

bp = Blueprint("window", __name__, url_prefix="/window", template_folder="templates")
LABELS = {"matters": MATTERS, "satisfaction": SATISFACTION, "states": STATES,
          "state_of": state_of}


def _render_index(form: RequestForm, status: int = 200):
    return render_template("window/index.html", form=form, requests=queries.requests(),
                           clocks=queries.open_clocks(), **LABELS), status


@bp.route("/")
@requires("window.view")
def index():
    return _render_index(RequestForm())


@bp.route("/requests", methods=["POST"])
@requires("window.register")
def register():
    form = RequestForm()
    if form.validate_on_submit():
        try:
            request = operations.register_request(
                current_user.region, form.applicant_name.data, form.matter.data, current_user,
                phone=form.phone.data or "", description=form.description.data or "",
                received_on=form.received_on.data)
        except operations.WindowError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.applicant_name).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Request registered."), "success")
            return redirect(url_for("window.detail", request_id=request.id))
    return _render_index(form, 400)


def _forms(request: WindowRequest) -> dict:
    refer = ReferForm(prefix="refer")
    refer.department.choices = [(d.id, d.name) for d in queries.departments(
        request.region.county.id, active_only=True)]
    return {"refer": refer, "result_form": ResultForm(prefix="result"),
            "feedback": FeedbackForm(prefix="feedback"),
            "satisfaction_form": SatisfactionForm(prefix="satisfaction")}


def _render_detail(request: WindowRequest, forms: dict, status: int = 200):
    return render_template("window/detail.html", request_row=request, **forms, **LABELS), status


@bp.route("/requests/<int:request_id>")
@requires("window.view")
def detail(request_id: int):
    request = get_scoped_or_404(WindowRequest, request_id)
    return _render_detail(request, _forms(request))


@bp.route("/requests/<int:request_id>/<step>", methods=["POST"])
@requires("window.register")
def act(request_id: int, step: str):
    """One step on a request: refer, result, feedback or satisfaction."""
    request = get_scoped_or_404(WindowRequest, request_id)
    forms = _forms(request)
    steps = {
        "refer": ("refer", lambda f: operations.refer(
            request, db.session.get(WindowDepartment, f.department.data), current_user,
            f.on.data), "department"),
        "result": ("result_form", lambda f: operations.record_result(
            request, f.result.data, current_user, f.on.data), "result"),
        "feedback": ("feedback", lambda f: operations.record_feedback(
            request, current_user, f.on.data), "on"),
        "satisfaction": ("satisfaction_form", lambda f: operations.record_satisfaction(
            request, f.satisfaction.data, current_user), "satisfaction"),
    }
    if step not in steps:
        abort(404)
    name, run, first_field = steps[step]
    form = forms[name]
    if form.validate_on_submit():
        try:
            run(form)
        except operations.WindowError as exc:
            db.session.rollback()
            # the page may show another step's form: the message goes in the flash too
            getattr(form, exc.field, getattr(form, first_field)).errors.append(str(exc))
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("window.detail", request_id=request.id))
    return _render_detail(request, forms, 400)


@bp.route("/departments", methods=["GET", "POST"])
@requires("window.configure")
def departments():
    county = current_user.region.county
    if current_user.region.level != RegionLevel.county:
        abort(403)
    form = DepartmentForm()
    status = 200
    if form.validate_on_submit():
        try:
            operations.add_department(county, form.name.data, form.matters.data or "",
                                      current_user)
        except operations.WindowError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("window.departments"))
    if form.is_submitted():
        status = 400
    return render_template("window/departments.html", form=form,
                           departments=queries.departments(county.id)), status


@bp.route("/departments/<int:department_id>/toggle", methods=["POST"])
@requires("window.configure")
def toggle_department(department_id: int):
    department = get_scoped_or_404(WindowDepartment, department_id)
    operations.set_department_active(department, not department.is_active, current_user)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("window.departments"))
