"""Pages for documents: a case's documents and print packs, village notices, templates."""
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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from .. import confirm
from ..auth.access import requires, safe_next
from ..auth.roles import COUNTY
from ..cases.models import Case
from ..db import db
from ..extensions import data_dir
from ..jobs import status_json
from ..params import id_arg, int_arg, month_arg
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped_or_404, scoped, villages_of
from ..relief import RELIEF_TYPES, ReliefCode
from . import operations, queries
from .forms import DelegationForm, OfficeForm, UploadForm
from .models import DocTemplateVersion, GeneratedDocument, PrintJob
from .pdf import PdfFailed, PdfUnavailable
from .registry import (
    COPY_LABELS,
    KINDS,
    SCOPE_LABELS,
    STEP_DOCUMENTS,
    PublicLeak,
    by_step,
    steps_for_case,
)

bp = Blueprint("documents", __name__, url_prefix="/documents", template_folder="templates")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STEP_LABELS = {
    "acceptance": _l("Acceptance step"),
    "investigation": _l("Investigation step"),
    "appraisal": _l("Appraisal step"),
    "decision": _l("Review and confirmation step"),
    "publicity": _l("Publicity step"),
    "refusal": _l("Refusal step"),
    "confirmation": _l("Confirmation step"),
    "archiving": _l("Archiving step"),
    "dishonesty": _l("Dishonesty handling step"),
}


@bp.app_template_global()
def document_steps(case) -> list[tuple[str, str, list]]:
    """(step, label, [(kind, title)]) the case page offers to print."""
    return [(step, STEP_LABELS.get(step, step), [(k, KINDS[k].label) for k in kinds])
            for step, kinds in steps_for_case(case)]


@bp.app_template_global()
def documents_by_step(documents) -> list[tuple[str, str, list]]:
    """(step, label, documents) for the case page's list of generated documents."""
    return [(step, STEP_LABELS.get(step, step) if step else _("Other"), docs)
            for step, docs in by_step(documents)]


@bp.app_template_filter("document_title")
def document_title(kind: str) -> str:
    """A kind's name in the page's language, for pages of lower rooms that name kinds."""
    return KINDS[kind].label if kind in KINDS else kind


@bp.app_template_filter("bears_seal")
def bears_seal(kind: str) -> bool:
    """Is this kind stamped with the 委托事项专用章 (its final prints go in the seal log)?"""
    return kind in KINDS and KINDS[kind].bears_seal


@bp.app_template_global()
def copy_marking(copy: str) -> str:
    """An archive copy's name (县级存档 / 乡镇存档) in the page's language, for its key."""
    return str(COPY_LABELS.get(copy, copy))


@bp.app_template_global()
def pdf_missing_reason() -> str | None:
    """Why PDF downloads are not offered (LibreOffice missing), or None."""
    if queries.soffice_path() is None:
        return _("PDF is not available: LibreOffice (soffice) is not installed on the server. "
                 "Download the Word file and print it.")
    return None


@bp.route("/")
@requires("cases.view")
def index():
    return render_template("documents/index.html", documents=queries.recent_documents(),
                           jobs=queries.recent_jobs(), kinds=KINDS, steps=STEP_DOCUMENTS,
                           step_labels=STEP_LABELS)


# -- a case's documents ------------------------------------------------------------------------

