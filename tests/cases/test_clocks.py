"""Working-day clocks: National Day 2026 with its make-up Saturday, pauses, unknown years."""
from __future__ import annotations

from datetime import date

from server.cases import clocks
from server.cases.demo import investigated
from server.db import db


def _deadline(case, kind):
    return next(d for d in case.deadlines if d.kind == kind)


def test_clock_across_national_day_and_makeup_saturday(make):
    # Wednesday 2026-09-30: Oct 1–7 are off, Saturday Oct 10 is a make-up working day
    case = make(accepted_on=date(2026, 9, 30))
    assert _deadline(case, "investigation_start").due_on == date(2026, 10, 10)
    assert _deadline(case, "total").due_on == date(2026, 11, 3)
    assert case.due_on == date(2026, 10, 10)


def test_accepted_on_the_mid_autumn_holiday(make):
    # Friday 2026-09-25 is 中秋节: the clock starts counting on Monday 28th
    case = make(accepted_on=date(2026, 9, 25))
    assert _deadline(case, "investigation_start").due_on == date(2026, 9, 30)
    assert _deadline(case, "total").due_on == date(2026, 10, 29)


def test_awaiting_materials_and_publicity_pause_the_clock(make, step):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "request_materials", date(2026, 10, 8), missing="收入证明")
    assert case.state == "awaiting_materials"
    step(case, "clerk", "materials_received", date(2026, 10, 12))  # paused Oct 8–11: 3 wd
    assert case.state == "accepted"
    assert _deadline(case, "investigation_start").due_on == date(2026, 10, 14)
    assert _deadline(case, "total").due_on == date(2026, 11, 6)
    step(case, "clerk", "start_investigation", date(2026, 10, 12))
    step(case, "clerk", "submit_for_decision", date(2026, 10, 13), **investigated())
    step(case, "approver", "approve", date(2026, 10, 14))  # publicity Oct 14–20: 5 wd
    step(case, "approver", "confirm", date(2026, 10, 21))
    total = _deadline(case, "total")
    assert total.done_on == date(2026, 10, 21) and total.due_on == date(2026, 11, 13)


def test_extension_to_45_working_days(make, step):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "approver", "extend", date(2026, 10, 9), reason="案情复杂")
    total = _deadline(case, "total")
    assert total.length == 45 and total.due_on == date(2026, 12, 8)


def test_unknown_year_falls_back_with_a_warning(make, login):
    case = make(accepted_on=date(2027, 12, 20))
    assert _deadline(case, "total").due_on == date(2028, 1, 17)  # Mon–Fri only
    assert clocks.warnings(case) and "按周一至周五计算" in clocks.warnings(case)[-1]
    page = login("clerk").get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "2028 年节假日未录入" in page.get_data(as_text=True)
    home = login("clerk").get("/")
    assert home.status_code == 200


def test_views_report_status(make):
    case = make(accepted_on=date(2026, 9, 30))
    views = {v.kind: v for v in clocks.views(case, today=date(2026, 10, 9))}
    assert views["investigation_start"].status == "soon"
    assert views["total"].status == "ok"
    views = {v.kind: v for v in clocks.views(case, today=date(2026, 10, 12))}
    assert views["investigation_start"].status == "overdue"
    assert views["investigation_start"].remaining == -1
    db.session.rollback()
