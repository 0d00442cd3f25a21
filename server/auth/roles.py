"""Roles and their permissions: the one table every permission check reads.

Adding a permission is adding a line here; views declare what they need with
``@requires("name")``.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..regions.models import RegionLevel


class Role(str, enum.Enum):
    county_admin = "county_admin"
    county_supervisor = "county_supervisor"
    township_clerk = "township_clerk"
    township_approver = "township_approver"
    village_assistant = "village_assistant"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def region_level(self) -> RegionLevel:
        """The level of region a user with this role is attached to."""
        return ROLE_LEVELS[self]


ROLE_LABELS = {
    Role.county_admin: _l("County administrator"),
    Role.county_supervisor: _l("County supervisor"),
    Role.township_clerk: _l("Township clerk"),
    Role.township_approver: _l("Township approver"),
    Role.village_assistant: _l("Village assistant"),
}

def role_label(value) -> str:
    """The label of a role as stored on events and users ("township_clerk"), else the text."""
    try:
        return str(ROLE_LABELS[Role(value)])
    except ValueError:
        return value or ""


ROLE_LEVELS = {
    Role.county_admin: RegionLevel.county,
    Role.county_supervisor: RegionLevel.county,
    Role.township_clerk: RegionLevel.township,
    Role.township_approver: RegionLevel.township,
    Role.village_assistant: RegionLevel.village,
}

ALL = frozenset(Role)
COUNTY = frozenset({Role.county_admin, Role.county_supervisor})
TOWNSHIP = frozenset({Role.township_clerk, Role.township_approver})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "home.view": ALL,
    "regions.view": ALL,
    "regions.manage": frozenset({Role.county_admin}),
    "users.view": frozenset({Role.county_admin, Role.township_clerk, Role.township_approver}),
    "users.manage": frozenset({Role.county_admin}),
    "users.own_password": ALL,
    "audit.view": COUNTY | TOWNSHIP,
    "schemas.view": ALL,
    "schemas.manage": frozenset({Role.county_admin}),
    "items.manage": frozenset({Role.county_admin}),
    "cases.view": ALL,
    "cases.intake": TOWNSHIP | {Role.village_assistant},
    "cases.process": TOWNSHIP,
    "cases.approve": frozenset({Role.township_approver}),
    "cases.county_decide": frozenset({Role.county_admin, Role.county_supervisor}),
    "cases.migrate": TOWNSHIP | {Role.county_admin},
    "standards.view": ALL,
    "standards.manage": frozenset({Role.county_admin}),
    "calendar.view": ALL,
    "calendar.manage": frozenset({Role.county_admin}),
    "registers.manage": COUNTY | TOWNSHIP,
    "workflows.manage": frozenset({Role.county_admin}),
    "documents.generate": TOWNSHIP | {Role.village_assistant},
    "templates.manage": frozenset({Role.county_admin}),
    "documents.office": TOWNSHIP | {Role.county_admin},
    "documents.delegate": frozenset({Role.county_admin}),
    "archives.manage": TOWNSHIP | COUNTY,
    "archives.configure": frozenset({Role.county_admin}),
    "filings.prepare": TOWNSHIP,
    "filings.review": COUNTY,
    "filings.view": COUNTY | TOWNSHIP,
    "filings.reopen": COUNTY | {Role.township_approver},
    "filings.configure": frozenset({Role.county_admin}),
    "roll.import": frozenset({Role.county_admin}),
    "roll.export": COUNTY | TOWNSHIP,
    "roll.configure": frozenset({Role.county_admin}),
    "supervision.view": COUNTY,
    "supervision.draw": frozenset({Role.county_supervisor}),
    "delegation.manage": frozenset({Role.county_admin}),
    "seals.view": COUNTY | {Role.township_approver},
    "window.view": COUNTY | TOWNSHIP,
    "window.register": TOWNSHIP,
    "window.configure": frozenset({Role.county_admin}),
    "supervision.evaluate": COUNTY,
    # 复核, meetings, the reserve fund: what a township sees of its own supervision
    "supervision.township": COUNTY | TOWNSHIP,
    "supervision.review": frozenset({Role.county_supervisor}),
    "supervision.meet": TOWNSHIP,
    "supervision.fund": COUNTY,
    "supervision.check": frozenset({Role.county_supervisor}),  # findings; close a rectification
    "supervision.rectifications": COUNTY | TOWNSHIP,
    "supervision.answer": TOWNSHIP,  # the township answers its rectification
    "supervision.upload": TOWNSHIP | {Role.county_supervisor},
    "supervision.complaints": COUNTY,  # never a township: complaints may be about its staff
    "notices.board": TOWNSHIP | {Role.village_assistant, Role.county_admin},
    "notices.reports": COUNTY,
    "notices.policy": frozenset({Role.county_admin}),
    "notices.answer": TOWNSHIP | COUNTY,
}


def holders(permission: str) -> str:
    """The labels of the roles that hold a permission, in role order (for settings pages)."""
    return "、".join(str(ROLE_LABELS[r]) for r in Role if r in PERMISSIONS.get(permission, ()))


def has_permission(role: Role, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}: add it to auth/roles.py") from None