@bp.route("/cases/<int:case_id>")
@requires("cases.view")
def case_documents(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    return render_template("documents/case.html", case=case,
                           documents=queries.documents_for_case(case),
                           relief=RELIEF_TYPES[ReliefCode(case.relief_type)],
                           show_integrity=current_user.role in COUNTY)  # hashes: county only


def _back_to_case(case: Case):
    return redirect(safe_next(request.form.get("next"),
                              url_for("documents.case_documents", case_id=case.id)))


@bp.route("/cases/<int:case_id>/generate", methods=["POST"])
@requires("documents.generate")
def generate(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    kind = KINDS.get(request.form.get("kind", ""))
    if kind is None:
        abort(400)
    subject = case if kind.scope == "case" else case.region
    options = {"copy": request.form["copy"]} if request.form.get("copy") else {}
    try:
        operations.generate(kind.name, subject, current_user, options)
    except operations.DocumentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back_to_case(case)
    db.session.commit()
    flash(_("%(title)s generated.", title=kind.label))
    return _back_to_case(case)


@bp.route("/cases/<int:case_id>/pack", methods=["POST"])
@requires("documents.generate")
def pack(case_id: int):
    case = get_scoped_or_404(Case, case_id)
    step = request.form.get("step", "")
    if step not in STEP_DOCUMENTS:
        abort(400)
    try:
        job = operations.create_print_job(case, step, current_user)
    except operations.DocumentError as exc:
        flash(str(exc), "error")
        return _back_to_case(case)
    db.session.commit()
    from .tasks import build_print_pack

    build_print_pack(job.id)
    return redirect(url_for("documents.print_job", print_job_id=job.id))


# -- files -------------------------------------------------------------------------------------

def _bytes(path) -> io.BytesIO:
    """Files are small; reading them whole closes the handle before the response is sent."""
    return io.BytesIO(path.read_bytes())


@bp.route("/<int:document_id>/docx")
@requires("cases.view")
def docx(document_id: int):
    document = get_scoped_or_404(GeneratedDocument, document_id)
    return send_file(_bytes(operations.document_file(document)), mimetype=DOCX, as_attachment=True,
                     download_name=queries.download_name(document, ".docx"))


@bp.route("/<int:document_id>/pdf")
@requires("cases.view")
def pdf(document_id: int):
    document = get_scoped_or_404(GeneratedDocument, document_id)
    try:
        path = operations.ensure_pdf(document)
    except (PdfUnavailable, PdfFailed) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        if document.case_id:
            return redirect(url_for("documents.case_documents", case_id=document.case_id))
        return redirect(url_for("documents.index"))
    db.session.commit()
    return send_file(_bytes(path), mimetype="application/pdf", as_attachment=False,
                     download_name=queries.download_name(document, ".pdf"))


@bp.route("/<int:document_id>/print-final", methods=["POST"])
@requires("documents.generate")
def print_final(document_id: int):
    """The final print of a sealed document: entered in the seal log, then handed out."""
    document = get_scoped_or_404(GeneratedDocument, document_id)
    try:
        use, data = operations.print_final(document, current_user)
    except operations.DocumentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        if document.case_id:
            return redirect(url_for("documents.case_documents", case_id=document.case_id))
        return redirect(url_for("documents.index"))
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=queries.download_name(document, f"-用章{use.id}.docx"))


@bp.route("/seals")
@requires("seals.view")
def seals():
    """The seal-use log (委托事项专用章使用登记): the custodian's township, or the county's."""
    township_id = id_arg("township")
    month = month_arg("month")
    townships = list(db.session.scalars(scoped(Region).where(
        Region.level == RegionLevel.township).order_by(Region.code)))
    return render_template("documents/seals.html", uses=queries.seal_log(township_id, month),
                           townships=townships, township_id=township_id, month=month)


# -- print jobs --------------------------------------------------------------------------------

def _job_status(job: PrintJob) -> dict:
    download = (url_for("documents.print_job_download", print_job_id=job.id)
                if job.result_path else None)
    return {"id": job.id, **status_json(job.status, job.progress, job.message, job.error,
                                        result_url=download),
            "download_url": download, "result_type": job.result_type}


@bp.route("/jobs/<int:print_job_id>")
@requires("cases.view")
def print_job(print_job_id: int):
    job = get_scoped_or_404(PrintJob, print_job_id)
    case = db.session.get(Case, job.case_id) if job.case_id else None
    return render_template("documents/job.html", job=job, case=case,
                           step_label=STEP_LABELS.get(job.step, job.step),
                           titles=[KINDS[k].label for k in job.kinds])


@bp.route("/jobs/<int:print_job_id>/status")
@requires("cases.view")
def print_job_status(print_job_id: int):
    return jsonify(_job_status(get_scoped_or_404(PrintJob, print_job_id)))


@bp.route("/jobs/<int:print_job_id>/download")
@requires("cases.view")
def print_job_download(print_job_id: int):
    job = get_scoped_or_404(PrintJob, print_job_id)
    if not job.result_path:
        abort(404)
    is_pdf = job.result_type == "pdf"
    return send_file(_bytes(data_dir() / job.result_path),
                     mimetype="application/pdf" if is_pdf else "application/zip",
                     as_attachment=not is_pdf,
                     download_name=f"print-pack-{job.step}-{job.id}.{job.result_type}")


# -- village notices ---------------------------------------------------------------------------

NOTICE_KINDS = ("publicity_notice", "standing_notice")


@bp.route("/villages")
@requires("documents.generate")
def villages():
    rows = []
    for village in villages_of():
        counts = {name: len(KINDS[name].cases(village)) for name in NOTICE_KINDS}
        rows.append((village, counts))
    return render_template("documents/villages.html", rows=rows, kinds=KINDS)


@bp.route("/villages/<int:region_id>", methods=["GET", "POST"])
@requires("documents.generate")
def village(region_id: int):
    village = get_scoped_or_404(Region, region_id)
    if village.level != RegionLevel.village:
        abort(404)
    if request.method == "POST":
        kind = request.form.get("kind", "")
        if kind not in NOTICE_KINDS:
            abort(400)
        options = {"skip_leaks": True} if request.form.get("skip_leaks") else {}
        try:
            operations.generate(kind, village, current_user, options)
        except operations.DocumentError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            leaked = isinstance(exc, PublicLeak) and exc.cases
            return redirect(url_for("documents.village", region_id=village.id,
                                    leak=kind if leaked else None))
        db.session.commit()
        flash(_("%(title)s generated.", title=KINDS[kind].label))
        return redirect(url_for("documents.village", region_id=village.id))
    notices = list(db.session.scalars(scoped(GeneratedDocument).where(
        GeneratedDocument.region_id == village.id, GeneratedDocument.case_id.is_(None),
        GeneratedDocument.kind.in_(NOTICE_KINDS)).order_by(GeneratedDocument.id.desc())
        .limit(20)))
    cases = {name: KINDS[name].cases(village) for name in NOTICE_KINDS}
    return render_template("documents/village.html", village=village, cases=cases,
                           notices=notices, kinds=KINDS, notice_kinds=NOTICE_KINDS,
                           leak=request.args.get("leak"))


# -- office contact lines ----------------------------------------------------------------------

@bp.route("/office", methods=["GET", "POST"])
@requires("documents.office")
def office():
    region = current_user.region
    row = queries.office_row(region)
    form = OfficeForm(obj=row)
    if form.validate_on_submit():
        operations.save_office_contact(region, form.data, current_user)
        db.session.commit()
        flash(_("Contact lines saved."))
        return redirect(url_for("documents.office"))
    return render_template("documents/office.html", form=form, region=region,
                           preview=queries.office_for(region))


# -- delegation letters (county → township) ----------------------------------------------------

@bp.route("/delegation", methods=["GET", "POST"])
@requires("documents.delegate")
def delegation():
    townships = list(db.session.scalars(scoped(Region).where(
        Region.level == RegionLevel.township).order_by(Region.code)))
    form = DelegationForm()
    form.township.choices = [(t.id, t.name) for t in townships]
    if form.validate_on_submit():
        township = get_scoped_or_404(Region, form.township.data)
        options = {key: value for key, value in (
            ("start", form.start.data), ("end", form.end.data),
            ("letter_number", form.letter_number.data)) if value}
        try:
            document = operations.generate("delegation_letter", township, current_user, options)
        except operations.DocumentError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("documents.delegation"))
        db.session.commit()
        return redirect(url_for("documents.docx", document_id=document.id))
    letters = list(db.session.scalars(scoped(GeneratedDocument).where(
        GeneratedDocument.kind == "delegation_letter").order_by(GeneratedDocument.id.desc())
        .limit(20)))
    return render_template("documents/delegation.html", form=form, letters=letters,
                           regions={t.id: t for t in townships})


