"""A small rate limiter for the public pages: counts per client address and time window in
the database, so every thread and process of the server shares it.

The address is kept only as a keyed hash. A hit is committed at once (in its own
transaction, before the view runs), so a request that then fails still counts."""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from ..db import db, locked_row
from .models import RateCounter


class RateLimited(Exception):
    """Too many requests from this address; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(_l("Too many requests: try again later"))
        self.retry_after = retry_after


def client_key() -> str:
    """A keyed hash of the client's address (the IP is never stored)."""
    address = request.remote_addr or "unknown"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def hit(scope: str, limit: int, seconds: int) -> None:
    """Count one request of this client in ``scope``; raise RateLimited past ``limit`` per
    window of ``seconds``. Commits the count (and drops the client's older windows)."""
    now = time.time()
    window = int(now // seconds)
    client = client_key()
    row = locked_row(RateCounter, scope=scope, client=client, window=window)
    row.count = (row.count or 0) + 1
    count = row.count
    db.session.execute(delete(RateCounter).where(
        RateCounter.scope == scope, RateCounter.client == client, RateCounter.window < window))
    db.session.commit()
    if count > limit:
        raise RateLimited(int((window + 1) * seconds - now) + 1)
