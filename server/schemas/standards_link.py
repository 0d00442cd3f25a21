"""Evaluation variables from the standards room: the county's current 低保标准 and factors.

Registered as an engine variable provider; a schema's own defaults apply where no standard is
in force. The category (urban/rural) is that of the user's township or village.
"""
from __future__ import annotations

from ..periods import local_today
from .engine import register_variable_provider


@register_variable_provider
def standards_variables(user, relief_type) -> dict:
    if user is None or not getattr(user, "is_authenticated", True):
        return {}

    from ..standards.queries import standard_for

    region = user.region
    standard = standard_for(region.county.id, region.urban_rural.value, local_today())
    if standard is None:
        return {}
    return {"standard": standard.db_standard, "edge_factor": standard.by_factor,
            "township_cap_months": standard.ls_township_multiple}
