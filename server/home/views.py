from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.access import requires
from .panels import panels_for

bp = Blueprint("home", __name__, template_folder="templates")


@bp.route("/")
@requires("home.view")
def index():
    return render_template("home/index.html", panels=panels_for(current_user))
