"""The delegation ledger: the county admin's pages (grant, withdraw, custodian and period) and
the public list of delegated items (no login, not indexed, nothing personal)."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import public, requires
from ..auth.models import User
from ..db import db
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES
from . import operations, queries
from .forms import GrantForm, TermsForm, WithdrawForm
from .models import DelegatedItem

bp = Blueprint("delegation", __name__, url_prefix="/delegation", template_folder="templates")
# the default custodian post, stored in Chinese (it is printed): its name on pages
DEFAULT_POSTS = {"首席代表": _l("Chief representative")}


@bp.app_template_filter("custodian_post")
def custodian_post(post: str) -> str:
    """The custodian's post in the page's language when it is the default one, else as typed."""
    return str(DEFAULT_POSTS.get(post, post))


def _township_or_404(region_id: int) -> Region:
    township = get_scoped_or_404(Region, region_id)
    if township.level != RegionLevel.township:
        from flask import abort

        abort(404)
    return township


@bp.route("/")
@requires("delegation.manage")
def index():
    county = current_user.region.county
    today = local_today()
    rows = [{"township": t, "items": queries.items_of(t.id), "terms": queries.terms_of(t.id),
             "in_force": queries.in_force(t.id, today)} for t in queries.townships_of(county)]
    return render_template("delegation/index.html", county=county, rows=rows, today=today,
                           relief_name=queries.relief_label)


def _forms(township: Region):
    grant = GrantForm(prefix="grant")
    grant.relief_type.choices = [(code, rt.label) for code, rt in RELIEF_TYPES.items()]
    terms = TermsForm(prefix="terms", obj=None)
    users = db.session.scalars(select(User).where(User.region_id == township.id,
                                                  User.is_active_user.is_(True)).order_by(User.id))
    terms.custodian_user.choices = [(0, _("(typed name)"))] + [
        (u.id, f"{u.display_name}（{u.role.label}）") for u in users]
    return grant, terms


def _render_township(township: Region, grant: GrantForm, terms: TermsForm, status: int = 200):
    saved = queries.terms_of(township.id)
    if saved is not None and not terms.is_submitted():
        terms.custodian_user.data = saved.custodian_user_id or 0
        terms.custodian_name.data = saved.custodian_name
        terms.custodian_post.data = saved.custodian_post
        terms.period_start.data, terms.period_end.data = saved.period_start, saved.period_end
        terms.letter_number.data = saved.letter_number
    return render_template("delegation/township.html", township=township,
                           items=queries.items_of(township.id), terms=saved, grant=grant,
                           terms_form=terms, withdraw=WithdrawForm(prefix="withdraw"),
                           today=local_today(), relief_name=queries.relief_label), status


@bp.route("/townships/<int:region_id>")
@requires("delegation.manage")
def township(region_id: int):
    township = _township_or_404(region_id)
    return _render_township(township, *_forms(township))


@bp.route("/townships/<int:region_id>/grant", methods=["POST"])
@requires("delegation.manage")
def grant(region_id: int):
    township = _township_or_404(region_id)
    form, terms = _forms(township)
    if form.validate_on_submit():
        try:
            operations.grant(township, form.relief_type.data, form.starts_on.data, current_user,
                             ends_on=form.ends_on.data, note=form.note.data or "")
        except operations.DelegationError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.starts_on).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Delegation recorded."), "success")
            return redirect(url_for("delegation.township", region_id=township.id))
    return _render_township(township, form, terms, 400)


@bp.route("/items/<int:item_id>/withdraw", methods=["POST"])
@requires("delegation.manage")
def withdraw(item_id: int):
    item = get_scoped_or_404(DelegatedItem, item_id)
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        flash(_("Enter the last day of the delegation."), "error")
        return redirect(url_for("delegation.township", region_id=item.region_id))
    try:
        operations.withdraw(item, form.last_day.data, current_user)
    except operations.DelegationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Delegation withdrawn."), "success")
    return redirect(url_for("delegation.township", region_id=item.region_id))


@bp.route("/townships/<int:region_id>/terms", methods=["POST"])
@requires("delegation.manage")
def terms(region_id: int):
    township = _township_or_404(region_id)
    grant_form, form = _forms(township)
    if form.validate_on_submit():
        user = None
        if form.custodian_user.data:
            user = db.session.get(User, form.custodian_user.data)
        try:
            operations.save_terms(
                township, current_user, custodian_user=user,
                custodian_name=form.custodian_name.data or "",
                custodian_post=form.custodian_post.data or "",
                period_start=form.period_start.data, period_end=form.period_end.data,
                letter_number=form.letter_number.data or "")
        except operations.DelegationError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.custodian_name).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("delegation.township", region_id=township.id))
    return _render_township(township, grant_form, form, 400)


@bp.route("/public")
@public
def public_list():
    """The 赋权清单 every citizen may read: townships, delegated items, dates, the post."""
    response = make_response(render_template("delegation/public.html",
                                             rows=queries.public_ledger(), today=local_today()))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