# -- templates (county admin) ------------------------------------------------------------------

def _county():
    return current_user.region.county


@bp.route("/templates")
@requires("templates.manage")
def templates():
    county = _county()
    active = {v.kind: v for v in db.session.scalars(scoped(DocTemplateVersion).where(
        DocTemplateVersion.region_id == county.id, DocTemplateVersion.is_active.is_(True)))}
    counts = dict(db.session.execute(scoped(select(DocTemplateVersion.kind, func.count())
                                            .select_from(DocTemplateVersion))
                                     .where(DocTemplateVersion.region_id == county.id)
                                     .group_by(DocTemplateVersion.kind)).all())
    return render_template("documents/templates.html", kinds=KINDS, active=active,
                           counts=counts, scopes=SCOPE_LABELS)


def _kind_or_404(kind: str):
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


def _version_or_none(kind: str, number) -> DocTemplateVersion | None:
    """Version ``number`` of the kind in the admin's county; 0 or empty means built-in."""
    if not number or str(number) == "0":
        return None
    if not str(number).isdigit() or len(str(number)) > 9:
        abort(404)
    version = queries.version_by_number(kind, _county(), int(number))
    if version is None:
        abort(404)
    return version


@bp.route("/templates/<kind>", methods=["GET", "POST"])
@requires("templates.manage")
def template_kind(kind: str):
    document_kind = _kind_or_404(kind)
    county = _county()
    form = UploadForm()
    issues = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            version = operations.upload_template(kind, county, upload.filename or "",
                                                 upload.read(), current_user, form.note.data)
        except operations.TemplateRejected as exc:
            db.session.rollback()
            issues = exc.report.issues
        else:
            db.session.commit()
            flash(_("Version %(number)s uploaded and checked. Preview it, then activate it.",
                    number=version.number))
            return redirect(url_for("documents.template_kind", kind=kind))
    contract_lines = _contract_lines(document_kind.contract())
    return render_template("documents/template_kind.html", kind=document_kind, form=form,
                           issues=issues, versions=queries.versions_of(kind, county),
                           active=queries.active_version(kind, county),
                           contract_lines=contract_lines, reliefs=sorted(
                               document_kind.relief_types),
                           relief_types=RELIEF_TYPES), 422 if issues else 200


