"""Navigation links: each room registers its entry pages with the permission they need."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import LazyString


@dataclass(frozen=True)
class NavLink:
    label: LazyString | str
    endpoint: str
    permission: str
    order: int


LINKS: list[NavLink] = []


def register(label, endpoint: str, permission: str, order: int = 100) -> None:
    LINKS.append(NavLink(label, endpoint, permission, order))
    LINKS.sort(key=lambda link: link.order)


def links_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [{"label": link.label, "url": url_for(link.endpoint)}
            for link in LINKS if user.can(link.permission)]
