"""The append-only, hash-chained audit trail."""
from flask_babel import lazy_gettext as _l

from ..home import nav

nav.register(_l("Audit log"), "audit.index", "audit.view", order=95)
