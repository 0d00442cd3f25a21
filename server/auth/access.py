"""Access control in one place: every endpoint needs a login unless marked ``@public``, and
declares the permission it needs with ``@requires``. Checked in a single before-request hook."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """A user-supplied redirect target reduced to a path on this site, else ``fallback``.

    Every redirect to a target from the request (``next``) goes through here. Browsers drop
    tabs and newlines inside URLs and read ``\\`` as ``/``, so ``/%09/evil`` and ``/\\evil``
    mean ``//evil`` (another host): strip them first, then allow a path only.
    """
    cleaned = "".join(ch for ch in (target or "") if ch > " " and ch != "\x7f")
    cleaned = cleaned.replace("\\", "/")
    parts = urlsplit(cleaned)
    if (cleaned.startswith("/") and not cleaned.startswith("//") and not parts.scheme
            and not parts.netloc):
        return cleaned
    return fallback or url_for("home.index")


def public(view):
    """Mark a view as reachable without logging in."""
    view.is_public = True
    return view


def requires(permission: str):
    """Declare the permission a view needs; the hook checks it before the view runs."""

    def decorator(view):
        view.permission = permission
        return view

    return decorator


PUBLIC_BLUEPRINTS = {"api-docs"}
# what a user who must change their password may still open
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout"}


def is_api_request() -> bool:
    """API blueprints are named ``api_<room>``."""
    return (request.blueprint or "").startswith("api_")


def access_rule(endpoint: str | None, method: str) -> tuple[bool, str | None]:
    """(is_public, permission) declared for an endpoint and HTTP method."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is None:
        return True, None
    cls = getattr(view, "view_class", None)
    if cls is not None:  # class-based views (the API): per-method, then per-class
        method_fn = getattr(cls, method.lower(), None)
        return (getattr(cls, "is_public", False) or getattr(method_fn, "is_public", False),
                getattr(method_fn, "permission", None) or getattr(cls, "permission", None))
    return getattr(view, "is_public", False), getattr(view, "permission", None)


def check_access():
    """before_request hook: login first, then role permission. Region scoping is in queries."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    if request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    if request.method == "OPTIONS":
        return None  # Flask answers it with the Allow header; no view runs
    is_public, permission = access_rule(request.endpoint, request.method)
    if is_public:
        return None
    if is_api_request():
        # the API accepts bearer tokens only, never the session cookie (it is CSRF-exempt)
        from ..api.auth import authenticate_bearer

        if not authenticate_bearer():
            abort(401)
    elif not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    elif current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        # a password the administrator chose: nothing else until the user picks their own.
        # API tokens are not held back: a reset revokes them, and only the CLI makes new ones.
        return redirect(url_for("auth.change_password"))
    if permission is None:
        raise RuntimeError(f"endpoint {request.endpoint} declares no permission")
    if not current_user.can(permission):
        abort(403)
    return None

