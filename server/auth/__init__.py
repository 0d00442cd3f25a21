"""Users, roles, login and API tokens."""
from flask_babel import lazy_gettext as _l

from ..home import nav

nav.register(_l("Users"), "auth.users", "users.view", order=90)
