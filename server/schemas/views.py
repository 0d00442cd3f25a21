"""Schema admin pages: relief types and their versions, the draft builder with live preview,
publish, import/export, diffs between versions, and moving a case to the newest version.

County admins edit ("schemas.manage"); everyone may read ("schemas.view"). The builder edits
the draft's source (YAML) through ``editing`` and saves it with ``operations.update_draft``,
so the structured builder and the source editor always agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import confirm
from ..auth.access import requires
from ..cases.models import Case
from ..db import db
from ..home import nav
from ..params import id_arg
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES, ReliefCode
from . import editing, operations, queries
from .engine import MAX_SOURCE_BYTES, SchemaError, client_spec, load_schema, localized
from .fields import FIELD_TYPES, MAGIC, sniff
from .forms import FieldSpecForm, ImportForm, PlainForm, SourceForm
from .models import SchemaStatus
from .roles import ROLES
from .wtf import build_form_class, template_row

bp = Blueprint("schemas", __name__, url_prefix="/schemas", template_folder="templates")

nav.register(_l("Form schemas"), "schemas.index", "schemas.manage", order=60)


def _relief_from_args() -> ReliefCode:
    try:
        return ReliefCode(request.values.get("type", ""))
    except ValueError:
        abort(404)


@bp.route("/")
@requires("schemas.view")
def index():
    rows = queries.summary()
    for row in rows:
        row["relief"] = RELIEF_TYPES[ReliefCode(row["relief_type"])]
        row["versions"] = queries.versions(row["relief_type"])
    return render_template("schemas/index.html", rows=rows, plain=PlainForm(),
                           import_form=ImportForm())


@bp.route("/versions/<int:version_id>")
@requires("schemas.view")
def version(version_id: int):
    found = queries.get_version_or_404(version_id)
    others = [v for v in queries.versions(found.relief_type) if v.id != found.id]
    return render_template("schemas/version.html", version=found, others=others,
                           relief=RELIEF_TYPES[found.relief_type], plain=PlainForm(),
                           **_preview(found.definition))


@bp.route("/versions/<int:version_id>/export")
@requires("schemas.view")
def export(version_id: int):
    found = queries.get_version_or_404(version_id)
    filename = f"{found.relief_type}-v{found.number}.yaml"
    return Response(found.source, mimetype="application/x-yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/versions/<int:version_id>/diff")
@requires("schemas.view")
def diff(version_id: int):
    found = queries.get_version_or_404(version_id)
    against_id = id_arg("against")
    others = [v for v in queries.versions(found.relief_type) if v.id != found.id]
    if against_id is None:
        against = next((v for v in others if v.number < found.number), None) or \
            (others[0] if others else None)
    else:
        against = queries.get_version_or_404(against_id)
        if against.relief_type != found.relief_type:
            abort(404)
    changes = None
    if against is not None:
        old, new = sorted((against, found), key=lambda v: v.number)
        changes = queries.diff_versions(old, new)
    return render_template("schemas/diff.html", version=found, against=against, others=others,
                           changes=changes, relief=RELIEF_TYPES[found.relief_type])


# -- drafts: create, import, publish, discard -----------------------------------------------------

@bp.route("/drafts/new", methods=["POST"])
@requires("schemas.manage")
def new_draft():
    relief = _relief_from_args()
    try:
        draft = operations.create_draft(current_user.region.county, relief, current_user)
    except operations.SchemaOperationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("Draft version %(number)s created.", number=draft.number))
    return redirect(url_for(".builder", version_id=draft.id))


TEXT_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def read_schema_upload(storage) -> str:
    """The uploaded schema file as text; refuses binaries and files whose content does not
    match their extension (a scan renamed .yaml, YAML sent as .json)."""
    name = (storage.filename or "").lower()
    suffix = next((s for s in TEXT_SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        raise SchemaError([editing_problem(_("The file name must end in .yaml, .yml or .json"))])
    data = storage.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise SchemaError([editing_problem(_("The file is too large (at most %(limit)s KiB)",
                                                     limit=MAX_SOURCE_BYTES // 1024))])
    kind = sniff(data) or ("zip" if data.startswith(b"PK\x03\x04") else None)
    if kind is not None or b"\x00" in data:
        found = MAGIC[kind][1] if kind in MAGIC else (kind or _("binary data"))
        raise SchemaError([editing_problem(_(
            "The file holds %(kind)s, not YAML/JSON text (judged by the content)", kind=found))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaError([editing_problem(_("The file is not UTF-8 text"))]) from None
    if TEXT_SUFFIXES[suffix] == "json" and not text.lstrip().startswith("{"):
        raise SchemaError([editing_problem(_("The file name ends in .json but it holds no JSON object"))])
    return text


def editing_problem(message: str):
    from .engine import Problem

    return Problem("", message)


@bp.route("/import", methods=["POST"])
@requires("schemas.manage")
def import_schema():
    relief = _relief_from_args()
    form = ImportForm()
    county = current_user.region.county
    if not form.validate_on_submit():
        flash(_("Choose a YAML or JSON file to import."), "error")
        return redirect(url_for(".index"))
    try:
        source = read_schema_upload(form.file.data)
        draft = queries.draft_of(county.id, relief)
        if draft is None:
            draft = operations.create_draft(county, relief, current_user, source)
        else:
            operations.update_draft(draft, source, current_user)
    except SchemaError as exc:
        return _import_failed(relief, [(p.path, p.message) for p in exc.errors])
    except operations.SchemaOperationError as exc:
        db.session.rollback()
        return _import_failed(relief, exc.errors or [("", str(exc))])
    db.session.commit()
    flash(_("Imported into draft version %(number)s.", number=draft.number))
    return redirect(url_for(".builder", version_id=draft.id))


def _import_failed(relief, problems):
    return render_template("schemas/import_failed.html", relief=RELIEF_TYPES[relief],
                           problems=problems), 422


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@requires("schemas.manage")
def publish(version_id: int):
    found = queries.get_version_or_404(version_id)
    page = confirm.required(
        _("publish version %(number)s", number=found.number),
        _("Version %(number)s becomes the form every new application uses; a published "
          "version can no longer be edited.", number=found.number),
        url_for(".version", version_id=found.id))
    if page is not None:
        return page
    try:
        operations.publish(found, current_user)
    except operations.SchemaOperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".version", version_id=found.id))
    db.session.commit()
    flash(_("Version %(number)s is published: new applications use it.", number=found.number))
    return redirect(url_for(".version", version_id=found.id))


@bp.route("/versions/<int:version_id>/discard", methods=["POST"])
@requires("schemas.manage")
def discard(version_id: int):
    found = queries.get_version_or_404(version_id)
    try:
        operations.discard_draft(found, current_user)
    except operations.SchemaOperationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".version", version_id=found.id))
    db.session.commit()
    flash(_("The draft was discarded."))
    return redirect(url_for(".index"))


# -- the builder ----------------------------------------------------------------------------------

def _preview(definition: dict) -> dict:
    """What the preview needs: the form (as the clerk sees it) and the runtime's spec."""
    form_class = build_form_class(definition, current_user)
    return {"preview_form": form_class(formdata=None), "preview_definition": localized(definition),
            "preview_spec": client_spec(definition, current_user),
            "template_row": template_row}


