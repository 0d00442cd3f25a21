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


# Recipients per demo township in the oldest demo month; later months add or lose a few.
HISTORY = {"220999101000": 40, "220999201000": 25, "220999001000": 32}
MONTHLY_FEN = 48_000  # about 480 元 a person a month


def demo_history(force: bool = False):
    """Eleven past months (before last month) of accepted filings of every demo township, with
    their recipients and amounts only, so the county's charts have a year to draw. The files
    and statistics of those months are not built. Skipped under tests unless forced."""
    if current_app.testing and not force:
        return
    from datetime import datetime

    from ..db import db
    from ..periods import add_months, local_today, month_of, to_utc
    from ..regions.queries import region_by_code
    from .models import Filing, FilingStatus

    last = add_months(month_of(local_today()), -2)
    for n, (code, base) in enumerate(HISTORY.items()):
        township = region_by_code(code)
        if township is None:
            continue
        for back in range(11):
            month = add_months(last, -back)
            count = base + (back * (n + 2)) % 5 - back // 3
            late = (back + n) % 4 == 0  # one month in four filed after the 20th
            db.session.add(Filing(
                region_id=township.id, month=month, status=FilingStatus.accepted,
                roster_count=count, roster_total_fen=count * MONTHLY_FEN,
                submitted_at=to_utc(datetime(month.year, month.month, 23 if late else 17, 10)),
                reviewed_at=to_utc(datetime(month.year, month.month, 25, 10))))
    db.session.flush()


demo.register(demo_history)
