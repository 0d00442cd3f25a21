"""Official documents: kinds, templates, sandboxed rendering, barcodes, PDF, provenance."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..home import nav, panels
from . import registry  # noqa: F401 - registers the document kinds


def _panel(user):
    from sqlalchemy import func, select

    from ..cases.models import Case
    from ..db import db
    from ..regions.queries import scoped
    from .queries import recent_jobs

    publicity = db.session.scalar(scoped(select(func.count(Case.id)).select_from(Case))
                                  .where(Case.state.in_(registry.PUBLICITY_STATES)))
    return {"jobs": recent_jobs(3), "publicity": publicity}


nav.register(_l("Documents"), "documents.index", "documents.generate", order=40)
nav.register(_l("Templates"), "documents.templates", "templates.manage", order=45)
panels.register("documents", "documents/panel.html",
                {Role.township_clerk, Role.township_approver, Role.village_assistant,
                 Role.county_admin}, _panel, order=40)
