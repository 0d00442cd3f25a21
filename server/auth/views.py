from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..db import db
from ..regions.queries import get_scoped_or_404, scoped
from . import operations
from .access import public, requires, safe_next
from .forms import LoginForm
from .models import User

bp = Blueprint("auth", __name__, template_folder="templates")

LOCALES = {"zh_CN": "中文", "en": "English"}


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.username.data, form.password.data)
        except operations.AuthError as exc:
            db.session.commit()  # keep the failure count and audit event
            error = str(exc)
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), 200 if not error else 401


@bp.route("/logout", methods=["POST"])
@requires("home.view")
def logout():
    operations.logout(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."))
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/users/")
@requires("users.view")
def users():
    rows = db.session.scalars(scoped(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=rows)


@bp.route("/users/<int:user_id>")
@requires("users.view")
def user_detail(user_id: int):
    return render_template("auth/user.html", user=get_scoped_or_404(User, user_id))
