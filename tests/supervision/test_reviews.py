"""复核: the county reviews a township decision; the outcome takes effect on the case through
the workflow, prints a 复核决定书 and shows to the township on the case and its home page."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.db import db
from server.demo import demo_user
from server.documents.models import GeneratedDocument
from server.documents.operations import document_file
from server.documents.rendering import document_text
from server.filings.roster import expected_rows
from server.periods import add_months, local_today, month_of
from server.supervision import operations
from server.supervision.registry import METRICS

from ..conftest import region
from .conftest import walk

DONGFENG, TAIPING = "220999101000", "220999201000"


def paying_case(seed=41, village="220999101201", users=("clerk", "approver")):
    """A DB case decided in September and paid from October (months before today)."""
    from .conftest import decided

    case = decided(village, date(2026, 9, 1), date(2026, 9, 10), seed=seed, users=users)
    walk(case, [(users[1], "confirm", date(2026, 9, 17), {}),
                (users[0], "start_payment", date(2026, 9, 18), {})])
    db.session.commit()
    return case


def test_correcting_the_amount_takes_effect_next_month_prints_and_shows(login, api):
    case = paying_case()
    before = case.monthly_amount_fen
    supervisor = demo_user("supervisor")
    review = operations.open_review(case, "register", supervisor, source_ref=case.events[-1].id,
                                    reason="备案审查发现收入认定偏高")
    operations.decide_review(review, "correct_amount", "经复核，家庭收入认定有误", supervisor,
                             amount="950")
    db.session.commit()
    this_month = month_of(local_today())
    next_month = add_months(this_month, 1)
    assert case.amount_for(this_month) == before != 95000
    assert case.amount_for(next_month) == 95000
    township = region(DONGFENG)
    paid = {r.case_number: r.amount_fen for r in expected_rows(township, this_month)}
    assert paid[case.case_number] == before
    paid_next = {r.case_number: r.amount_fen for r in expected_rows(township, next_month)}
    assert paid_next[case.case_number] == 95000
    assert case.events[-1].action == "county_correct"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"supervision.review_open", "supervision.review_decide",
            "case.county_correct", "document.generate"} <= actions

    document = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.kind == "review_decision")).one()
    text = document_text(document_file(document).read_bytes())
    assert "社会救助复核决定书" in text and case.applicant_name in text
    assert "经复核，家庭收入认定有误" in text and "950.00" in text
    assert f"{next_month.year}年{next_month.month}月" in text
    assert "None" not in text and "{{" not in text

    clerk = login("clerk")
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/supervision/reviews/{review.id}" in page and "更正" in page
    home = clerk.get("/").get_data(as_text=True)
    assert "review-decisions" in home and case.case_number in home
    detail = clerk.get(f"/supervision/reviews/{review.id}").get_data(as_text=True)
    assert f"/documents/{document.id}/docx" in detail
    assert case.applicant_id_number not in detail
    assert clerk.get(f"/documents/{document.id}/docx").status_code == 200
    documents = clerk.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    assert "县级复核" in documents and "社会救助复核决定书" in documents
    # another township sees nothing of it
    other = login("clerk2")
    assert other.get(f"/supervision/reviews/{review.id}").status_code == 404
    assert case.case_number not in other.get("/supervision/reviews").get_data(as_text=True)
    client, headers = api("clerk2")
    assert client.get("/api/v1/supervision/reviews", headers=headers).json == []


def test_revoke_stops_the_case_and_uphold_changes_nothing(demo):
    supervisor = demo_user("supervisor")
    case = paying_case(seed=42)
    upheld = paying_case(seed=43)
    operations.decide_review(operations.open_review(upheld, "objection", supervisor),
                             "uphold", "原决定正确", supervisor)
    operations.decide_review(operations.open_review(case, "complaint", supervisor, source_ref=7),
                             "revoke", "隐瞒收入，不符合条件", supervisor)
    db.session.commit()
    assert case.state == "stopped" and case.payment_end_month == month_of(local_today())
    assert upheld.state == "paying" and upheld.events[-1].action == "start_payment"
    township = region(DONGFENG)
    figures = METRICS["review_corrections"].compute([township.id], date(2026, 1, 1),
                                                   date(2027, 12, 31))
    assert figures == {township.id: 1}  # the uphold does not count
    assert METRICS["review_corrections"].better == "lower"


def test_bad_review_input_is_refused_with_field_paths(demo):
    supervisor = demo_user("supervisor")
    case = paying_case(seed=44)
    review = operations.open_review(case, "finding", supervisor)
    db.session.commit()
    for outcome, findings, amount, path in (("nonsense", "x", None, "outcome"),
                                            ("uphold", "", None, "findings"),
                                            ("correct_amount", "x", "abc", "amount")):
        try:
            operations.decide_review(review, outcome, findings, supervisor, amount=amount)
        except operations.ReviewError as exc:
            assert exc.path == path, (outcome, exc.path)
        else:
            raise AssertionError(outcome)
        db.session.rollback()
    assert review.outcome is None and case.scheduled_amount_month is None
    operations.decide_review(review, "uphold", "原决定正确", supervisor)
    db.session.commit()
    try:  # decided once only
        operations.decide_review(review, "revoke", "改判", supervisor)
    except operations.ReviewError as exc:
        assert exc.path == "outcome"
    else:
        raise AssertionError("a review was decided twice")
    db.session.rollback()
    assert case.state == "paying"


def test_open_and_decide_from_the_pages_and_the_api(login, api):
    case = paying_case(seed=45)
    supervisor = login("supervisor")
    register = supervisor.get("/supervision/register?month=2026-09").get_data(as_text=True)
    assert "/supervision/reviews" in register and "open-review" in register
    response = supervisor.post("/supervision/reviews", data={
        "case_id": case.id, "source": "register", "reason": "抽查"})
    assert response.status_code == 302
    review_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = supervisor.post(f"/supervision/reviews/{review_id}/decide", data={
        "outcome": "reinvestigate", "findings": "入户情况与记录不符"})
    assert response.status_code == 302
    db.session.expire_all()
    assert "reinvestigate" in case.flags
    assert login("clerk").post("/supervision/reviews", data={
        "case_id": case.id, "source": "register"}).status_code == 403
    client, headers = api("supervisor")
    body = client.post("/api/v1/supervision/reviews", json={
        "case_id": case.id, "source": "nonsense"}, headers=headers)
    assert body.status_code == 422 and body.json["errors"][0]["path"] == "source"
    made = client.post("/api/v1/supervision/reviews", json={
        "case_id": case.id, "source": "objection"}, headers=headers)
    assert made.status_code == 201
    decided = client.post(f"/api/v1/supervision/reviews/{made.json['id']}/decision", json={
        "outcome": "correct_amount", "findings": "金额有误", "amount": "500"}, headers=headers)
    assert decided.status_code == 200, decided.json
    assert decided.json["outcome"] == "correct_amount" and decided.json["amount_fen"] == 50000
    township_view = api("clerk")
    listed = township_view[0].get("/api/v1/supervision/reviews", headers=township_view[1]).json
    assert {r["id"] for r in listed} == {review_id, made.json["id"]}