def _field_form(data: dict, at: str | None, formdata=None) -> FieldSpecForm:
    groups = editing.groups(data)
    if formdata is None and at:
        return FieldSpecForm(formdata=None, data=editing.form_values(editing.get_field(data, at)),
                             groups=groups)
    if formdata is None:
        return FieldSpecForm(formdata=None, data={"type": "text"}, groups=groups)
    return FieldSpecForm(groups=groups)


def _render_builder(draft, data, *, field_form=None, at=None, source_form=None, placed=None,
                    preview_definition=None, status=200):
    field_form = field_form or _field_form(data, at)
    source_form = source_form or SourceForm(formdata=None, data={"source": draft.source})
    placed = placed or Placed()
    return render_template(
        "schemas/builder.html", version=draft, relief=RELIEF_TYPES[draft.relief_type],
        outline=editing.outline(data), field_form=field_form, at=at, source_form=source_form,
        placed=placed, outcome=placed.first(field_form, preview=preview_definition is not None),
        plain=PlainForm(), field_types=FIELD_TYPES, field_roles=ROLES,
        **_preview(preview_definition or draft.definition)), status


def _draft_or_redirect(version_id: int):
    found = queries.get_version_or_404(version_id)
    if found.status != SchemaStatus.draft:
        return found, redirect(url_for(".version", version_id=found.id))
    return found, None


