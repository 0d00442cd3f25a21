"""Evaluation variables from the standards room: the county's current 低保标准 and factors,
and the named standard values a schema declares.

Registered as an engine variable provider; a schema's own defaults apply where no standard is
in force. The category (urban/rural) is that of the user's township or village.
"""
from __future__ import annotations

from ..periods import local_today
from .engine import register_standard_values_resolver, register_variable_provider


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


@register_standard_values_resolver
def named_standard_values(user, names, context, today) -> tuple[dict, dict]:
    """The county's named values: of the version a decision pinned
    (``context["standard_version_id"]``), else of the version in force on ``today`` for the
    user's county. A name the version lacks (or no version at all) is a message."""
    from ..standards.queries import NoStandard, UnknownStandardValue, named_value, version_for

    version = context.get("standard_version_id")
    region = getattr(user, "region", None) if getattr(user, "is_authenticated", True) else None
    if version is None and region is None:
        return {}, {}
    try:
        row = version_for(today, region, version=version)
    except NoStandard as exc:
        return {}, dict.fromkeys(names, str(exc))
    found, missing = {}, {}
    for name in names:
        try:
            found[name] = named_value(row, name)
        except UnknownStandardValue as exc:
            missing[name] = str(exc)
    return found, missing
