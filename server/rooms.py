"""The rooms (domain areas) whose blueprints the app registers, in order.

Each entry is a module path under ``server`` with a ``views.bp`` blueprint. Importing a room
also registers its nav links, home panels, field types, document kinds, tasks, …
"""
ROOMS = [
    "home",
    "auth",
    "regions",
    "audit",
    "items",
    "calendar",
    "standards",
    "schemas",
    "intake",
    "delegation",
    "cases",
    "documents",
    "archives",
    "filings",
    "roll",
    "supervision",
    "window",
    "notices",
]


def room_modules(kind: str) -> list:
    """Import ``server.<room>.<kind>`` for every room that has one (views, api, cli, tasks…)."""
    import importlib

    modules = []
    for room in ROOMS:
        name = f"{__package__}.{room}.{kind}"
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules
