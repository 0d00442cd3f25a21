"""Intake pages: pick a relief type, fill the county's published form, save a draft, submit.

The posted form goes through the one server-side validation (``engine.validate_answers``)
both for drafts-turned-cases and for the API; its Chinese messages are shown at each field.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import requires
from ..cases.models import Case
from ..db import begins_deferred, db
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES, ReliefCode
from ..schemas.engine import Result, client_spec, localized, validate_answers
from ..schemas.forms import unknown_posted_keys
from ..schemas.wtf import (
    answers_for_form,
    answers_from_form,
    apply_errors,
    build_form_class,
    template_row,
)
from . import operations, queries
from .household import household_from_answers
from .models import IntakeDraft

bp = Blueprint("intake", __name__, url_prefix="/intake", template_folder="templates")

CONTROL_KEYS = {"csrf_token", "action", "add_row", "remove_row"}
ACTIONS = {"save_draft", "submit"}


@bp.route("/")
@requires("cases.intake")
def index():
    return render_template("intake/index.html", choices=queries.intake_choices(current_user),
                           drafts=queries.open_drafts(current_user))


def _relief_from_args() -> ReliefCode:
    try:
        return ReliefCode(request.args.get("type", ""))
    except ValueError:
        abort(404)


@bp.route("/new", methods=["GET", "POST"])
@requires("cases.intake")
def new():  # begins deferred (below): the submit takes the write lock after validation
    relief = _relief_from_args()
    version = queries.published_version(current_user.region.county, relief)
    if version is None:
        flash(_("The county has not published a form for this relief type yet."), "error")
        return redirect(url_for(".index"))
    return _fill(version, None)


begins_deferred(f"{bp.name}.new")


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@requires("cases.intake")
def draft(draft_id: int):
    found = get_scoped_or_404(IntakeDraft, draft_id)
    if found.is_submitted:
        return redirect(_case_url(found.case_id))
    return _fill(found.schema_version, found)


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
@requires("cases.intake")
def delete_draft(draft_id: int):
    found = get_scoped_or_404(IntakeDraft, draft_id)
    try:
        operations.delete_draft(found, current_user)
    except operations.IntakeError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("The draft was deleted."))
    return redirect(url_for(".index"))


@bp.route("/done/<int:case_id>")
@requires("cases.intake")
def done(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    return render_template("intake/done.html", case=case, relief=RELIEF_TYPES[case.relief_type],
                           duplicates=queries.duplicate_members(
                               [m.id_number for m in case.members], current_user, case.id))


def _case_url(case_id: int) -> str:
    if "cases.detail" in current_app.view_functions:
        return url_for("cases.detail", case_id=case_id)
    return url_for(".done", case_id=case_id)


# -- the form -----------------------------------------------------------------------------------

def unknown_keys(version) -> list[str]:
    """Posted keys that are no field of this form (a tampered or outdated page)."""
    return unknown_posted_keys(version.definition, set(request.form) | set(request.files),
                           CONTROL_KEYS)


def _change_rows(form) -> bool:
    """No-JS row buttons: add or remove a row and show the form again; nothing is saved."""
    group = request.form.get("add_row")
    if group:
        field = form._fields.get(group)
        if field is None or not hasattr(field, "append_entry"):
            abort(400)
        if len(field.entries) < (field.max_entries or 50):
            field.append_entry()
        return True
    target = request.form.get("remove_row")
    if target:
        group = target.split("-", 1)[0]
        field = form._fields.get(group)
        if field is None or not hasattr(field, "entries"):
            abort(400)
        position = next((i for i, e in enumerate(field.entries) if e.name == target), None)
        if position is not None and len(field.entries) > 1:
            field.pop_entry(position)
        return True
    return False


def _is_blank(value) -> bool:
    return value is None or value == "" or value == [] or (
        isinstance(value, str) and not value.strip())


def without_blank_rows(definition: dict, answers: dict, form) -> dict:
    """Drop group rows the clerk left entirely empty (the page always shows one row), from the
    answers and the form alike so error positions still match; the engine still reports a
    group that ends up with fewer rows than it needs."""
    for spec in definition["fields"]:
        rows = answers.get(spec["name"])
        if spec["type"] != "group" or not isinstance(rows, list):
            continue
        blank = [i for i, row in enumerate(rows) if all(_is_blank(v) for v in row.values())]
        for i in reversed(blank):
            del rows[i]
            form[spec["name"]].pop_entry(i)
    return answers


def _draft_answers(version, answers: dict, result: Result, draft: IntakeDraft | None) -> dict:
    """JSON answers to keep in a draft: raw text as typed; files as stored descriptions."""
    out = {}
    for spec in version.definition["fields"]:
        name = spec["name"]
        if spec["type"] == "file":
            value = result.clean.get(name) or ((draft.answers or {}).get(name) if draft else None)
            if value:
                out[name] = value
        elif name in answers:
            out[name] = _json_safe(answers[name])
    return out


def _file_errors(version, result: Result) -> list[tuple[str, str]]:
    """Errors of file fields (a refused scan is not kept in the draft)."""
    files = {spec["name"] for spec in version.definition["fields"] if spec["type"] == "file"}
    return [(path, message) for path, message in result.errors if path in files]


def _json_safe(value):
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return None  # an upload inside a group row: not kept in a draft


def _with_stored_files(version, answers: dict, draft: IntakeDraft | None) -> dict:
    """A file chosen when the draft was saved counts unless a new one is uploaded."""
    if draft is None:
        return answers
    for spec in version.definition["fields"]:
        stored = (draft.answers or {}).get(spec["name"])
        if spec["type"] == "file" and answers.get(spec["name"]) is None and stored:
            answers[spec["name"]] = stored
    return answers


def _member_ids(version, answers) -> list[str]:
    try:
        household = household_from_answers(version.definition, answers)
    except (AttributeError, TypeError):
        return []
    return [m.id_number for m in household.members] + [household.applicant_id_number]


def _fill(version, draft: IntakeDraft | None):
    FormClass = build_form_class(version, current_user)
    if request.method != "POST":
        data = answers_for_form(version, draft.answers) if draft is not None else None
        form = FormClass(data=data) if data else FormClass()
        answers = draft.answers if draft is not None else {}
        return _render(version, draft, form, answers)
    form = FormClass()
    if _change_rows(form):
        return _render(version, draft, form, answers_from_form(version, form))
    answers = _with_stored_files(version, without_blank_rows(
        version.definition, answers_from_form(version, form), form), draft)
    unknown = unknown_keys(version)
    action = request.form.get("action", "")
    if unknown:
        leftover = [(key, _("Unknown field: the form may have changed, reload the page and fill it in again")) for key in unknown]
        return _render(version, draft, form, answers, leftover, 422)
    if action not in ACTIONS:
        return _render(version, draft, form, answers, [("", _("Click \"Save draft\" or \"Submit\""))], 422)
    if action == "save_draft":
        result = validate_answers(version, answers, current_user)
        operations.store_uploads(result, current_user)
        saved = operations.save_draft(version, _draft_answers(version, answers, result, draft),
                                      current_user, draft)
        db.session.commit()
        refused = _file_errors(version, result)
        if refused:  # the draft is kept, but the clerk must see which scan it did not keep
            leftover = apply_errors(form, Result(errors=refused))
            return _render(version, saved, form, answers,
                           [("", _("The draft was saved, but the files marked were not accepted: "
                                    "upload them again"))] + leftover, 422)
        flash(_("The draft was saved. You can continue it later from the intake page."))
        return redirect(url_for(".draft", draft_id=saved.id))
    # a warning, not a check: read before the intake takes the write lock (SQLite), so the
    # other writers do not wait for it
    duplicates = queries.duplicate_members(_member_ids(version, answers), current_user)
    try:
        if draft is not None:
            case, _result = operations.submit_draft(draft, answers, current_user)
        else:
            case, _result = operations.create_case_from_answers(version, answers, current_user)
    except operations.IntakeError as exc:
        db.session.rollback()
        leftover = apply_errors(form, Result(errors=list(exc.errors)))
        return _render(version, draft, form, answers, leftover, 422)
    db.session.commit()
    flash(_("Application accepted: case %(number)s.", number=case.case_number))
    for duplicate in duplicates:
        flash(duplicate.message, "warning")
    return redirect(_case_url(case.id))


def _render(version, draft, form, answers, leftover=(), status=200):
    duplicates = queries.duplicate_members(_member_ids(version, answers or {}), current_user)
    return render_template(
        "intake/form.html", form=form, version=version, draft=draft,
        relief=RELIEF_TYPES[version.relief_type], definition=localized(version.definition),
        spec=client_spec(version, current_user), template_row=template_row, leftover=leftover,
        duplicates=duplicates, stored_files=_stored_files(version, draft)), status


def _stored_files(version, draft) -> dict:
    if draft is None:
        return {}
    return {spec["name"]: draft.answers[spec["name"]] for spec in version.definition["fields"]
            if spec["type"] == "file" and isinstance((draft.answers or {}).get(spec["name"]), dict)}

