"""Marshmallow fields shared by the rooms' API schemas."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import fields


class UtcDateTime(fields.DateTime):
    """A stored naive UTC timestamp, dumped as RFC 3339 with its offset (the OpenAPI
    ``date-time`` format needs one)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def DecimalString(**kwargs) -> fields.Decimal:  # noqa: N802 (a field factory, used like a class)
    """A Decimal sent as a string ("600.00"), so no client turns money into floats; documented
    as a string, which is what the response holds."""
    metadata = {"type": "string", "format": "decimal", "example": "600.00",
                **kwargs.pop("metadata", {})}
    return fields.Decimal(as_string=True, metadata=metadata, **kwargs)
