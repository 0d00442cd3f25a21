"""How the audit trail names the standards room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import StandardSet

labels.actions({"standards.create": _l("Standards version created")})
labels.objects(StandardSet=labels.ObjectKind(_l("Standards version"),
                                             labels.named(StandardSet, "effective_from")))
