"""Writes for users, tokens and logins. Passwords are hashed; clear text is never stored or logged."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.operations import record
from ..db import db, lock_for_write, utcnow
from ..regions.models import Region
from .models import ApiToken, LoginThrottle, User
from .roles import Role

TOKEN_USE_PRECISION = timedelta(minutes=1)


class AuthError(Exception):
    """A refusal with a message meant for the user."""


def _hash(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def validate_password(password: str) -> None:
    if len(password) < 8:
        raise AuthError("密码至少需要 8 个字符")


def create_user(username: str, display_name: str, password: str, role: Role | str,
                region: Region, actor=None) -> User:
    role = Role(role)
    if region.level != role.region_level:
        raise AuthError(f"角色 {role.value} 必须属于 {role.region_level.value} 级区划")
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise AuthError(f"用户名 {username} 已存在")
    validate_password(password)
    user = User(username=username, display_name=display_name, password_hash=_hash(password),
                role=role, region=region)
    db.session.add(user)
    db.session.flush()
    record("user.create", user, details={"username": username, "role": role.value}, actor=actor)
    return user


def set_password(user: User, password: str, actor=None) -> None:
    """A new password ends the user's sessions and revokes their API tokens."""
    validate_password(password)
    user.password_hash = _hash(password)
    end_sessions(user)
    revoked = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.is_revoked.is_(False))
        .values(is_revoked=True)).rowcount
    record("user.password", user, actor=actor, details={"tokens_revoked": revoked})


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
            raise AuthError(f"登录失败次数过多，账号已锁定，请 {max(1, wait // 60)} 分钟后再试")
        raise AuthError(f"登录失败次数较多，请 {wait} 秒后再试")
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
        raise AuthError("用户名或密码错误")
    if not user.is_active:
        record("auth.login_failed", user, details={"username": username, "reason": "disabled"},
               actor=user)
        raise AuthError("该账号已停用，请联系县级管理员")
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
