"""Filings over the API: the month's filings, building one (a background job polled through
the filing's ``build_status``), its files, reconciling with the bank's roster, explaining a
difference, submit, reopen and county review — the operations the filing pages call."""
from __future__ import annotations

from flask import send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, fields, validate

from .. import idnumber
from ..api.errors import load_json, no_body, refuse
from ..api.fields import UtcDateTime
from ..auth.access import requires
from ..db import db
from ..extensions import data_dir
from ..faults import user_message
from ..params import FIRST_DAY, LAST_DAY, MAX_ID
from ..periods import local_today, month_of
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped, get_scoped_or_404
from . import operations, queries, tasks
from .models import Filing, FilingDifference
from .roster import RosterError

blp = Blueprint("api_filings", __name__, url_prefix="/filings",
                description="Monthly filings (月度备案): build, reconcile, submit, review")

FILES = {"statistics_xlsx": "xlsx", "statistics_docx": "docx", "roster_xlsx": "xlsx"}
MONTH = validate.Range(min=FIRST_DAY, max=LAST_DAY)


class MonthArgs(Schema):
    month = fields.Date(load_default=None, validate=MONTH,
                        metadata={"description": "Any day of the month (default: this month)"})


class DifferenceOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    name = fields.Str()
    id_number = fields.Function(lambda d: idnumber.mask(d.id_number))
    expected = fields.Str()
    actual = fields.Str()
    note = fields.Str()
    is_explained = fields.Bool()


class FilingOut(Schema):
    id = fields.Int()
    region_id = fields.Int()
    township = fields.Function(lambda f: f.region.name)
    month = fields.Date()
    status = fields.Function(lambda f: f.status.value)
    build_status = fields.Str(metadata={"description": "queued / running / retrying / done / "
                                                      "failed: poll this after a build"})
    build_error = fields.Str()
    built_at = UtcDateTime(allow_none=True)
    check_failures = fields.List(fields.Str())
    roster_count = fields.Int()
    roster_total_fen = fields.Int()
    files = fields.Function(lambda f: sorted(k for k in (f.files or {}) if k in FILES))
    reconciled_at = UtcDateTime(allow_none=True)
    submitted_at = UtcDateTime(allow_none=True)
    reviewed_at = UtcDateTime(allow_none=True)
    review_comment = fields.Str()
    reopen_count = fields.Int()
    differences = fields.List(fields.Nested(DifferenceOut))


class BuildIn(Schema):
    township_id = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    month = fields.Date(required=True, validate=MONTH,
                        metadata={"description": "Any day of the month to file"})


class RosterIn(Schema):
    roster = UploadField(metadata={"description": "The bank's (payment system's) roster, "
                                                  "CSV or XLSX"})


TEXT = [validate.Length(max=2000), validate.Regexp(r"\S", error=_l("Please fill this in"))]


class NoteIn(Schema):
    note = fields.Str(required=True, validate=TEXT)


class ReasonIn(Schema):
    reason = fields.Str(required=True, validate=TEXT)


class FilingReviewIn(Schema):
    accept = fields.Bool(required=True)
    comment = fields.Str(load_default="", validate=validate.Length(max=2000))


def _refused(exc: Exception, path: str = "") -> None:
    """A refusal of the operation: 422 on the field when one is named (a bad roster file),
    else 409 (the filing's state does not allow it)."""
    db.session.rollback()
    refuse(422 if path else 409, str(exc), path)


@blp.route("/")
class Filings(MethodView):
    @requires("filings.view")
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, FilingOut(many=True))
    def get(self, args):
        """The month's filings of the townships under the caller's region."""
        month = month_of(args["month"] or local_today())
        return list(queries.filings_of_month(month).values())

    @requires("filings.prepare")
    @blp.arguments(BuildIn)
    @blp.response(202, FilingOut)
    def post(self, body):
        """Build a township's table and roster in the background; poll
        ``GET /filings/<id>`` until ``build_status`` is done or failed. 409 when the month is
        locked; 422 for a township outside the caller's region."""
        township = get_scoped(Region, body["township_id"])
        if township is None or township.level != RegionLevel.township:
            refuse(422, _("Choose a township (subdistrict) in your area"), "township_id")
        try:
            filing = operations.prepare_build(township, month_of(body["month"]))
        except operations.FilingError as exc:  # the month is locked
            _refused(exc)
        db.session.commit()
        tasks.enqueue_build(filing.id)
        db.session.refresh(filing)
        return filing


class CountyBuildIn(Schema):
    month = fields.Date(required=True, validate=MONTH,
                        metadata={"description": "Any day of the month to build"})


class CountyBuildOut(Schema):
    month = fields.Date()
    queued = fields.Bool()


@blp.route("/county-builds")
class CountyBuilds(MethodView):
    @requires("filings.review")
    @blp.arguments(CountyBuildIn)
    @blp.response(202, CountyBuildOut)
    def post(self, body):
        """Build every township's filing of the month and the county consolidation in the
        background; follow each township's ``build_status`` in ``GET /filings/?month=…``.
        503 when the queue cannot take it."""
        month = month_of(body["month"])
        try:
            tasks.build_county_month(current_user.region.county.id, month.isoformat())
        except Exception as exc:  # noqa: BLE001 - the queue failed (read-only or full data dir)
            db.session.rollback()
            abort(503, message=user_message(exc))
        return {"month": month, "queued": True}


@blp.route("/<int:filing_id>")
class FilingItem(MethodView):
    @requires("filings.view")
    @blp.response(200, FilingOut)
    def get(self, filing_id: int):
        """One filing: its build status, checks, roster totals, differences and review."""
        return get_scoped_or_404(Filing, filing_id)


@blp.route("/<int:filing_id>/files/<file_key>")
class FilingFile(MethodView):
    @requires("filings.view")
    @blp.response(200, description="The table (XLSX/DOCX) or the payment roster (XLSX)")
    @blp.doc(responses={"200": {"description": "The file", "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}}})
    def get(self, filing_id: int, file_key: str):
        """Download a built file: ``statistics_xlsx``, ``statistics_docx`` or ``roster_xlsx``."""
        filing = get_scoped_or_404(Filing, filing_id)
        relative = (filing.files or {}).get(file_key)
        if file_key not in FILES or not relative:
            abort(404, message=_("This file has not been built yet"))
        path = (data_dir() / relative).resolve()
        if data_dir().resolve() not in path.parents or not path.is_file():
            abort(404, message=_("This file has not been built yet"))
        name = f"{filing.region.name}-{filing.month:%Y-%m}-{file_key.rsplit('_', 1)[0]}" \
               f".{FILES[file_key]}"
        return send_file(path, as_attachment=True, download_name=name)


@blp.route("/<int:filing_id>/reconcile")
class Reconcile(MethodView):
    @requires("filings.prepare")
    @blp.response(200, FilingOut)
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {
        "schema": RosterIn}}})
    def post(self, filing_id: int):
        """Compare the bank's roster (multipart ``roster``) with Jiuzhu's; the differences
        replace earlier ones. 422 (path ``roster``) for a file that cannot be read; 409 when
        the month is locked."""
        from flask import request

        filing = get_scoped_or_404(Filing, filing_id)
        upload = request.files.get("roster")
        if upload is None or not upload.filename:
            refuse(422, _("Choose the bank's (payment system's) roster file"), "roster")
        try:
            operations.reconcile(filing, upload.filename, upload.read(), current_user)
        except RosterError as exc:
            _refused(exc, "roster")
        except operations.FilingError as exc:
            _refused(exc)
        db.session.commit()
        return filing


@blp.route("/differences/<int:difference_id>/explanation")
class Explain(MethodView):
    @requires("filings.prepare")
    @blp.response(200, DifferenceOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": NoteIn}}})
    def put(self, difference_id: int):
        """Explain one difference (``{"note": …}``); 409 when the month is locked."""
        difference = get_scoped_or_404(FilingDifference, difference_id)
        body = load_json(NoteIn())
        try:
            operations.explain(difference, body["note"], current_user)
        except operations.FilingError as exc:
            _refused(exc)
        db.session.commit()
        return difference


@blp.route("/<int:filing_id>/submit")
class Submit(MethodView):
    @requires("filings.prepare")
    @blp.response(200, FilingOut)
    def post(self, filing_id: int):
        """File the month with the county (locks it); 409 with the reason when it is not
        ready (not built, checks failing, not reconciled, differences unexplained)."""
        filing = get_scoped_or_404(Filing, filing_id)
        no_body()
        try:
            operations.submit(filing, current_user)
        except operations.FilingError as exc:
            _refused(exc)
        db.session.commit()
        return filing


@blp.route("/<int:filing_id>/reopen")
class Reopen(MethodView):
    @requires("filings.reopen")
    @blp.response(200, FilingOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ReasonIn}}})
    def post(self, filing_id: int):
        """Unlock a filed month for a correction (``{"reason": …}``, audited)."""
        filing = get_scoped_or_404(Filing, filing_id)
        body = load_json(ReasonIn())
        try:
            operations.reopen(filing, body["reason"], current_user)
        except operations.FilingError as exc:
            _refused(exc)
        db.session.commit()
        return filing


@blp.route("/<int:filing_id>/review")
class Review(MethodView):
    @requires("filings.review")
    @blp.response(200, FilingOut)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": FilingReviewIn}}})
    def post(self, filing_id: int):
        """The county accepts (``{"accept": true}``) or returns a submitted filing (a comment
        is required to return it); 409 when it is not submitted."""
        filing = get_scoped_or_404(Filing, filing_id)
        body = load_json(FilingReviewIn())
        try:
            operations.review(filing, body["accept"], body["comment"], current_user)
        except operations.FilingError as exc:
            db.session.rollback()
            if not body["accept"] and not body["comment"].strip():
                refuse(422, str(exc), "comment")
            refuse(409, str(exc))
        db.session.commit()
        return filing


class SettingsIO(Schema):
    adjust_day = fields.Int(required=True, strict=True, validate=validate.Range(min=0, max=999),
                            metadata={"description": "Day of the month changes close (1–28)"})
    filing_day = fields.Int(required=True, strict=True, validate=validate.Range(min=0, max=999),
                            metadata={"description": "Day of the month filings are due (1–28)"})
    remind_days = fields.Int(required=True, strict=True, validate=validate.Range(min=0, max=999),
                             metadata={"description": "Days of warning before each (0–10)"})


@blp.route("/settings")
class Settings(MethodView):
    @requires("filings.configure")
    @blp.response(200, SettingsIO)
    def get(self):
        """The county's filing calendar."""
        return operations.settings_for(current_user.region.county)

    @requires("filings.configure")
    @blp.arguments(SettingsIO)
    @blp.response(200, SettingsIO)
    def put(self, body):
        """Change the filing calendar (the page's checks; 422 names the days)."""
        try:
            row = operations.set_settings(current_user.region.county, body["adjust_day"],
                                          body["filing_day"], body["remind_days"], current_user)
        except operations.FilingError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": name, "message": str(exc)}
                                                 for name in ("adjust_day", "filing_day",
                                                              "remind_days")])
        db.session.commit()
        return row
