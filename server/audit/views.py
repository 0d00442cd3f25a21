from flask import Blueprint, render_template

from ..auth.access import requires
from ..db import db
from ..params import page_arg
from ..regions.queries import scoped
from . import labels
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")

PAGE_SIZE = 100


@bp.route("/")
@requires("audit.view")
def index():
    page = page_arg()
    stmt = scoped(AuditEvent).order_by(AuditEvent.id.desc())
    events = db.session.scalars(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("audit/index.html", entries=labels.entries(events), page=page,
                           page_size=PAGE_SIZE)
