from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..db import db
from ..regions.models import Region
from ..regions.queries import get_scoped_or_404, scoped
from . import operations
from .access import public, requires, safe_next
from .forms import LoginForm, PasswordChangeForm, UserCreateForm, UserEditForm
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


def _form_errors(form) -> str:
    """The form's field errors as one Chinese line for the page."""
    return "；".join(f"{form[name].label.text}：{'、'.join(map(str, errors))}"
                    for name, errors in form.errors.items() if name != "csrf_token")


def _actor() -> User:
    return current_user._get_current_object()


def _password_shown(user: User, password: str, created: bool):
    """The one page that shows a password the administrator chose; it is never shown again."""
    return render_template("auth/password_shown.html", user=user, password=password,
                           created=created)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("users.manage")
def user_create():
    form = UserCreateForm()
    error = None
    if request.method == "POST":
        if form.validate():
            password = operations.generated_password()
            try:
                user = operations.create_user(
                    form.username.data, form.display_name.data.strip(), password,
                    form.role.data, get_scoped_or_404(Region, form.region.data), actor=_actor(),
                    must_change_password=True)
            except operations.AuthError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                return _password_shown(user, password, created=True)
        else:
            error = _form_errors(form)
    return render_template("auth/user_form.html", form=form, user=None, error=error), \
        422 if error else 200


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("users.manage")
def user_edit(user_id: int):
    user = get_scoped_or_404(User, user_id)
    form = UserEditForm(display_name=user.display_name, role=user.role.value,
                        region=user.region_id)
    error = None
    if request.method == "POST":
        if form.validate():
            try:
                operations.update_user(user, form.display_name.data.strip(), form.role.data,
                                       get_scoped_or_404(Region, form.region.data), actor=_actor())
            except operations.AuthError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                flash(_("The user has been saved."))
                return redirect(url_for("auth.user_detail", user_id=user.id))
        else:
            error = _form_errors(form)
    return render_template("auth/user_form.html", form=form, user=user, error=error), \
        422 if error else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("users.manage")
def user_active(user_id: int):
    user = get_scoped_or_404(User, user_id)
    try:
        operations.set_active(user, request.form.get("active") == "1", actor=_actor())
    except operations.AuthError as exc:
        db.session.rollback()
        return render_template("auth/user.html", user=user, error=str(exc)), 422
    db.session.commit()
    flash(_("The user has been enabled.") if user.is_active else _("The user has been disabled."))
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@requires("users.manage")
def user_password_reset(user_id: int):
    user = get_scoped_or_404(User, user_id)
    password = operations.reset_password(user, actor=_actor())
    db.session.commit()
    return _password_shown(user, password, created=False)


@bp.route("/password", methods=["GET", "POST"])
@requires("users.own_password")
def change_password():
    """The user's own password; this browser stays logged in, every other session ends."""
    form = PasswordChangeForm()
    error = None
    if request.method == "POST":
        if not form.validate():
            error = _form_errors(form)
        elif form.new_password.data != form.confirm_password.data:
            error = _("The two new passwords are not the same")
        else:
            user = _actor()
            try:
                operations.change_own_password(user, form.current_password.data,
                                               form.new_password.data)
            except operations.AuthError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                login_user(user)  # the cookie now carries the new session version
                flash(_("Your password has been changed."))
                return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, error=error), 422 if error else 200
