"""Demo: last month's filing of 东风镇, built (a draft to reconcile and submit)."""
from __future__ import annotations

from flask import current_app

from .. import demo


def demo_filing(force: bool = False):
    """Build last month's draft for 东风镇. Skipped under tests (it writes files) unless forced."""
    if current_app.testing and not force:
        return None
    from ..periods import add_months, local_today, month_of
    from ..regions.queries import region_by_code
    from .operations import build, filing_for

    township = region_by_code("220999101000")
    if township is None:
        return None
    filing = filing_for(township, add_months(month_of(local_today()), -1))
    return build(filing)


demo.register(demo_filing)
