from flask import Blueprint, render_template
from sqlalchemy import func, select

from ..auth.access import requires
from ..auth.models import User
from ..db import db
from .models import Region
from .queries import get_scoped_or_404, region_tree, scoped

bp = Blueprint("regions", __name__, url_prefix="/regions", template_folder="templates")


@bp.route("/")
@requires("regions.view")
def index():
    return render_template("regions/index.html", tree=region_tree())


@bp.route("/<int:region_id>")
@requires("regions.view")
def detail(region_id: int):
    region = get_scoped_or_404(Region, region_id)
    user_count = db.session.scalar(
        scoped(select(func.count(User.id)).select_from(User)).where(User.region_id == region.id)
    )
    return render_template("regions/detail.html", region=region, user_count=user_count)