@bp.route("/versions/<int:version_id>/builder")
@requires("schemas.manage")
def builder(version_id: int):
    draft, gone = _draft_or_redirect(version_id)
    if gone:
        flash(_("A published version cannot change; create a new draft to edit."), "warning")
        return gone
    data = editing.source_data(draft.source)
    at = request.args.get("at") or None
    try:
        return _render_builder(draft, data, at=at)
    except editing.EditError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".builder", version_id=draft.id))


def _field_values(form: FieldSpecForm) -> dict:
    return {name: form[name].data for name in editing.FORM_KEYS + ("extra",) if name in form}


def _op_add(data, form_values):
    spec = editing.spec_from_form(form_values)
    if spec["type"] == "group" and "fields" not in spec:
        # a group needs a first column; the admin renames or replaces it
        spec["fields"] = [{"name": "item", "type": "text", "label": "项目"}]
    return editing.add_field(data, spec, parent=request.form.get("parent", ""))


def _op_edit(data, form_values):
    return editing.replace_field(data, request.form["at"], editing.spec_from_form(form_values))


def _op_delete(data, _values):
    return editing.delete_field(data, request.form["at"])


def _op_up(data, _values):
    return editing.move_field(data, request.form["at"], -1)


def _op_down(data, _values):
    return editing.move_field(data, request.form["at"], +1)


def _op_reorder(data, _values):
    try:
        order = [int(i) for i in request.form.get("order", "").split(",") if i != ""]
    except ValueError:
        raise editing.EditError(_("The new order is not valid: reload the page and try again")) from None
    return editing.reorder(data, request.form.get("parent", ""), order)


# builder operations on the structured data, keyed by the posted "op"
FIELD_OPS = {"add": _op_add, "edit": _op_edit}
LIST_OPS = {"delete": _op_delete, "up": _op_up, "down": _op_down, "reorder": _op_reorder}


def _problems(errors) -> list[tuple[str, str]]:
    return [(getattr(e, "path", e[0]), getattr(e, "message", e[1])) for e in errors]


@dataclass
class Placed:
    """Problems of a refused builder request, each where the admin sees it: at the edited
    field's inputs, at another field's row in the outline, in the source section, or (with no
    field to point at) in the box at the top."""

    general: list = dataclass_field(default_factory=list)
    rows: dict = dataclass_field(default_factory=dict)  # outline locator -> [message]
    source: list = dataclass_field(default_factory=list)

    def first(self, form: FieldSpecForm, preview: bool = False) -> str | None:
        """Where the page opens (the builder's forms post to #outcome): the first problem, or
        the preview when one was asked for."""
        if self.general:
            return "general"
        if name := next((f.name for f in form if f.errors), None):
            return f"field:{name}"
        if self.source:
            return "source"
        if self.rows:
            return f"row:{next(iter(self.rows))}"
        return "preview" if preview else None


def _place(problems, data: dict, new_data: dict | None, *, form: FieldSpecForm | None = None,
           at: str | None = None, source: bool = False) -> Placed:
    """Sort problems (paths into ``new_data``, the refused edit) to where they belong. A row is
    found by its name path in the saved ``data`` the page shows, since deleting or moving a
    field shifts the locators of the others; the edited field keeps its locator."""
    placed = Placed()
    target = editing.field_path(at) if at else None
    shown = editing.names_of(data)
    saved = {names: loc for loc, names in shown.items()}
    edited = editing.names_of(new_data) if new_data else {}
    for path, message in problems:
        own = path[len(target) + 1:] if target and path.startswith(target + ".") else ""
        key = re.match(r"(\w+)(\[\d+\])?$", own)  # show_if, choices[2]; not fields[0].name
        if form is not None and key:
            name = key.group(1)
            field = form[name] if name in form else form.extra
            field.errors = [*(field.errors or []), message if name in form else f"{own}：{message}"]
            continue
        loc = editing.locator_of_path(path) if path else None
        row = saved.get(edited.get(loc)) if loc else None
        if row is None and loc in shown and form is not None:
            row = loc  # an edit or an add moves no other field
        if source:
            placed.source.append((path, message))
        elif row is None:
            placed.general.append((path, message))
        if row is not None:
            placed.rows.setdefault(row, []).append(message)
    return placed


