"""Supervision pages: the 备案 register, the spot-check draws (list, draw, printout)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from .. import idnumber
from ..auth.access import requires
from ..filings.periods import label
from ..params import BadParameter, id_arg, month_arg
from ..periods import add_months, local_today, month_of
from ..regions.models import Region
from ..regions.queries import get_scoped_or_404
from ..relief import RELIEF_TYPES, ReliefCode
from . import queries
from .registry import DECISION_LABELS

bp = Blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")


def _month(source=None):
    return month_arg("month", month_of(local_today()), source=source)


def register_filters(source) -> dict:
    """The register's filters from a query string: month, township, relief type, decision."""
    township_id = id_arg("township_id", source)
    relief_type = (source.get("relief_type") or "").strip()
    kind = (source.get("decision") or "").strip()
    if relief_type and relief_type not in ReliefCode.__members__:
        raise BadParameter("relief_type", "救助类别无效")
    if kind and kind not in DECISION_LABELS:
        raise BadParameter("decision", "决定类型无效")
    return {"month": _month(source), "relief_type": relief_type, "kind": kind,
            "township": get_scoped_or_404(Region, township_id) if township_id else None}


@bp.route("/register")
@requires("supervision.view")
def register():
    filters = register_filters(request.args)
    month = filters.pop("month")
    rows = queries.register(month, **filters)
    towns = queries.townships()
    shown = [filters["township"]] if filters["township"] else towns
    return render_template("supervision/register.html", rows=rows, month=month,
                           label=label(month), prev=add_months(month, -1),
                           next=add_months(month, 1), towns=towns, filters=filters,
                           summary=queries.register_summary(rows, shown),
                           kinds=DECISION_LABELS, relief_types=RELIEF_TYPES, mask=idnumber.mask)
