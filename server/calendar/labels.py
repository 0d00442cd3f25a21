"""How the audit trail names the calendar room's actions."""
from flask_babel import lazy_gettext as _l

from ..audit import labels

labels.actions({
    "calendar.add": _l("Holiday added"),
    "calendar.replace": _l("Holiday changed"),
    "calendar.delete": _l("Holiday deleted"),
    "calendar.import": _l("Holidays imported"),
})
