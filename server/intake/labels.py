"""How the audit trail names the intake room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import IntakeDraft, Upload

labels.actions({
    "intake.draft_save": _l("Application draft saved"),
    "intake.draft_delete": _l("Application draft deleted"),
    "intake.upload": _l("Material uploaded"),
})
labels.objects(
    IntakeDraft=labels.ObjectKind(_l("Application draft"), labels.named(IntakeDraft, "title")),
    Upload=labels.ObjectKind(_l("Uploaded material"), labels.named(Upload, "name")),
)
