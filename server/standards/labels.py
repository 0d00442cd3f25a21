"""How the audit trail names the standards room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import StandardSet

labels.actions({"standards.create": _l("Standards version created")})
labels.objects(StandardSet=labels.ObjectKind(_l("Standards version"),
                                             labels.named(StandardSet, "effective_from")))

# the inputs of an amount calculation (stored on the case as ``amount_inputs``)
METHOD_LABELS = {"gap": _l("Gap to the standard"), "bands": _l("Bands by gap")}
labels.fields(
    {
        "standard": _l("Standard"), "per_capita_income": _l("Monthly income per person"),
        "persons": _l("Persons covered"), "method": _l("Method"), "minimum": _l("Minimum amount"),
        "tk_basic": _l("Basic living amount"), "care": _l("Care amount"),
        "requested": _l("Requested amount"), "township_cap": _l("Township cap"),
        "max": _l("Maximum amount"), "factor": _l("Factor"), "limit": _l("Income limit"),
        "db_eligible": _l("Eligible for dibao"), "standard_label": _l("Standard used"),
        "notes": _l("Notes"),
    },
    method=lambda v: str(METHOD_LABELS.get(v, v)),
)
