"""How the audit trail names the delegation ledger's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import DelegatedItem, DelegationTerms

labels.actions({
    "delegation.grant": _l("Item delegated to the township"),
    "delegation.withdraw": _l("Delegation withdrawn"),
    "delegation.terms": _l("Delegation terms changed"),
})
labels.objects(
    DelegatedItem=labels.ObjectKind(_l("Delegated item"), labels.named(DelegatedItem, "relief_type")),
    DelegationTerms=labels.ObjectKind(_l("Delegation terms"),
                                      labels.named(DelegationTerms, "letter_number")),
)
