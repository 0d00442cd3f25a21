"""County supervision (联管联评): the 备案 register of township decisions and the monthly
spot-check draw. The highest room: it reads cases, documents and filings; none imports it."""
from flask_babel import lazy_gettext as _l

from ..home import nav

nav.register(_l("Decision register"), "supervision.register", "supervision.view", order=75)
nav.register(_l("Spot checks"), "supervision.draws", "supervision.view", order=76)
