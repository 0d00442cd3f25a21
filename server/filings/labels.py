"""How the audit trail names the filings room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import Filing

labels.actions({
    "filing.build": _l("Monthly filing built"),
    "filing.reconcile": _l("Bank result reconciled"),
    "filing.explain": _l("Difference explained"),
    "filing.submit": _l("Monthly filing submitted"),
    "filing.reopen": _l("Monthly filing reopened"),
    "filing.accept": _l("Monthly filing accepted"),
    "filing.return": _l("Monthly filing returned"),
    "filing.settings": _l("Filing calendar changed"),
})
labels.objects(
    Filing=labels.ObjectKind(_l("Monthly filing"), labels.named(Filing, "month")),
    FilingSettings=labels.ObjectKind(_l("Filing calendar")),
)
