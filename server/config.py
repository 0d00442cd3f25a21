"""Settings from the environment, with safe defaults for a single machine.

Every setting can be given as an environment variable ``JIUZHU_<NAME>``; the defaults keep
everything under ``instance/`` (SQLite database, SQLite-backed Huey, generated files).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    path = Path(os.environ.get("JIUZHU_INSTANCE_DIR", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path, name: str = "secret_key") -> str:
    """Generated once per instance and kept with 0600 permissions, never a constant in code."""
    path = instance / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    os.chmod(path, 0o600)
    return path.read_text().strip()


def _env(name: str, default=None):
    return os.environ.get(f"JIUZHU_{name}", default)


def _bool(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Build the settings mapping. Read at app creation, not import, so tests can override."""
    instance = instance_dir()
    data_dir = Path(_env("DATA_DIR", instance / "data"))
    return {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _env("SECRET_KEY") or _secret_key(instance),
        # keys the audit chain's hashes; kept apart from the database so a copy of the
        # database alone cannot be re-hashed after an edit
        "AUDIT_KEY": _env("AUDIT_KEY") or _secret_key(instance, "audit_key"),
        "DATABASE_URL": _env("DATABASE_URL", f"sqlite:///{instance / 'jiuzhu.db'}"),
        "HUEY_URL": _env("HUEY_URL") or os.environ.get("REDIS_URL") or "",
        "HUEY_SQLITE_PATH": _env("HUEY_SQLITE_PATH", str(instance / "huey.db")),
        "HUEY_IMMEDIATE": _bool(_env("HUEY_IMMEDIATE", "0")),
        "DATA_DIR": str(data_dir),
        "MAX_CONTENT_LENGTH": int(_env("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": _env("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "Asia/Shanghai"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(_env("SECURE_COOKIES", "0")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "LOGIN_THROTTLE_AFTER": int(_env("LOGIN_THROTTLE_AFTER", "3")),
        "LOGIN_LOCK_AFTER": int(_env("LOGIN_LOCK_AFTER", "6")),
        "LOGIN_LOCK_MINUTES": int(_env("LOGIN_LOCK_MINUTES", "15")),
        "SOFFICE": _env("SOFFICE", "soffice"),
        "SOFFICE_TIMEOUT": int(_env("SOFFICE_TIMEOUT", "120")),
        "SOFFICE_WARM": _bool(_env("SOFFICE_WARM", "1")),  # a warm converter for bundles
        "CHECK_MIGRATIONS": _bool(_env("CHECK_MIGRATIONS", "1")),
        "ROSTER_MAX_ROWS": int(_env("ROSTER_MAX_ROWS", "20000")),
        "ROSTER_SECONDS": float(_env("ROSTER_SECONDS", "20")),
        "BACKUP_DIR": _env("BACKUP_DIR", ""),  # set: a nightly backup (server/backup.py)
        "BACKUP_KEEP": int(_env("BACKUP_KEEP", "7")),
        "SPOT_CHECK_PERCENT": int(_env("SPOT_CHECK_PERCENT", "30")),
        "RESERVE_LOW_YUAN": _env("RESERVE_LOW_YUAN", "2000"),  # reserve fund shown as low below
        "RECTIFICATION_DAYS": int(_env("RECTIFICATION_DAYS", "20")),  # working days
        "COMPLAINT_DAYS": int(_env("COMPLAINT_DAYS", "15")),  # working days
        "WTF_CSRF_TIME_LIMIT": None,
        # the public pages (notices room): requests per client address per window
        "PUBLIC_VIEWS_PER_10_MIN": int(_env("PUBLIC_VIEWS_PER_10_MIN", "120")),
        "PUBLIC_SUBMISSIONS_PER_HOUR": int(_env("PUBLIC_SUBMISSIONS_PER_HOUR", "5")),
        "PUBLIC_URL": _env("PUBLIC_URL", ""),  # printed on notices; else this server's address
    }