@bp.route("/versions/<int:version_id>/builder", methods=["POST"])
@requires("schemas.manage")
def builder_post(version_id: int):
    draft, gone = _draft_or_redirect(version_id)
    if gone:
        flash(_("A published version cannot change; create a new draft to edit."), "warning")
        return gone
    op = request.form.get("op", "")
    data = editing.source_data(draft.source)
    if op in ("source", "preview"):
        return _source_op(draft, data, op)
    if op not in FIELD_OPS and op not in LIST_OPS:
        abort(400)
    field_form = _field_form(data, None, formdata=request.form) if op in FIELD_OPS else None
    at = request.form.get("at") if op == "edit" else None
    if field_form is not None and not field_form.validate():
        return _render_builder(draft, data, field_form=field_form, at=at, status=422)
    ops = FIELD_OPS if op in FIELD_OPS else LIST_OPS
    try:
        new_data = ops[op](data, _field_values(field_form) if field_form else {})
    except editing.EditError as exc:
        if field_form is not None and exc.key in field_form:
            field_form[exc.key].errors = list(field_form[exc.key].errors or []) + [str(exc)]
            placed = Placed()
        else:
            placed = Placed(general=[("", str(exc))])
        return _render_builder(draft, data, field_form=field_form, at=at, placed=placed,
                               status=422)
    try:
        operations.update_draft(draft, editing.dump_yaml(new_data), current_user)
    except operations.SchemaOperationError as exc:
        db.session.rollback()
        placed = _place(_problems(exc.errors) or [("", str(exc))], data, new_data,
                        form=field_form, at=at or (field_form and _new_field_locator(new_data)))
        return _render_builder(draft, data, field_form=field_form, at=at, placed=placed,
                               status=422)
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for(".builder", version_id=draft.id) + "#fields")


def _new_field_locator(data) -> str | None:
    """Where an added field landed (end of its level), to point its errors at the form."""
    parent = request.form.get("parent", "")
    if parent:
        try:
            group = editing.get_field(data, parent)
        except editing.EditError:
            return None
        return f"{parent}.{len(group.get('fields') or []) - 1}"
    return str(len(data.get("fields") or []) - 1)


def _source_problems(data: dict, source: str, errors) -> Placed:
    try:
        new_data = editing.source_data(source)
    except SchemaError:
        new_data = None  # not YAML: no rows to point at
    return _place(errors, data, new_data if isinstance(new_data, dict) else None, source=True)


def _source_op(draft, data, op: str):
    form = SourceForm()
    source = form.source.data or ""
    if op == "preview":
        try:
            definition = load_schema(source)
        except SchemaError as exc:
            return _render_builder(draft, data, source_form=form, status=422,
                                   placed=_source_problems(data, source, _problems(exc.errors)))
        return _render_builder(draft, data, source_form=form, preview_definition=definition)
    try:
        operations.update_draft(draft, source, current_user)
    except operations.SchemaOperationError as exc:
        db.session.rollback()
        problems = _problems(exc.errors) or [("", str(exc))]
        return _render_builder(draft, data, source_form=form, status=422,
                               placed=_source_problems(data, source, problems))
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for(".builder", version_id=draft.id) + "#source")


# -- moving a case to the newest version ----------------------------------------------------------

@bp.route("/cases/<int:case_id>/migrate", methods=["GET", "POST"])
@requires("cases.migrate")
def migrate(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    target = queries.latest(case.schema_version.county_id, case.relief_type)
    if target is None:
        abort(404)
    form = PlainForm()
    if request.method == "POST":
        expected = id_arg("target_id", request.form)
        try:
            operations.migrate_case(case, current_user, expected_target_id=expected)
        except operations.SchemaOperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".migrate", case_id=case.id))
        db.session.commit()
        flash(_("The case now uses form version %(number)s.", number=target.number))
        return redirect(url_for(".migrate", case_id=case.id))
    preview = queries.migration_preview(case, target, current_user)
    return render_template("schemas/migrate.html", case=case, preview=preview, target=target,
                           form=form, relief=RELIEF_TYPES[case.relief_type])
