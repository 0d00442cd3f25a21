"""Sample objects for URL parameters, used by the access walk (test_access.py).

Each entry maps a URL parameter name to a function that returns an id of such an object
belonging to the given region (creating one if needed).
"""
from __future__ import annotations

from sqlalchemy import select

from server.auth.models import User
from server.auth.operations import create_user
from server.auth.roles import ROLE_LEVELS, Role
from server.db import db


def _region_id(region):
    return region.id


def _user_id(region):
    user = db.session.scalars(select(User).where(User.region_id == region.id)).first()
    if user is None:
        role = next(r for r in Role if ROLE_LEVELS[r] == region.level)
        user = create_user(f"sample{region.code}", "样例用户", "sample-pass-1", role, region)
        db.session.commit()
    return user.id


SAMPLES = {
    "region_id": _region_id,
    "user_id": _user_id,
}