def _contract_lines(contract: dict, prefix: str = "") -> list[str]:
    """The contract as ``case.number``-style lines for the admin's reference."""
    lines = []
    for name, shape in contract.items():
        path = f"{prefix}{name}"
        if isinstance(shape, dict):
            lines += _contract_lines(shape, path + ".")
        elif isinstance(shape, list):
            lines.append(_("%(path)s  [a list: {%% for x in %(path)s %%}]", path=path))
            if isinstance(shape[0], dict):
                lines += _contract_lines(shape[0], "x.")
        elif shape == "answers":
            lines.append(_("%(path)s.<form field name>", path=path))
        else:
            lines.append(path)
    return lines


@bp.route("/templates/<kind>/activate", methods=["POST"])
@requires("templates.manage")
def template_activate(kind: str):
    _kind_or_404(kind)
    version = _version_or_none(kind, int_arg("number", 0, source=request.form))
    name = _("version %(n)s", n=version.number) if version else _("built-in")
    page = confirm.required(
        _("put %(label)s in force", label=name),
        _("From now on every document of this kind is generated from %(label)s; documents "
          "already generated stay as they are.", label=name),
        url_for("documents.template_kind", kind=kind))
    if page is not None:
        return page
    operations.activate_template(kind, _county(), version, current_user)
    db.session.commit()
    flash(_("Template in force: %(label)s.",
            label=_("version %(n)s", n=version.number) if version else _("built-in")))
    return redirect(url_for("documents.template_kind", kind=kind))


def _template_bytes(kind: str) -> tuple[DocTemplateVersion | None, bytes]:
    version = _version_or_none(kind, int_arg("number", 0))
    return version, queries.template_bytes(kind, version)


@bp.route("/templates/<kind>/file")
@requires("templates.manage")
def template_file(kind: str):
    _kind_or_404(kind)
    version, data = _template_bytes(kind)
    number = version.number if version else 0
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"{kind}-v{number}.docx")


@bp.route("/templates/<kind>/preview")
@requires("templates.manage")
def template_preview(kind: str):
    """Render a version with a sample household: .docx, or PDF when asked and available."""
    _kind_or_404(kind)
    version, template = _template_bytes(kind)
    village = queries.preview_village()
    if village is None:
        abort(404)
    relief = request.args.get("relief") or None
    if relief and relief not in ReliefCode.__members__:
        abort(400)
    try:
        data = operations.preview(kind, template, village,
                                  ReliefCode(relief) if relief else None)
    except operations.DocumentError as exc:
        flash(str(exc), "error")
        return redirect(url_for("documents.template_kind", kind=kind))
    number = version.number if version else 0
    if request.args.get("format") == "pdf":
        try:
            pdf = operations.preview_pdf(data, kind)
        except (PdfUnavailable, PdfFailed) as exc:
            flash(str(exc), "error")
            return redirect(url_for("documents.template_kind", kind=kind))
        return send_file(io.BytesIO(pdf), mimetype="application/pdf",
                         download_name=f"preview-{kind}-v{number}.pdf")
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"preview-{kind}-v{number}.docx")
