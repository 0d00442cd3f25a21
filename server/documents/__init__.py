"""Official documents: kinds, templates, sandboxed rendering, barcodes, PDF, provenance."""
from flask_babel import lazy_gettext as _l

from .. import demo
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
nav.register(_l("Seal-use log"), "documents.seals", "seals.view", order=47)
panels.register("documents", "documents/panel.html",
                {Role.township_clerk, Role.township_approver, Role.village_assistant,
                 Role.county_admin}, _panel, order=40)


DEMO_OFFICES = {
    "220999000000": ("九州示范县民政局", "0431-8100 1234", "九州示范县人民大街100号", "", ""),
    "220999001000": ("城关街道社会事务服务中心", "0431-8100 2001", "城关街道办事处一楼", "", ""),
    "220999101000": ("东风镇社会事务服务中心", "0431-8100 3001", "东风镇人民政府一楼便民服务大厅",
                     "0431-8100 3099", "东风镇纪委（镇政府二楼）"),
    "220999201000": ("太平乡社会事务服务中心", "0431-8100 4001", "太平乡人民政府一楼", "", ""),
}


@demo.register
def demo_offices():
    """Contact lines of the demo offices, so printed documents show real-looking numbers."""
    from ..db import db
    from ..regions.queries import region_by_code
    from .models import OfficeContact

    for code, (name, phone, address, objection_phone, objection_address) in DEMO_OFFICES.items():
        db.session.add(OfficeContact(region_id=region_by_code(code).id, office_name=name,
                                     phone=phone, address=address,
                                     objection_phone=objection_phone,
                                     objection_address=objection_address))
    db.session.flush()
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
