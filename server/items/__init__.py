"""Relief items (救助项目): the items every room keys on, as rows of ``relief_item``.

The shipped items come from ``forms/items.yaml`` (seeded by migration 0024, kept equal to the
file by ``jiuzhu db upgrade``); a county adds its own through the API (unpublished until a
later publish step). Other rooms keep using ``server.relief`` (``RELIEF_TYPES``, ``item``,
``codes_where``), which serves the published rows through the hook registered here.
"""
from flask_babel import lazy_gettext as _l

from ..home import nav
from ..relief import serve_items_from
from .queries import items_in_force

serve_items_from(items_in_force)
nav.register(_l("Relief items"), "items.index", "items.manage", order=62)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
