"""The county admin's calendar page: coverage per year, the county's entries, add/delete/import."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import requires
from ..db import db
from ..params import MAX_YEAR, MIN_YEAR
from ..periods import local_today
from ..regions.queries import get_scoped_or_404
from . import operations, queries
from .forms import KIND_LABELS, HolidayForm, ImportForm
from .models import Holiday

bp = Blueprint("calendar", __name__, url_prefix="/calendar", template_folder="templates")



def _county():
    return current_user.region.county


def _year() -> int:
    year = request.args.get("year", type=int) or local_today().year
    return min(max(year, MIN_YEAR), MAX_YEAR)


def _back(year: int):
    return redirect(url_for("calendar.index", year=year))


@bp.route("/")
@requires("calendar.manage")
def index():
    return _render(_year(), HolidayForm(), ImportForm())


def _render(year: int, form: HolidayForm, import_form: ImportForm, status: int = 200):
    county = _county()
    return render_template(
        "calendar/index.html", county=county, year=year, form=form, import_form=import_form,
        entries=queries.holidays_of(county.id, year), overview=queries.overview(county.id),
        out_of_range=queries.out_of_range(county.id),
        official=queries.official_days(year), kind_labels=KIND_LABELS,
    ), status


@bp.route("/holidays", methods=["POST"])
@requires("calendar.manage")
def add():
    form, year = HolidayForm(), _year()
    if form.validate_on_submit():
        try:
            operations.add_holiday(_county(), form.day.data, form.kind.data, form.name.data)
        except operations.CalendarError as exc:
            form.day.errors = [*form.day.errors, *exc.errors]
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return _back(form.day.data.year)
    return _render(year, form, ImportForm(), 400)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@requires("calendar.manage")
def delete(holiday_id: int):
    holiday = get_scoped_or_404(Holiday, holiday_id)
    year = min(max(holiday.day.year, MIN_YEAR), MAX_YEAR)
    operations.delete_holiday(holiday)
    db.session.commit()
    flash(_("Deleted."), "success")
    return _back(year)


@bp.route("/import", methods=["POST"])
@requires("calendar.manage")
def import_():
    form, year = ImportForm(), _year()
    text = form.text.data or ""
    if form.upload.data:
        text = form.upload.data.read().decode("utf-8-sig", errors="replace")
    try:
        created, replaced = operations.import_holidays(_county(), text)
    except operations.CalendarError as exc:
        form.text.errors = exc.errors
        return _render(year, HolidayForm(formdata=None), form, 400)
    db.session.commit()
    flash(_("%(created)s days added, %(replaced)s replaced.", created=created,
            replaced=replaced), "success")
    return _back(year)
