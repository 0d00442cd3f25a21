"""Bearer-token authentication for the API (never the session cookie)."""
from __future__ import annotations

from flask import g, request

from ..params import accept_language


def authenticate_bearer() -> bool:
    from ..auth.operations import user_by_token
    from ..db import db

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    user = user_by_token(token.strip())
    if user is None:
        return False
    db.session.commit()  # last_used_at
    g._login_user = user  # Flask-Login's slot for current_user, without touching the session
    g.api_locale = accept_language()
    return True
