"""How the audit trail names the items room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import ReliefItem


def _names(codes: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from ..db import db

    rows = db.session.execute(select(ReliefItem.code, ReliefItem.name)
                              .where(ReliefItem.code.in_(codes)))
    return {code: f"{name}（{code}）" for code, name in rows}


labels.actions({"item.create": _l("Relief item created"),
                "item.update": _l("Relief item changed"),
                "item.sync": _l("Shipped relief items updated from the items file")})
labels.objects(ReliefItem=labels.ObjectKind(_l("Relief item"), _names))
FAMILY_LABELS = {"recognition": _l("Recognition only"), "monthly": _l("Monthly payment"),
                 "one_off": _l("One-off payment"), "care": _l("Monthly support with care levels")}
UNIT_LABELS = {"household": _l("Per household"), "person": _l("Per person")}
labels.fields({"codes": _l("Codes"), "code": _l("Item code"), "family": _l("Procedure family")},
              family=lambda v: str(FAMILY_LABELS.get(v, v)))
