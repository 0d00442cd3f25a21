"""Sections higher rooms add to the case page (archives: the case's archive number and link).

The cases room cannot import those rooms; they register a template and a context function
here instead. A context function answers None to leave its section out for this user.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: Callable[[object, object], dict | None]  # (case, user) -> context or None
    order: int = 100


SECTIONS: dict[str, Section] = {}


def register(name: str, template: str, context: Callable, order: int = 100) -> None:
    SECTIONS[name] = Section(name, template, context, order)


def sections_for(case, user) -> list[tuple[Section, dict]]:
    """The registered sections this user sees for this case, in order, with their context."""
    out = []
    for section in sorted(SECTIONS.values(), key=lambda s: s.order):
        ctx = section.context(case, user)
        if ctx is not None:
            out.append((section, ctx))
    return out
