"""How the audit trail names the roll room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import RollImport

labels.actions({
    "roll.upload": _l("Roll file uploaded"),
    "roll.import": _l("Roll imported"),
    "roll.export": _l("Roll exported for the province"),
    "roll.mapping": _l("Export column layout changed"),
})
labels.objects(
    RollImport=labels.ObjectKind(_l("Roll import"), labels.named(RollImport, "filename")),
    RollMapping=labels.ObjectKind(_l("Export column layout")),
)
