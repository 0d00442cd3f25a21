"""A filed (locked) month refuses payment changes until the filing is reopened (audited)."""
from __future__ import annotations

from datetime import date

import pytest

from server.cases.checks import CaseError
from server.cases.demo import investigated
from server.db import db
from server.filings import operations as filings
from server.regions.queries import region_by_code


@pytest.fixture
def paying(make, step):
    case = make(accepted_on=date(2026, 8, 3))
    step(case, "clerk", "start_investigation", date(2026, 8, 4))
    step(case, "clerk", "submit_for_decision", date(2026, 8, 10), **investigated())
    step(case, "approver", "approve", date(2026, 8, 11))
    step(case, "approver", "confirm", date(2026, 8, 18))
    step(case, "clerk", "start_payment", date(2026, 8, 19))
    return case


def test_change_in_filed_month_needs_reopen(paying, step, demo):
    filing = filings.filing_for(region_by_code("220999101000"), date(2026, 10, 1))
    filing.status = filing.status.__class__.submitted  # filed and locked
    db.session.commit()
    with pytest.raises(CaseError) as refused:
        step(paying, "clerk", "decrease", date(2026, 10, 20), amount="100", reason="收入增加")
    assert refused.value.errors()[0]["path"] == "effective_on"
    assert "锁定" in refused.value.errors()[0]["message"]
    db.session.rollback()
    before = paying.monthly_amount_fen
    filings.reopen(filing, "补录减发", demo.demo_user("approver"))
    db.session.commit()
    step(paying, "clerk", "decrease", date(2026, 10, 20), amount="100", reason="收入增加")
    assert paying.monthly_amount_fen == 10000 != before
