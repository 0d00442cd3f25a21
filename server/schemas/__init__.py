"""Low-code intake form schemas: format, field types, rules, versions, builder.

The engine's public API is listed in ``server/schemas/engine.py``; versions are written by
``operations.py`` and read by ``queries.py``; ``wtf.py`` builds WTForms classes at runtime.
"""
from ..demo import register as _register_demo


@_register_demo
def _demo_forms():
    """Publish the shipped forms (forms/*.yaml) for the demo county."""
    from ..demo import COUNTY
    from ..regions.queries import region_by_code
    from .operations import sync_forms

    sync_forms(region_by_code(COUNTY[0]))


# registers the audit trail's labels and the standards variable provider
from . import labels, standards_link  # noqa: E402,F401
