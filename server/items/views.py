"""The county admin's list of relief items: the shipped ones and the county's own."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.access import requires
from . import queries
from .labels import FAMILY_LABELS, UNIT_LABELS

bp = Blueprint("items", __name__, url_prefix="/items", template_folder="templates")


@bp.route("/")
@requires("items.manage")
def index():
    return render_template("items/index.html", rows=queries.rows(current_user.region.county.id),
                           family_labels=FAMILY_LABELS, unit_labels=UNIT_LABELS)
