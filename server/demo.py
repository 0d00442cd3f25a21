"""A deterministic demo county. Rooms add their own demo content with ``register``."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select

from .auth.models import User
from .auth.operations import create_user
from .auth.roles import Role
from .db import db
from .regions.models import Region, UrbanRural
from .regions.operations import level_of

DEMO_PASSWORD = "Jiuzhu@2026"

COUNTY = ("220999000000", "九州示范县", None, UrbanRural.rural)
REGIONS = [
    COUNTY,
    ("220999001000", "城关街道", "220999000000", UrbanRural.urban),
    ("220999001001", "和平社区", "220999001000", UrbanRural.urban),
    ("220999001002", "新华社区", "220999001000", UrbanRural.urban),
    ("220999001003", "北苑社区", "220999001000", UrbanRural.urban),
    ("220999101000", "东风镇", "220999000000", UrbanRural.rural),
    ("220999101201", "东风村", "220999101000", UrbanRural.rural),
    ("220999101202", "红旗村", "220999101000", UrbanRural.rural),
    ("220999101203", "前进村", "220999101000", UrbanRural.rural),
    ("220999201000", "太平乡", "220999000000", UrbanRural.rural),
    ("220999201201", "太平村", "220999201000", UrbanRural.rural),
    ("220999201202", "长胜村", "220999201000", UrbanRural.rural),
    ("220999201203", "永安村", "220999201000", UrbanRural.rural),
]
USERS = [
    ("admin", "县民政局管理员", Role.county_admin, "220999000000"),
    ("supervisor", "县民政局监管员", Role.county_supervisor, "220999000000"),
    ("clerk", "东风镇经办员", Role.township_clerk, "220999101000"),
    ("approver", "东风镇首席代表", Role.township_approver, "220999101000"),
    ("village", "东风村协理员", Role.village_assistant, "220999101201"),
    ("clerk2", "太平乡经办员", Role.township_clerk, "220999201000"),
    ("clerk3", "城关街道经办员", Role.township_clerk, "220999001000"),
]

STEPS: list[Callable[[], None]] = []


def register(step: Callable[[], None]) -> Callable[[], None]:
    """Add a demo step (runs after regions and users exist, in registration order)."""
    STEPS.append(step)
    return step


def is_empty() -> bool:
    return not db.session.scalar(select(func.count(Region.id)))


def load() -> list[tuple[str, str, str]]:
    """Create the demo county; returns the ``logins`` rows for printing."""
    by_code = {}
    for code, name, parent, urban_rural in REGIONS:
        region = Region(code=code, name=name, level=level_of(code), urban_rural=urban_rural,
                        parent=by_code.get(parent))
        db.session.add(region)
        by_code[code] = region
    db.session.flush()
    for username, display, role, code in USERS:
        create_user(username, display, DEMO_PASSWORD, role, by_code[code])
    db.session.flush()
    for step in STEPS:
        step()
    return logins()


def logins() -> list[tuple[str, str, str]]:
    """The demo users still there and active: (username, name, region) rows for printing."""
    order = [username for username, *_ in USERS]
    users = db.session.scalars(select(User).where(User.username.in_(order),
                                                  User.is_active_user)).all()
    users.sort(key=lambda user: order.index(user.username))
    return [(user.username, user.display_name, user.region.full_name) for user in users]


def demo_user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()
