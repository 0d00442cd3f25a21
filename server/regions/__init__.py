"""Regions: the county → township → village tree and the scoping every read goes through."""
from flask_babel import lazy_gettext as _l

from ..home import nav
from .models import RegionLevel, UrbanRural

LEVEL_LABELS = {RegionLevel.county: _l("County"), RegionLevel.township: _l("Township"),
                RegionLevel.village: _l("Village")}
URBAN_RURAL_LABELS = {UrbanRural.urban: _l("Urban"), UrbanRural.rural: _l("Rural")}

nav.register(_l("Regions"), "regions.index", "regions.view", order=80)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
