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
INLINE = 5  # links shown in the top bar; the rest fold under "More" so the bar stays one line


def register(label, endpoint: str, permission: str, order: int = 100) -> None:
    LINKS.append(NavLink(label, endpoint, permission, order))
    LINKS.sort(key=lambda link: link.order)


def links_for(user) -> list[dict]:
    """The user's links in order; ``inline`` marks the first few the top bar shows itself."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = [link for link in LINKS if user.can(link.permission)]
    # One folded link is no saving: show it inline instead of a "More" menu of one.
    inline = len(links) if len(links) <= INLINE + 1 else INLINE
    return [{"label": link.label, "url": url_for(link.endpoint), "inline": n < inline}
            for n, link in enumerate(links)]
