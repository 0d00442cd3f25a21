"""Tried as a new user: a 低保 application accepted in 东风镇 just before National Day, run to
approval through the web pages; the deadline, the publicity dates and the amount are right."""
from __future__ import annotations

import re
from datetime import date

from server.cases.models import Case
from server.db import db


def _post(client, case, action, lock, **data):
    response = client.post(f"/cases/{case.id}/transition",
                           data={"action": action, "lock_version": lock, "confirm": "1", **data})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_db_application_before_national_day_to_approval(make, login, demo, survey_form):
    # accepted Wednesday 2026-09-30, the last working day before National Day
    case = make(accepted_on=date(2026, 9, 30), names=("王大山", "李秀英", "王小明"), income="200")
    clerk, approver = login("clerk"), login("approver")
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r'deadline-investigation_start">.*?<td class="due">2026-10-10</td>', page,
                     re.S), "investigation due on the make-up Saturday"
    assert re.search(r'deadline-total">.*?<td class="due">2026-11-03</td>', page, re.S)

    case = _post(clerk, case, "start_investigation", case.lock_version, effective_on="2026-10-08")
    ids = [str(demo.demo_user("clerk").id), str(demo.demo_user("village").id)]
    case = _post(clerk, case, "submit_for_decision", case.lock_version, effective_on="2026-10-10",
                 investigators=ids, is_home_visit="1", **survey_form)
    page = approver.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "(600.00 − 200.00) × 3 = 1200.00 元/月" in page  # preview before deciding
    case = _post(approver, case, "approve", case.lock_version, effective_on="2026-10-12")
    assert (case.publicity_start_on, case.publicity_end_on) == (date(2026, 10, 12),
                                                                date(2026, 10, 18))
    case = _post(approver, case, "confirm", case.lock_version, effective_on="2026-10-19")
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.state == "confirmed" and case.monthly_amount_fen == 120000
    assert case.payment_start_month == date(2026, 11, 1)
    assert '<dd id="publicity">2026-10-12 — 2026-10-18</dd>' in page
    assert '<dd id="payment-start">2026-11</dd>' in page
    assert "1200.00 元/月" in page and "东风镇首席代表" in page and "东风村协理员" in page
    # total limit: 20 working days from 09-30 = 11-03, plus the 5 publicity working days
    assert re.search(r'deadline-total">.*?<td class="due">2026-11-10</td>.*?2026-10-19', page,
                     re.S)
    assert case.standard_version_id is not None
