"""Case pages: list, case page with its workflow actions and clocks, deadlines, re-checks,
the relatives and dishonesty registers, and the county's workflow settings."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import TemplateNotFound

from .. import confirm, idnumber
from ..auth.access import requires
from ..auth.models import User
from ..auth.roles import COUNTY, holders
from ..db import db
from ..params import month_arg, page_arg
from ..periods import add_months, local_today
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES
from . import clocks, operations, queries, sections
from .checks import CaseError, check_label
from .dishonesty import kind_label
from .fields import FIELDS
from .forms import CaseFactsForm, DishonestyForm, RelativeForm, choices
from .models import Case, DishonestyEntry, DishonestyWarning, Member, RelativeRegisterEntry
from .workflows import (
    ACTION_LABELS,
    DEFAULT_SETTINGS,
    STATE_LABELS,
    build,
    settings_for,
    workflow_for,
)

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")
bp.add_app_template_filter(check_label, "check_label")


def _users_by_id(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    from sqlalchemy import select

    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/")
@requires("cases.view")
def index():
    args = request.args
    cases = queries.search(args.get("q", ""), args.get("relief_type", ""),
                           args.get("state", ""), page_arg())
    return render_template("cases/index.html", cases=cases, args=args, states=STATE_LABELS,
                           relief_types=RELIEF_TYPES, mask=idnumber.mask)


def _documents_partial() -> str | None:
    try:
        current_app.jinja_env.get_template("documents/_case_documents.html")
    except TemplateNotFound:
        return None
    return "documents/_case_documents.html"


# The actions that move a case along its main path, in the order of the procedure: the case
# page offers the first one allowed as "the next step" and folds the others away.
MAIN_PATH = ("materials_received", "start_investigation", "submit_for_decision",
             "record_appraisal", "approve", "county_approve", "close_publicity", "confirm",
             "recognize", "start_payment", "pay_one_off", "notify_refusal", "terminate",
             "recheck")


def _main_first(allowed: list) -> list:
    """The allowed transitions with the main-path one (if any) first, the rest in order."""
    rank = {action: n for n, action in enumerate(MAIN_PATH)}
    main = min(allowed, key=lambda t: rank.get(t.action, len(rank)), default=None)
    return [main, *(t for t in allowed if t is not main)] if main else []


def _render_detail(case: Case, *, status: int = 200, error: CaseError | None = None,
                   revealed: Member | None = None):
    allowed = _main_first(operations.allowed_transitions(case, current_user))
    wf = workflow_for(case)
    events = case.events
    people = _users_by_id([*case.investigators, case.reviewer_id, case.approver_id,
                           *(e.actor_id for e in events),
                           *(e.staff_user_id for e in operations.relatives_of(case))])
    documents_partial = _documents_partial()
    documents = []
    if documents_partial:
        from ..documents.queries import documents_for_case

        documents = documents_for_case(case)
    facts = CaseFactsForm(obj=case, lock_version=case.lock_version)
    return render_template(
        "cases/detail.html", case=case, wf=wf, allowed=allowed, fields=FIELDS,
        states=STATE_LABELS, actions=ACTION_LABELS, relief=RELIEF_TYPES[case.relief_type],
        deadlines=clocks.views(case), clock_warnings=clocks.warnings(case),
        staff=queries.staff_of(current_user), people=people, events=events,
        audit=queries.case_audit(case), mask=idnumber.mask, revealed=revealed,
        error=error, preview=queries.amount_preview(case) if case.state == "decision" else None,
        relatives=operations.relatives_of(case), documents_partial=documents_partial,
        documents=documents, facts=facts, today=local_today(),
        sections=sections.sections_for(case, current_user),
        show_integrity=current_user.role in COUNTY,  # lock versions, hashes: county checks only
    ), status


@bp.route("/<int:case_id>")
@requires("cases.view")
def detail(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    return _render_detail(case)


def _transition_data(case: Case, action: str) -> dict:
    form = request.form
    data = {}
    t = workflow_for(case).transition(action)
    for name in (t.fields if t else ()):
        widget = FIELDS[name].widget
        if widget in ("users", "members"):
            data[name] = form.getlist(name)
        elif widget == "incomes":  # one input per kind: incomes.wages, incomes.business…
            data[name] = {kind: form.get(f"{name}.{kind}") for kind, _label in
                          FIELDS[name].choices if form.get(f"{name}.{kind}") is not None}
        else:
            data[name] = form.get(name)
    return data


def _refused(case_id: int, exc: CaseError):
    db.session.rollback()
    case = get_scoped_or_404(Case, case_id)
    if exc.status == 404:
        abort(404)
    return _render_detail(case, status=exc.status, error=exc)


# Decisions that cannot be undone: the web form asks for confirmation first (server/confirm.py).
IRREVERSIBLE = {
    "approve": _l("The case is decided: relief is granted from the decision month and the "
                  "decision is published and paid."),
    "county_approve": _l("The county approves: relief is granted from the decision month and "
                         "the decision is published and paid."),
    "refuse": _l("The case is decided: relief is refused, and the refusal notice must be "
                 "served to the applicant."),
    "county_refuse": _l("The county refuses: relief is refused, and the refusal notice must be "
                        "served to the applicant."),
    "terminate": _l("The relief ends: payments stop and the case is closed."),
}


@bp.route("/<int:case_id>/transition", methods=["POST"])
@requires("cases.view")
def transition(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    action = request.form.get("action", "")
    if action in IRREVERSIBLE:
        page = confirm.required(ACTION_LABELS[action], str(IRREVERSIBLE[action]),
                                url_for("cases.detail", case_id=case.id))
        if page is not None:
            return page
    try:
        operations.transition(case, action, current_user, _transition_data(case, action),
                              comment=request.form.get("comment", ""),
                              lock_version=request.form.get("lock_version"),
                              effective_on=request.form.get("effective_on"))
    except CaseError as exc:
        return _refused(case_id, exc)
    db.session.commit()
    flash(_("Done: %(action)s", action=ACTION_LABELS.get(action, action)), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/facts", methods=["POST"])
@requires("cases.process")
def facts(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    form = CaseFactsForm()
    if not form.validate():
        flash(_("Please check the case facts."), "error")
        return redirect(url_for("cases.detail", case_id=case.id))
    try:
        operations.update_case(case, {
            "urban_rural": form.urban_rural.data, "persons_covered": form.persons_covered.data,
            "care_level": form.care_level.data or None, "ls_kind": form.ls_kind.data or None,
        }, current_user, form.lock_version.data)
    except CaseError as exc:
        return _refused(case_id, exc)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/reveal", methods=["POST"])
@requires("cases.view")
def reveal(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    member = next((m for m in case.members if str(m.id) == request.form.get("member_id")), None)
    if member is None:
        abort(404)
    operations.reveal_id_number(case, member, current_user)
    db.session.commit()
    return _render_detail(case, revealed=member)


@bp.route("/deadlines")
@requires("cases.view")
def deadlines():
    panel = queries.deadlines_panel(current_user)
    return render_template("cases/deadlines.html", panel=panel,
                           townships=queries.overdue_by_township(current_user),
                           states=STATE_LABELS)


@bp.route("/rechecks")
@requires("cases.view")
def rechecks():
    first = month_arg("month") or local_today().replace(day=1)  # malformed: a 400
    end = add_months(first, 1)
    return render_template("cases/rechecks.html", due=queries.recheck_due(first, end),
                           month=f"{first:%Y-%m}", states=STATE_LABELS)


# -- registers ----------------------------------------------------------------------------------

def _register_page(name: str, form, add, entries, **extra):
    """One register page: list, and on a valid POST add an entry through ``add()``."""
    if form.validate_on_submit():
        try:
            add()
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(f"cases.{name}"))
    return render_template(f"cases/{name}.html", form=form, entries=entries(),
                           mask=idnumber.mask, **extra)


def _deactivate(model, entry_id: int, action: str, name: str):
    operations.deactivate(get_scoped_or_404(model, entry_id), current_user, action)
    db.session.commit()
    return redirect(url_for(f"cases.{name}"))


@bp.route("/registers/relatives", methods=["GET", "POST"])
@requires("registers.manage")
def relatives():
    form = RelativeForm()
    staff = queries.staff_of(current_user)
    form.staff_user_id.choices = choices([(0, "—")] + [
        (u.id, f"{u.display_name}（{u.username}）") for u in staff])

    def add():
        operations.add_relative(
            current_user.region, form.id_number.data, form.name.data, form.relation.data,
            current_user, staff_user=next((u for u in staff if u.id == form.staff_user_id.data),
                                          None),
            cadre_name=form.cadre_name.data or "")

    return _register_page("relatives", form, add, queries.relatives)


@bp.route("/registers/relatives/<int:relative_id>/remove", methods=["POST"])
@requires("registers.manage")
def remove_relative(relative_id: int):
    return _deactivate(RelativeRegisterEntry, relative_id, "register.relative_remove",
                       "relatives")


@bp.route("/registers/dishonesty", methods=["GET", "POST"])
@requires("registers.manage")
def dishonesty():
    form = DishonestyForm()

    def add():
        operations.warn_dishonesty(current_user.region, form.id_number.data, form.name.data,
                                   form.kind.data, form.reason.data, current_user,
                                   form.listed_on.data, form.correction_days.data)

    return _register_page("dishonesty", form, add, queries.dishonesty,
                          warnings=queries.dishonesty_warnings(), kind_label=kind_label)


def _warning_act(warning_id: int, act) -> object:
    """Run ``act(warning)``; errors are flashed in Chinese and nothing is kept."""
    warning = get_scoped_or_404(DishonestyWarning, warning_id)
    try:
        result = act(warning)
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        return result or True
    return None


@bp.route("/registers/dishonesty/warnings/<int:warning_id>/list", methods=["POST"])
@requires("registers.manage")
def list_dishonest(warning_id: int):
    """Refusal to correct: list the household, stop its payment this month with a notice."""
    entry = _warning_act(warning_id, lambda w: operations.list_dishonest(w, current_user))
    if entry is not None:
        if entry.stopped_cases:
            flash(_("Listed; payment stopped from this month for %(cases)s. Print the notice "
                    "from each case page.", cases="、".join(entry.stopped_cases)), "success")
        else:
            flash(_("Saved."), "success")
    return redirect(url_for("cases.dishonesty"))


@bp.route("/registers/dishonesty/warnings/<int:warning_id>/corrected", methods=["POST"])
@requires("registers.manage")
def correct_dishonesty(warning_id: int):
    """The household corrected in time: the warning is closed without a listing."""
    if _warning_act(warning_id, lambda w: operations.correct_dishonesty(w, current_user)):
        flash(_("Saved."), "success")
    return redirect(url_for("cases.dishonesty"))


@bp.route("/registers/dishonesty.xlsx")
@requires("registers.manage")
def dishonesty_list():
    """The list in force, to send to other departments; an audited export (full ID numbers)."""
    data = operations.export_dishonesty_list(current_user)
    db.session.commit()
    return current_app.response_class(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=dishonesty-list.xlsx"})


@bp.route("/registers/dishonesty/<int:dishonesty_id>/lift", methods=["POST"])
@requires("registers.manage")
def lift_dishonesty(dishonesty_id: int):
    return _deactivate(DishonestyEntry, dishonesty_id, "register.dishonesty_lift", "dishonesty")


# -- settings -----------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@requires("workflows.manage")
def settings():
    code = request.values.get("relief_type", "DB")
    if code not in RELIEF_TYPES:
        abort(404)
    relief_type = code
    county = current_user.region.county
    error = ""
    if request.method == "POST":
        try:
            try:
                overrides = json.loads(request.form.get("settings") or "{}")
            except ValueError as exc:
                raise ValueError(_("Not valid JSON (line %(line)s, column %(column)s)",
                                   line=exc.lineno, column=exc.colno)) from None
            operations.save_settings(county, relief_type, overrides, current_user)
        except ValueError as exc:
            db.session.rollback()
            error = _("Invalid settings: %(problems)s", problems=exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("cases.settings", relief_type=code))
    current = settings_for(relief_type, county.id)
    return render_template("cases/settings.html", relief_type=relief_type, error=error,
                           relief_types=RELIEF_TYPES, current=current,
                           defaults=DEFAULT_SETTINGS[relief_type],
                           text=request.form.get("settings") if error else json.dumps(
                               current.as_dict(), ensure_ascii=False, indent=2),
                           wf=build(relief_type, current),
                           states=STATE_LABELS, holders=holders)

