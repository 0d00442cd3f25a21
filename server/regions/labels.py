"""How the audit trail names the regions room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import Region

labels.actions({"region.import": _l("Regions imported")})
labels.objects(Region=labels.ObjectKind(_l("Region"), labels.named(Region, "name")))
