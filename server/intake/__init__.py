"""Intake: township clerks and village assistants take a household's application with the
county's published form, save it as a draft to continue later, and submit it as a case."""

from flask_babel import lazy_gettext as _l

from ..home import nav

nav.register(_l("Take an application"), "intake.index", "cases.intake", order=15)
