"""一事一议 (county amount, joint meeting, township 会商), the 临时救助备用金 ledger and the
资金发放计划 built from the accepted filings."""
from __future__ import annotations

import io
from datetime import date

from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.cases.demo import investigated, make_case
from server.db import db
from server.demo import demo_user
from server.documents.rendering import document_text
from server.filings import operations as filing_ops
from server.filings.models import FilingStatus
from server.filings.roster import expected_rows
from server.supervision import operations, queries
from server.supervision.models import ReserveEntry

from ..conftest import region
from .conftest import walk
from .test_reviews import DONGFENG, paying_case

OCTOBER = date(2026, 10, 1)


def ls_in_county_queue(seed=51):
    """An LS case with 500 yuan of emergency aid, sent to the county (5000 above the cap)."""
    case = make_case("220999101201", "LS", names=("孙志强", "周丽"), income=None,
                     accepted_on=date(2026, 10, 12), seed=seed, creator=demo_user("clerk"))
    walk(case, [("clerk", "emergency_aid", date(2026, 10, 12), {"amount": "500"}),
                ("clerk", "start_investigation", date(2026, 10, 13), {}),
                ("clerk", "submit_for_decision", date(2026, 10, 14), investigated()),
                ("approver", "approve", date(2026, 10, 15), {"requested_amount": "5000"})])
    db.session.commit()
    assert case.state == "county_review"
    return case


def test_county_approves_its_own_amount_after_the_meetings(login, api):
    case = ls_in_county_queue()
    meeting = operations.record_meeting(region(DONGFENG), date(2026, 10, 15),
                                        ["张镇长", "李所长"], [case.id], demo_user("clerk"))
    db.session.commit()
    assert meeting.case_ids == [case.id]
    try:
        operations.record_meeting(region(DONGFENG), date(2026, 10, 15), ["张镇长"], [999999],
                                  demo_user("clerk"))
    except operations.DrawError as exc:
        assert exc.path == "case_ids"
    else:
        raise AssertionError("a case not in the county queue was sent up")
    db.session.rollback()
    page = login("supervisor").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "县级审批金额" in page and "联席会议决定" in page and "参会人员" in page
    client, headers = api("supervisor")
    response = client.post(f"/api/v1/cases/{case.id}/transitions", headers=headers, json={
        "action": "county_approve", "effective_on": "2026-10-16",
        "data": {"approved_amount": "4000", "meeting_on": "2026-10-16",
                 "attendees": "民政局长、财政局副局长、人社局副局长",
                 "meeting_decision": "经联席会议研究，同意给予临时救助4000元"}})
    assert response.status_code in (200, 201), response.json
    db.session.expire_all()
    assert case.state == "confirmed" and case.one_off_amount_fen == 400000
    data = case.events[-1].data
    assert data["meeting_decision"].startswith("经联席会议") and len(data["attendees"]) == 3
    assert data["township_amount_fen"] == 500000
    paid = {r.case_number: r.amount_fen for r in expected_rows(region(DONGFENG), OCTOBER)}
    assert paid[case.case_number] == 400000
    supervisor = demo_user("supervisor")
    review = operations.open_review(case, "complaint", supervisor)
    db.session.commit()
    try:  # a one-off payment has no monthly amount to correct from next month
        operations.decide_review(review, "correct_amount", "金额有误", supervisor, amount="100")
    except operations.ReviewError as exc:
        assert exc.path == "outcome" and "county_correct" not in str(exc)
    else:
        raise AssertionError("a one-off case got a monthly correction")
    db.session.rollback()
    clerk = login("clerk")
    page = clerk.get("/supervision/meetings").get_data(as_text=True)
    assert "张镇长、李所长" in page
    other, other_headers = api("clerk2")
    assert other.get("/api/v1/supervision/meetings", headers=other_headers).json == []


def test_reserve_fund_draws_top_ups_and_low_balance(login, api):
    township = region(DONGFENG)
    operations.top_up(township, "1000", demo_user("supervisor"), on=date(2026, 10, 1))
    db.session.commit()
    case = ls_in_county_queue(seed=52)
    entries = list(db.session.scalars(select(ReserveEntry).where(
        ReserveEntry.region_id == township.id).order_by(ReserveEntry.id)))
    assert [(e.kind, e.amount_fen, e.case_id) for e in entries] == [
        ("top_up", 100000, None), ("draw", -50000, case.id)]
    assert queries.balances(demo_user("supervisor"))[township.id] == 50000
    for user in ("clerk", "supervisor"):
        home = login(user).get("/").get_data(as_text=True)
        assert "reserve-low" in home and "东风镇" in home, user
    assert "东风镇" not in login("clerk2").get("/").get_data(as_text=True)  # its own only
    current_app.config["RESERVE_LOW_YUAN"] = "400"  # the threshold is a setting
    assert "reserve-low" not in login("clerk").get("/").get_data(as_text=True)
    current_app.config["RESERVE_LOW_YUAN"] = "not money"  # a mistyped one: the default
    assert queries.low_threshold_fen() == 200000
    current_app.config["RESERVE_LOW_YUAN"] = "2000"
    client, headers = api("supervisor")
    bad = client.post("/api/v1/supervision/reserve", headers=headers,
                      json={"township_id": township.id, "amount": "-5"})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "amount"
    made = client.post("/api/v1/supervision/reserve", headers=headers,
                       json={"township_id": township.id, "amount": "3000", "note": "季度拨付"})
    assert made.status_code == 201
    balances = {b["township_id"]: b for b in client.get("/api/v1/supervision/reserve",
                                                         headers=headers).json}
    assert balances[township.id] == {"township_id": township.id, "balance_fen": 350000,
                                     "is_low": False}
    assert "reserve-low" not in login("clerk").get("/").get_data(as_text=True)  # topped up
    assert login("clerk").post("/supervision/reserve", data={
        "township_id": township.id, "amount": "1"}).status_code == 403
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("supervision.reserve_%"))))
    assert sorted(actions) == ["supervision.reserve_draw", "supervision.reserve_top_up",
                               "supervision.reserve_top_up"]


