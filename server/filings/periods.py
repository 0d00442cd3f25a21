"""Months of payment and filing: parsing, labels and the UTC bounds of a local month.

The generic helpers (``month_of``, ``add_months``, ``local_today``) live in ``server.periods``."""
from __future__ import annotations

from datetime import date, datetime

from ..periods import add_months, to_utc
from ..periods import month_label as label  # noqa: F401  (the rooms' name for it)


def utc_bounds(month: date) -> tuple[datetime, datetime]:
    """The UTC instants (naive, as stored) where the local month starts and ends."""
    start = to_utc(datetime(month.year, month.month, 1))
    end = to_utc(datetime.combine(add_months(month, 1), datetime.min.time()))
    return start, end
