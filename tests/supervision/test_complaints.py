"""Complaints (举报) and hotline records: confidential complainants, never visible to the
township complained about, a complained case visited in full in the next draw, working-day
deadlines with overdue ones first, a public status by reference number."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.calendar.workdays import add_working_days
from server.db import db
from server.demo import demo_user
from server.periods import local_today
from server.supervision import operations, queries
from server.supervision.models import Complaint
from server.supervision.registry import METRICS

from ..archives.factories import make_case
from ..conftest import region

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
SECRET = "东风镇经办员收受好处费，给不符合条件的亲戚办了低保"


def _complain(client, **form):
    data = {"channel": "hotline_12345", "concerns": "staff", "content": SECRET,
            "staff_user_id": demo_user("clerk").id} | form
    return client.post("/supervision/complaints", data=data)


def test_anonymous_hotline_complaint_about_a_clerk_is_invisible_to_that_clerk(login, api,
                                                                             demo):
    supervisor = login("supervisor")
    response = _complain(supervisor)
    assert response.status_code == 302
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.township.code == "220999101000" and complaint.complainant_name == ""
    assert complaint.region.code == "220999000000"
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert SECRET in page and "匿名" in page and "12345" in page
    for username in ("clerk", "approver", "clerk2"):
        client = login(username)
        assert client.get("/supervision/complaints").status_code == 403
        assert client.get(f"/supervision/complaints/{complaint.id}").status_code == 403
        for url in ("/", "/audit/", "/supervision/rectifications"):
            text = client.get(url).get_data(as_text=True)
            assert SECRET not in text and complaint.reference not in text, (username, url)
        api_client, headers = api(username)
        assert api_client.get("/api/v1/supervision/complaints",
                              headers=headers).status_code == 403
        assert api_client.get(f"/api/v1/supervision/complaints/{complaint.id}",
                              headers=headers).status_code == 403
    # even reading it as a clerk through the one scoping helper finds nothing
    assert queries.complaints(demo_user("clerk")) == []
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.complaint")).one()
    assert audit.region_id == complaint.region_id and audit.details["anonymous"] is True


def test_complainant_is_masked_in_the_list_and_kept_out_of_the_audit(login, demo):
    supervisor = login("supervisor")
    _complain(supervisor, channel="hotline_12349", complainant_name="王小明",
              complainant_phone="13812345678")
    complaint = db.session.scalars(select(Complaint)).one()
    listed = supervisor.get("/supervision/complaints").get_data(as_text=True)
    assert "王**" in listed and "138****5678" in listed
    assert "王小明" not in listed and "13812345678" not in listed
    detail = supervisor.get(f"/supervision/complaints/{complaint.id}").get_data(as_text=True)
    assert "王小明" in detail and "13812345678" in detail
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.complaint")).one()
    assert "王小明" not in str(audit.details) and "13812345678" not in str(audit.details)


def test_complaint_about_a_case_makes_it_a_must_visit_of_the_next_draw(login, api, demo):
    supervisor = demo_user("supervisor")
    township = region("220999101000")
    older = make_case(start=date(2026, 1, 1))  # not a new recipient: only a must-visit
    make_case(start=MARCH)
    db.session.commit()
    client, headers = api("supervisor")
    response = client.post("/api/v1/supervision/complaints", headers=headers, json={
        "channel": "letter", "concerns": "case", "case_id": older.id,
        "content": "该户家中有两辆小汽车"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["township_id"] == township.id and body["status"] == "received"
    page = login("supervisor").get(f"/cases/{older.id}").get_data(as_text=True)
    assert "须 100% 入户核查" in page
    row = operations.draw(township, MARCH, supervisor)
    assert "complaint" in row.must_visit[str(older.id)]
    assert older.id in {c.case_id for c in row.checks}
    db.session.commit()
    # a redraw of the same month replaces that draw: the case is still due its visit
    again = operations.draw(township, MARCH, supervisor, reason="名单遗失")
    assert "complaint" in again.must_visit[str(older.id)]
    db.session.commit()
    # visited in a current draw after the complaint: the next month does not repeat it
    april = operations.draw(township, APRIL, supervisor)
    assert "complaint" not in april.must_visit.get(str(older.id), [])


def test_deadline_in_working_days_and_overdue_first(app, login, demo):
    supervisor = login("supervisor")
    _complain(supervisor, concerns="township", staff_user_id="",
              township_id=region("220999201000").id, content="太平乡窗口无人值守")
    late, fresh = db.session.scalars(select(Complaint)).one(), None
    county_id = region("220999000000").id
    assert late.due_on == add_working_days(local_today(), 15, county_id)
    app.config["COMPLAINT_DAYS"] = 5
    _complain(supervisor, content="第二件举报")
    fresh = db.session.scalars(select(Complaint).where(Complaint.id != late.id)).one()
    assert fresh.due_on == add_working_days(local_today(), 5, county_id)
    late.received_on, late.due_on = date(2026, 1, 5), date(2026, 1, 26)
    db.session.commit()
    assert [c.id for c in queries.complaints(demo_user("supervisor"))] == [late.id, fresh.id]
    listed = supervisor.get("/supervision/complaints").get_data(as_text=True)
    assert listed.index("太平乡窗口无人值守") < listed.index("第二件举报") and "已超期" in listed
    assert 'id="panel-complaints"' in login("supervisor").get("/").get_data(as_text=True)


def test_handling_answer_and_public_status(app, login, api, demo):
    complaint = operations.record_complaint(
        None, channel="online", concerns="case", content="冒领低保",
        case_id=make_case().id, complainant_phone="13900001111")
    db.session.commit()
    assert complaint.created_by_id is None
    with app.test_request_context():  # the public side asks inside its own request
        status = queries.public_status(complaint.reference.lower())
    assert status["status"] == "received" and status["status_label"] == "已受理"
    assert status["reply"] == "" and queries.public_status("JB-nothing") is None
    supervisor = login("supervisor")
    assert supervisor.post(f"/supervision/complaints/{complaint.id}/assign",
                           data={"handler_id": demo_user("clerk").id}).status_code == 302
    db.session.refresh(complaint)
    assert complaint.handler_id is None  # a township clerk never handles complaints
    supervisor.post(f"/supervision/complaints/{complaint.id}/assign",
                    data={"handler_id": demo_user("supervisor").id})
    with app.test_request_context():
        assert queries.public_status(complaint.reference)["status_label"] == "核查中"
    response = supervisor.post(f"/supervision/complaints/{complaint.id}/answer",
                               data={"findings": "入户核实，情况属实", "outcome": "",
                                     "reply": "经核查，已停发"})
    assert "请选择是否查实" in supervisor.get(response.headers["Location"]).get_data(
        as_text=True)
    client, headers = api("supervisor")
    answered = client.post(f"/api/v1/supervision/complaints/{complaint.id}/answer",
                           headers=headers, json={"findings": "入户核实，情况属实",
                                                  "outcome": "substantiated",
                                                  "reply": "经核查，举报属实，已停发"})
    assert answered.status_code == 200 and answered.json["outcome_label"] == "查实"
    with app.test_request_context():
        status = queries.public_status(complaint.reference)
    assert status["status"] == "answered" and status["reply"] == "经核查，举报属实，已停发"
    assert "冒领" not in str(status) and "139" not in str(status)
    count = METRICS["substantiated_complaints"]
    township = region("220999101000").id
    today = local_today()
    assert count.compute([township], today, today) == {township: 1}
    assert count.better == "lower" and count.unit == "count"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"supervision.complaint", "supervision.complaint_assign",
            "supervision.complaint_answer"} <= actions


def test_bad_input_is_refused_with_a_field(login, api, demo):
    supervisor = login("supervisor")
    response = _complain(supervisor, channel="fax")
    assert "举报渠道无效" in supervisor.get(response.headers["Location"]).get_data(as_text=True)
    response = _complain(supervisor, staff_user_id="")
    assert "请选择被举报的乡镇工作人员" in supervisor.get(
        response.headers["Location"]).get_data(as_text=True)
    client, headers = api("supervisor")
    response = client.post("/api/v1/supervision/complaints", headers=headers,
                           json={"channel": "visit", "concerns": "staff", "content": "x",
                                 "staff_user_id": demo_user("supervisor").id})
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "staff_user_id"
    response = client.post("/api/v1/supervision/complaints", headers=headers, json={})
    assert response.status_code == 422
    assert {e["path"] for e in response.json["errors"]} >= {"channel", "concerns", "content"}
    assert db.session.scalars(select(Complaint)).first() is None
    spec = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/supervision/complaints/{complaint_id}/answer" in spec
