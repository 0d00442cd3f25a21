"""Home-page panels: each room registers what a role sees on its home page.

A panel is a template and a function giving its context; adding one is one ``register`` call
in the room that owns the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..auth.roles import Role


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    roles: frozenset[Role]
    context: Callable[[object], dict]
    order: int = 100


PANELS: dict[str, Panel] = {}


def register(name: str, template: str, roles, context: Callable[[object], dict], order: int = 100):
    PANELS[name] = Panel(name, template, frozenset(roles), context, order)


def panels_for(user) -> list[tuple[Panel, dict]]:
    chosen = sorted((p for p in PANELS.values() if user.role in p.roles), key=lambda p: p.order)
    return [(p, p.context(user)) for p in chosen]
