"""How the audit trail names the supervision room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import SpotCheckDraw

labels.actions({
    "supervision.draw": _l("Spot checks drawn"),
    "supervision.assign": _l("Spot check assigned"),
})
labels.objects(SpotCheckDraw=labels.ObjectKind(_l("Spot-check draw"),
                                               labels.named(SpotCheckDraw, "month")))
