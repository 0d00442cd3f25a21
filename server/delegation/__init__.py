"""The delegation ledger (赋权清单): which relief types each township decides under the county's
delegation, from which day, the seal custodian (首席代表) and the period.

A low room: the cases room asks ``queries.not_delegated_reason`` before a township decision,
and the documents room builds the 放权委托书 from ``queries``. The public list is
``/delegation/public`` (no login).
"""
from flask_babel import lazy_gettext as _l

from ..home import nav
from . import demo  # noqa: F401  (registers the demo step)

nav.register(_l("Delegation"), "delegation.index", "delegation.manage", order=58)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
