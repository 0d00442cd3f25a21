"""Users, API tokens and the login throttle."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..regions.models import RegionScoped
from .roles import Role, has_permission


class User(RegionScoped, UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))
    is_active_user: Mapped[bool] = mapped_column("is_active", default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # part of the login session's id: raising it (logout, new password) ends every session
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # set by a password an administrator chose (a new user, a reset): every page leads to the
    # password change until the user picks their own
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default="0")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    def can(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token is shown once at creation."""

    __tablename__ = "api_token"
    __scope_via__ = None  # set below, once User exists

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    is_revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


ApiToken.__scope_via__ = (User, ApiToken.user_id)


class LoginThrottle(Base):
    """Failed logins per username (known or not), to slow down and then lock guessing."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    blocked_until: Mapped[datetime | None]
