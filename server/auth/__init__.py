"""Users, roles, login and API tokens."""
from flask_babel import lazy_gettext as _l

from ..home import nav

nav.register(_l("User management"), "auth.users", "users.manage", order=90)
nav.register(_l("Change password"), "auth.change_password", "users.own_password", order=95)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