def test_funding_plan_figures_equal_the_accepted_filing(login, api):
    paying_case(seed=53)
    ls = ls_in_county_queue(seed=54)
    walk(ls, [("supervisor", "county_approve", date(2026, 10, 16), {"approved_amount": "4000"})])
    township = region(DONGFENG)
    filing = filing_ops.filing_for(township, OCTOBER)
    filing_ops.build(filing)
    filing.status = FilingStatus.accepted  # submitted and accepted (the filings room's steps)
    db.session.commit()
    db_fen = filing.stats["types"]["DB"]["total"]["amount_fen"]
    ls_fen = filing.stats["ls"]["total"]["amount_fen"]
    assert db_fen > 0 and ls_fen == 400000
    client = login("supervisor")
    response = client.get("/supervision/funding-plan/file?format=xlsx&month=2026-10")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[1]
    dongfeng = next(r for r in rows if r[0] == "东风镇")
    taiping = next(r for r in rows if r[0] == "太平乡")
    assert dongfeng[1] == "已备案" and taiping[1].startswith("未备案")
    assert float(dongfeng[header.index("低保金额（元）")]) * 100 == db_fen
    assert float(dongfeng[header.index("临时救助金额（元）")]) * 100 == ls_fen
    assert float(dongfeng[-1]) * 100 == filing.roster_total_fen
    assert float(rows[-1][-1]) * 100 == db_fen + ls_fen + filing.stats["types"]["TK"][
        "total"]["amount_fen"]
    docx = client.get("/supervision/funding-plan/file?format=docx&month=2026-10")
    text = document_text(docx.data)
    assert "困难群众救助资金发放计划" in text and "东风镇" in text and "4,000.00" in text
    assert "None" not in text and "{{" not in text
    assert "资金发放计划" in client.get("/supervision/funding-plan?month=2026-10").get_data(
        as_text=True)
    api_client, headers = api("supervisor")
    plan = api_client.get("/api/v1/supervision/funding-plan?month=2026-10", headers=headers).json
    row = next(r for r in plan["rows"] if r["township"] == "东风镇")
    assert row["figures"]["LS"] == {"households": 1, "amount_fen": 400000}
    assert login("clerk").get("/supervision/funding-plan").status_code == 403
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "supervision.funding_plan"))


def test_township_records_its_meeting_on_the_page(login):
    case = ls_in_county_queue(seed=55)
    clerk = login("clerk")
    page = clerk.get("/supervision/meetings").get_data(as_text=True)
    assert case.case_number in page and case.applicant_id_number not in page
    response = clerk.post("/supervision/meetings", data={
        "held_on": "2026-10-15", "attendees": "张镇长、李所长，王站长", "case_ids": [case.id],
        "notes": "报县级联席会议"})
    assert response.status_code == 302
    assert "张镇长、李所长、王站长" in clerk.get("/supervision/meetings").get_data(as_text=True)
    empty = clerk.post("/supervision/meetings", data={"held_on": "2026-10-15",
                                                      "attendees": "", "case_ids": [case.id]},
                       follow_redirects=True)
    assert "请填写参会人员" in empty.get_data(as_text=True)
    assert clerk.post("/supervision/meetings", data={"held_on": "2026-13-45"}).status_code == 400
    assert "张镇长" in login("supervisor").get("/supervision/meetings").get_data(as_text=True)


def test_funding_plan_shows_the_months_spot_check_results(check, login):
    operations.record_finding(check, demo_user("supervisor"), visited_on=date(2026, 3, 20),
                              people_met="户主", problems=["wrong_amount"], notes="金额有误")
    db.session.commit()
    client = login("supervisor")
    sheet = load_workbook(io.BytesIO(client.get(
        "/supervision/funding-plan/file?format=xlsx&month=2026-03").data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[1]
    dongfeng = next(r for r in rows if r[0] == "东风镇")
    drawn = len(check.draw.checks)
    assert dongfeng[header.index("抽查户数")] == drawn >= 1
    assert dongfeng[header.index("已入户核查")] == 1
    assert dongfeng[header.index("发现问题户数")] == 1
    page = client.get("/supervision/funding-plan?month=2026-03").get_data(as_text=True)
    assert "发现问题" in page
