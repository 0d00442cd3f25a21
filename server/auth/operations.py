"""Writes for users, tokens and logins. Passwords are hashed; clear text is never stored or logged."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.operations import record
from ..db import db, lock_for_write, utcnow
from ..regions.models import Region, RegionLevel
from .models import ApiToken, LoginThrottle, User
from .roles import Role

TOKEN_USE_PRECISION = timedelta(minutes=1)


class AuthError(Exception):
    """A refusal with a message meant for the user; ``field`` names the input at fault (the
    API's field path)."""

    def __init__(self, message, field: str = ""):
        super().__init__(message)
        self.field = field


def _hash(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


# the region level each role needs, as the refusal names it (Chinese in the CLI: no request)
LEVEL_NAMES = {RegionLevel.county: _l("a county-level"),
               RegionLevel.township: _l("a township (street)"),
               RegionLevel.village: _l("a village (community)")}


def validate_password(password: str) -> None:
    if len(password) < 8:
        raise AuthError(_l("The password needs at least 8 characters"), "new_password")


def generated_password() -> str:
    """A password for an administrator to hand over once (no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _check_role_region(role: Role, region: Region) -> None:
    if region.level != role.region_level:
        raise AuthError(_l("%(role)s must belong to %(level)s region; %(region)s is not one",
                           role=role.label, level=LEVEL_NAMES[role.region_level],
                           region=region.name), "role")


def create_user(username: str, display_name: str, password: str, role: Role | str,
                region: Region, actor=None, must_change_password: bool = False) -> User:
    role = Role(role)
    username = (username or "").strip()
    if not username:
        raise AuthError(_l("Enter the user name"), "username")
    _check_role_region(role, region)
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise AuthError(_l("The user name %(username)s is taken", username=username), "username")
    validate_password(password)
    user = User(username=username, display_name=display_name, password_hash=_hash(password),
                role=role, region=region, must_change_password=must_change_password)
    db.session.add(user)
    db.session.flush()
    record("user.create", user, actor=actor, details={
        "username": username, "role": role.value, "region": region.code,
        "must_change_password": must_change_password})
    return user


def update_user(user: User, display_name: str, role: Role | str, region: Region,
                actor=None) -> None:
    """Change a user's name, role and region; the audit event lists what changed."""
    role = Role(role)
    _check_role_region(role, region)
    before = {"display_name": user.display_name, "role": user.role.value,
              "region": user.region.code}
    after = {"display_name": display_name, "role": role.value, "region": region.code}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return
    if actor is not None and actor.id == user.id and ({"role", "region"} & changes.keys()):
        raise AuthError(_l("You cannot change your own role or region: ask another county "
                           "administrator"), "role")
    user.display_name, user.role, user.region = display_name, role, region
    record("user.update", user, actor=actor, details=changes)


def set_password(user: User, password: str, actor=None, reset: bool = False) -> None:
    """A new password ends the user's sessions and revokes their API tokens. A ``reset`` (a
    password the administrator chose) must be changed by the user at their next login."""
    validate_password(password)
    user.password_hash = _hash(password)
    user.must_change_password = reset
    end_sessions(user)
    revoked = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.is_revoked.is_(False))
        .values(is_revoked=True)).rowcount
    record("user.password", user, actor=actor, details={"tokens_revoked": revoked,
                                                        "reset": reset})


def reset_password(user: User, actor=None) -> str:
    """A generated password, returned once to show to the administrator; never stored."""
    password = generated_password()
    set_password(user, password, actor=actor, reset=True)
    return password


def change_own_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password proves it is them."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AuthError(_l("The current password is wrong"), "current_password")
    if new == current:
        raise AuthError(_l("The new password must differ from the current one"), "new_password")
    set_password(user, new, actor=user)


def end_sessions(user: User) -> None:
    """Invalidate every login session of the user (cookies carry the session version)."""
    user.session_version = (user.session_version or 0) + 1


def logout(user: User) -> None:
    end_sessions(user)
    record("auth.logout", user, actor=user)


_DUMMY_HASHES: dict[str, str] = {}


def _check_password(user: User | None, password: str) -> bool:
    """Check against a dummy hash of the same cost when there is no such user, so that the
    answer takes as long for unknown usernames (no user enumeration by timing)."""
    if user is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _DUMMY_HASHES:
            _DUMMY_HASHES[method] = _hash(secrets.token_hex(16))
        check_password_hash(_DUMMY_HASHES[method], password)
        return False
    return check_password_hash(user.password_hash, password)


def set_active(user: User, is_active: bool, actor=None) -> None:
    if not is_active and actor is not None and actor.id == user.id:
        raise AuthError(_l("You cannot disable your own account"), "active")
    user.is_active_user = is_active
    record("user.enable" if is_active else "user.disable", user, actor=actor)


def _throttle(username: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, username)
    if row is None:
        row = LoginThrottle(username=username, failures=0)
        db.session.add(row)
    return row


def authenticate(username: str, password: str) -> User:
    """Check a login. Slows down after a few failures, then locks for a while.

    Raises AuthError with a message for the login page; records every outcome in the audit log.
    """
    cfg = current_app.config
    username = (username or "").strip()[:64]
    lock_for_write()  # the throttle row and the audit event: one login at a time
    now = utcnow()
    row = db.session.get(LoginThrottle, username)
    if row is not None and row.blocked_until and row.blocked_until > now:
        wait = int((row.blocked_until - now).total_seconds()) + 1
        record("auth.login_blocked", details={"username": username}, actor_name=username)
        if row.failures >= cfg["LOGIN_LOCK_AFTER"]:
            raise AuthError(_l("Too many failed logins: the account is locked, try again in "
                               "%(minutes)s minutes", minutes=max(1, wait // 60)))
        raise AuthError(_l("Several failed logins: try again in %(seconds)s seconds",
                           seconds=wait))
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if not _check_password(user, password or ""):
        row = _throttle(username)
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= cfg["LOGIN_LOCK_AFTER"]:
            row.blocked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
        elif row.failures >= cfg["LOGIN_THROTTLE_AFTER"]:
            row.blocked_until = now + timedelta(seconds=2 ** (row.failures - cfg["LOGIN_THROTTLE_AFTER"]))
        record("auth.login_failed", details={"username": username, "failures": row.failures},
               actor_name=username, region_id=user.region_id if user else None)
        raise AuthError(_l("Wrong user name or password"))
    if not user.is_active:
        record("auth.login_failed", user, details={"username": username, "reason": "disabled"},
               actor=user)
        raise AuthError(_l("This account is disabled: ask the county administrator"))
    if row is not None:
        db.session.delete(row)
    record("auth.login", user, actor=user)
    return user


def create_token(user: User, name: str = "", actor=None) -> str:
    """Make an API token for the user. The clear token is returned once and never stored."""
    token = "jz_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token), name=name))
    record("token.create", user, details={"name": name}, actor=actor)
    return token


def user_by_token(token: str) -> User | None:
    row = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token),
                               ApiToken.is_revoked.is_(False))
    ).first()
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_PRECISION:
        # a write at most once a minute per token, so read-only API calls stay read-only
        lock_for_write()
        row.last_used_at = now
    return row.user
