"""Intake: township clerks and village assistants take a household's application with the
county's published form, save it as a draft to continue later, and submit it as a case."""

from flask_babel import lazy_gettext as _l

from ..home import nav

nav.register(_l("Take an application"), "intake.index", "cases.intake", order=15)


def _resolve_upload(user, upload_id: int):
    """File answers given as ``{"upload_id": n}`` resolve only to the user's region's uploads."""
    from .queries import upload_description

    return upload_description(user, upload_id)


def _register_upload_resolver():
    from ..schemas.engine import register_upload_resolver

    register_upload_resolver(_resolve_upload)


_register_upload_resolver()
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
