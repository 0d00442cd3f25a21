"""Jiuzhu (救助): low-code forms and official documents for township social assistance."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, g, has_request_context, render_template, request, session
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from . import config as config_module
from .db import db
from .extensions import babel, csrf, login_manager


def create_app(config: dict | None = None) -> Flask:
    """Make the app. Settings come from the environment; ``config`` overrides them (tests)."""
    app = Flask(__name__, instance_path=str(config_module.instance_dir()),
                static_folder=str(config_module.ROOT / "static"))
    app.url_map.converters["int"] = BoundedInt
    app.config.update(config_module.from_environment())
    if config:
        app.config.update(config)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    _init_login(app)
    csrf.init_app(app)
    _init_babel(app)

    from .auth.access import check_access
    from .params import check_request_text

    app.before_request(check_access)
    app.before_request(check_request_text)
    app.after_request(_security_headers)
    app.after_request(_cap_flashes)
    for views in _room_views():
        app.register_blueprint(views.bp)
    _init_api(app)
    _init_errors(app)
    _init_templates(app)

    from .cli import register_cli

    register_cli(app)
    if app.config.get("CHECK_MIGRATIONS"):
        from .migrate import ensure_current

        ensure_current(app)
    return app


class BoundedInt(IntegerConverter):
    """Ids in URLs fit a database integer: a longer number is a 404, not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _room_views():
    from .rooms import ROOMS, room_modules

    for name in ROOMS:  # the package first: it registers nav links, panels, kinds…
        importlib.import_module(f"{__name__}.{name}")
    return room_modules("views")


def _init_login(app: Flask) -> None:
    from .auth.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<user id>:<session version>": a session from before a logout or a new password
        # carries an old version and is refused
        user_id, _, version = session_id.partition(":")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.is_active or version != str(user.session_version):
            return None
        return user


def _select_locale():
    from .auth.views import LOCALES

    if not has_request_context():  # a task or the CLI: the office's language (lazy labels)
        return None
    if getattr(g, "api_locale", None):
        return g.api_locale
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    return None  # the default, zh_CN


def _init_babel(app: Flask) -> None:
    from .i18n import compile_catalogs, escape_lazy_strings

    escape_lazy_strings()

    # one catalog for the shared layout plus one per room (server/<room>/translations)
    here = Path(__file__).parent
    directories = [here / "translations", *sorted(here.glob("*/translations"))]
    for directory in directories:
        compile_catalogs(directory)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in directories)
    babel.init_app(app, locale_selector=_select_locale)


MAX_FLASHES = 10


def _cap_flashes(response):
    """Keep only the newest messages waiting to be shown: a client that posts form after
    form without opening a page (a script, a benchmark) would otherwise grow the session
    cookie, parsed on every request, past the 4 KB browsers keep (and lose the login)."""
    flashes = session.get("_flashes") if session else None
    if flashes and len(flashes) > MAX_FLASHES:
        session["_flashes"] = flashes[-MAX_FLASHES:]
    return response


def _security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    )
    if request.endpoint != "static" and current_user and getattr(current_user, "is_authenticated", False):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _init_api(app: Flask) -> None:
    from .api import init_api

    init_api(app)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _init_errors(app: Flask) -> None:
    from .api.errors import error_response, http_exception_response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return http_exception_response(exc)
        return render_template("error.html", error=exc), exc.code

    @app.errorhandler(StaleDataError)
    def conflict(exc: StaleDataError):
        # a concurrent transaction changed the row first: the user retries, nothing half-saved
        from .db import CONFLICT_MESSAGE

        db.session.rollback()
        return http_error(Conflict(CONFLICT_MESSAGE))

    @app.errorhandler(OperationalError)
    @app.errorhandler(OSError)
    def fault(exc: Exception):
        # the machine's fault (database locked past its busy timeout, disk full or read-only):
        # nothing is saved and the user is told so in Chinese, without paths or class names
        from .faults import user_message

        app.logger.warning("request failed on a fault: %r", exc)
        db.session.rollback()
        return http_error(ServiceUnavailable(user_message(exc)))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        if _wants_json():
            return error_response(500, "internal error")
        return render_template("error.html", error=None), 500

    @app.errorhandler(404)
    def not_found(exc):
        return http_error(exc)


def _init_templates(app: Flask) -> None:
    from flask_babel import format_datetime

    from .audit.labels import field_label, value_text
    from .auth.roles import role_label
    from .home.nav import links_for
    from .jobs import progress_label, status_label
    from .money import fen_text
    from .regions import LEVEL_LABELS, URBAN_RURAL_LABELS

    app.jinja_env.filters["localtime"] = lambda dt: format_datetime(dt, "yyyy-MM-dd HH:mm") if dt else ""
    app.jinja_env.globals.update(
        region_level_label=LEVEL_LABELS.get,
        role_label=role_label,
        urban_rural_label=URBAN_RURAL_LABELS.get,
        yuan=fen_text,  # stored fen as "1234.00": every page prints money through server.money
        job_status_label=status_label,  # every background job's status and progress words
        job_message_label=progress_label,
        value_text=value_text,  # a stored value in words, by the audit labels of its key
        field_label=field_label,
    )

    @app.context_processor
    def inject():
        from flask_babel import get_locale

        from .auth.views import LOCALES

        return {"nav_links": links_for(current_user), "locales": LOCALES,
                "current_locale": str(get_locale())}
