"""How the audit trail names the forms room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import SchemaVersion

labels.actions({
    "schemas.draft_created": _l("Form draft created"),
    "schemas.draft_updated": _l("Form draft saved"),
    "schemas.draft_discarded": _l("Form draft discarded"),
    "schemas.published": _l("Form version published"),
    "schemas.case_migrated": _l("Case moved to a newer form version"),
})
labels.objects(SchemaVersion=labels.ObjectKind(_l("Form version"),
                                               labels.named(SchemaVersion, "number")))
