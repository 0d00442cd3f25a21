"""The county's pictures of the filings: recipients and amounts per township month by month,
and the share of filings on time, as server-rendered SVG (``server.charts``)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from .. import charts
from ..money import fen_to_yuan
from ..periods import add_months, month_of, to_local
from . import queries
from .operations import settings_for

MONTHS = 12


def filing_charts(user, last: date) -> list:
    """The charts over the twelve months ending with ``last`` (a month's first day)."""
    first = add_months(month_of(last), -(MONTHS - 1))
    months = [add_months(first, n) for n in range(MONTHS)]
    townships = queries.townships(user)
    filing_day = settings_for(user.region.county).filing_day
    count = {t.name: [None] * MONTHS for t in townships}
    amount = {t.name: [None] * MONTHS for t in townships}
    on_time = {t.id: [0, 0] for t in townships}  # on time, filed
    names = {t.id: t.name for t in townships}
    for region_id, month, recipients, fen, submitted_at in queries.filed_figures(first, last, user):
        if region_id not in names:
            continue
        i = months.index(month)
        count[names[region_id]][i] = recipients
        amount[names[region_id]][i] = float(fen_to_yuan(fen))
        on_time[region_id][1] += 1
        due = month.replace(day=filing_day)  # the filing day is 1–28 (settings)
        on_time[region_id][0] += submitted_at is not None and to_local(submitted_at).date() <= due
    labels = [f"{m:%Y-%m}" for m in months]
    ticks = [f"{m:%Y-%m}" if n == 0 or m.month == 1 else f"{m:%m}" for n, m in enumerate(months)]
    shares = [100 * done / filed if filed else None for done, filed in on_time.values()]
    return [
        charts.line_chart(_("Recipients per township"), labels, count, unit=_("people"), digits=0,
                          ticks=ticks),
        charts.line_chart(_("Amounts paid per township"), labels, amount, unit=_("yuan"), digits=0,
                          ticks=ticks),
        charts.bar_chart(_("Filings on time (last 12 months)"), list(names.values()), shares,
                         unit="%", digits=0, maximum=100),
    ]
