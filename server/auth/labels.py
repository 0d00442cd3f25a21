"""How the audit trail names the users room's actions and objects, and user ids in details."""
from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import labels
from ..db import db
from .models import ApiToken, User


def _ids(value) -> list[int]:
    ids = value if isinstance(value, list) else [value]
    return [int(i) for i in ids if str(i).isdigit()]


def _names(wanted: list[int]) -> dict[int, str]:
    """Users' names by id, cached for the request: one query for all the ids a page asks."""
    cache = g.setdefault("user_names", {})
    missing = [i for i in set(wanted) if i not in cache]
    if missing:
        cache.update(db.session.execute(select(User.id, User.display_name)
                                        .where(User.id.in_(missing))).all())
    return cache


def user_names(value) -> str:
    """User id(s) in an event's details as the users' names."""
    ids = value if isinstance(value, list) else [value]
    names = _names(_ids(value))
    return "、".join(names.get(int(i), str(i)) if str(i).isdigit() else str(i) for i in ids)


def _prefetch(values: list) -> None:
    _names([i for value in values for i in _ids(value)])


user_names.prefetch = _prefetch  # audit labels call it with every value of a page at once


labels.actions({
    "auth.login": _l("Logged in"),
    "auth.logout": _l("Logged out"),
    "auth.login_failed": _l("Login failed"),
    "auth.login_blocked": _l("Login blocked after repeated failures"),
    "user.create": _l("User created"),
    "user.update": _l("User changed"),
    "user.password": _l("Password changed"),
    "user.enable": _l("User enabled"),
    "user.disable": _l("User disabled"),
    "token.create": _l("API token created"),
})
labels.objects(
    User=labels.ObjectKind(_l("User"), labels.named(User, "display_name")),
    ApiToken=labels.ObjectKind(_l("API token"), labels.named(ApiToken, "name")),
)
