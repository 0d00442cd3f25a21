"""Check findings and rectification (整改): a problem found on a home visit opens a township
rectification with a working-day deadline; the township answers with proof, the county
closes or returns it; overdue ones show on both home pages; evidence is checked by content."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.calendar.workdays import add_working_days
from server.db import db
from server.demo import demo_user
from server.periods import local_today
from server.supervision import operations
from server.supervision.models import CheckFinding, Evidence, Rectification, SpotCheckDraw
from server.supervision.registry import METRICS

from ..conftest import region

MARCH = date(2026, 3, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
FAKE_PDF = b"%PDF-1.7\nnot really a pdf\n"


def _finding(client, check, problems=("wrong_amount",), files=(), **form):
    data = {"visited_on": "2026-03-20", "people_met": "户主本人及其配偶",
            "problems": list(problems), "notes": "月保障金按 3 人计算，实际 2 人"} | form
    if files:
        data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/supervision/checks/{check.id}/finding", data=data,
                       content_type="multipart/form-data")


def _rect() -> Rectification:
    return db.session.scalars(select(Rectification)).one()


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("supervision.%")).order_by(AuditEvent.id)))


def test_wrong_amount_opens_a_rectification_answered_and_closed(login, check):
    supervisor = login("supervisor")
    response = _finding(supervisor, check, files=[("入户照片.png", PNG)])
    assert response.status_code == 302
    finding = db.session.scalars(select(CheckFinding)).one()
    assert finding.problems == ["wrong_amount"] and finding.visited_on == date(2026, 3, 20)
    assert [e.upload.kind for e in finding.evidence] == ["png"]
    rect = _rect()
    today = local_today()
    county_id = region("220999000000").id
    assert rect.state == "open" and rect.region.code == "220999101000"
    assert rect.due_on == add_working_days(today, 20, county_id) and rect.case_id == check.case_id
    page = supervisor.get(f"/supervision/checks/{check.id}").get_data(as_text=True)
    assert "金额有误" in page and "户主本人及其配偶" in page

    clerk = login("clerk")
    assert "金额有误" in clerk.get("/supervision/rectifications").get_data(as_text=True)
    response = clerk.post(f"/supervision/rectifications/{rect.id}/answer",
                          data={"text": "已按 2 人重新核定金额，自下月起调整",
                                "proof": [(io.BytesIO(PNG + b"proof"), "调整审批表.png")]},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(rect)
    assert rect.state == "answered" and rect.steps[0].kind == "answer"
    assert rect.steps[0].evidence[0].upload.region.code == "220999101000"
    proof = rect.steps[0].evidence[0]
    with supervisor.get(f"/supervision/evidence/{proof.id}") as download:
        assert download.data == PNG + b"proof" and download.mimetype == "image/png"
    assert login("clerk2").get(f"/supervision/evidence/{proof.id}").status_code == 404
    # the township cannot close its own rectification
    assert clerk.post(f"/supervision/rectifications/{rect.id}/close").status_code == 403

    page = supervisor.get(f"/supervision/rectifications/{rect.id}").get_data(as_text=True)
    assert "已按 2 人重新核定金额" in page and "乡镇已答复，待县级审核" in page
    assert supervisor.post(f"/supervision/rectifications/{rect.id}/close",
                           data={"text": "整改到位"}).status_code == 302
    db.session.refresh(rect)
    assert rect.state == "closed" and rect.closed_on == today
    assert _actions()[-4:] == ["supervision.finding", "supervision.rectification_open",
                               "supervision.rectification_answer",
                               "supervision.rectification_close"]
    # a finding is recorded once
    assert "已记录核查结果" in supervisor.get(
        _finding(supervisor, check).headers["Location"]).get_data(as_text=True)
    assert len(db.session.scalars(select(CheckFinding)).all()) == 1


def test_returned_rectification_is_answered_again(login, check):
    supervisor, clerk = login("supervisor"), login("clerk")
    _finding(supervisor, check, problems=("missing_material", "procedure_error"))
    rect = _rect()
    assert rect.problems == ["missing_material", "procedure_error"]
    clerk.post(f"/supervision/rectifications/{rect.id}/answer", data={"text": "已补齐"})
    # returning needs a reason
    response = supervisor.post(f"/supervision/rectifications/{rect.id}/return", data={})
    assert "退回时请写明理由" in supervisor.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(rect)
    assert rect.state == "answered"
    supervisor.post(f"/supervision/rectifications/{rect.id}/return",
                    data={"text": "缺少村民代表评议记录"})
    db.session.refresh(rect)
    assert rect.state == "returned"
    page = clerk.get(f"/supervision/rectifications/{rect.id}").get_data(as_text=True)
    assert "缺少村民代表评议记录" in page and "已退回乡镇" in page
    clerk.post(f"/supervision/rectifications/{rect.id}/answer", data={"text": "已补评议记录"})
    db.session.refresh(rect)
    assert rect.state == "answered" and [s.kind for s in rect.steps] == [
        "answer", "return", "answer"]
    assert "supervision.rectification_return" in _actions()


def test_correct_finding_opens_nothing_and_a_choice_is_required(login, check):
    supervisor = login("supervisor")
    response = _finding(supervisor, check, problems=())
    assert "请选择核查结论" in supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(CheckFinding)).first() is None
    _finding(supervisor, check, problems=(), correct="1")
    assert db.session.scalars(select(CheckFinding)).one().problems == []
    assert db.session.scalars(select(Rectification)).first() is None
    assert "核查无误" in supervisor.get(f"/supervision/checks/{check.id}").get_data(as_text=True)


def test_fake_pdf_evidence_is_refused_in_chinese_and_nothing_is_written(login, api, check):
    supervisor = login("supervisor")
    response = _finding(supervisor, check, files=[("走访记录.pdf", FAKE_PDF)])
    page = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "走访记录.pdf" in page and "PDF 文件已损坏或无法读取" in page
    assert db.session.scalars(select(CheckFinding)).first() is None
    assert db.session.scalars(select(Rectification)).first() is None
    response = _finding(supervisor, check, files=[("照片.pdf", b"GIF89a not an image")])
    assert "文件内容不是" in supervisor.get(response.headers["Location"]).get_data(as_text=True)
    client, headers = api("supervisor")
    response = client.post("/api/v1/supervision/uploads", headers=headers,
                           data={"file": (io.BytesIO(FAKE_PDF), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and response.json["errors"][0]["path"] == "file"
    assert "PDF" in response.json["errors"][0]["message"]
    assert db.session.scalars(select(Evidence)).first() is None


def test_overdue_rectification_shows_on_both_home_pages(login, check):
    supervisor = login("supervisor")
    _finding(supervisor, check)
    rect = _rect()
    assert 'id="panel-rectifications"' in login("clerk").get("/").get_data(as_text=True)
    rect.due_on = date(2026, 4, 1)
    db.session.commit()
    case_number = rect.case.case_number
    for username in ("supervisor", "clerk", "approver"):
        page = login(username).get("/").get_data(as_text=True)
        assert 'id="panel-rectifications"' in page and "已超期" in page, username
        assert case_number in page
    other = login("clerk2").get("/").get_data(as_text=True)  # 太平乡
    assert case_number not in other
    listed = supervisor.get("/supervision/rectifications").get_data(as_text=True)
    assert "已超期" in listed


def test_api_records_a_finding_and_the_township_answers(api, check):
    supervisor, headers = api("supervisor")
    upload = supervisor.post("/api/v1/supervision/uploads", headers=headers,
                             data={"file": (io.BytesIO(PNG), "photo.png")},
                             content_type="multipart/form-data").json
    bad = supervisor.post(f"/api/v1/supervision/checks/{check.id}/finding", headers=headers,
                          json={"visited_on": "2026-03-20", "people_met": "户主",
                                "problems": ["nonsense"]})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "problems"
    response = supervisor.post(f"/api/v1/supervision/checks/{check.id}/finding",
                               headers=headers, json={
                                   "visited_on": "2026-03-20", "people_met": "户主",
                                   "problems": ["income_understated"],
                                   "upload_ids": [upload["id"]]})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["finding"]["problems"] == ["income_understated"]
    assert body["finding"]["evidence"][0]["upload_id"] == upload["id"]
    rect_id = body["rectification_id"]
    clerk, clerk_headers = api("clerk")
    listed = clerk.get("/api/v1/supervision/rectifications", headers=clerk_headers).json
    assert [r["id"] for r in listed] == [rect_id] and listed[0]["state_label"] == "待乡镇整改"
    # the supervisor's upload belongs to the county: the township cannot reference it
    refused = clerk.post(f"/api/v1/supervision/rectifications/{rect_id}/answer",
                         headers=clerk_headers, json={"text": "已整改",
                                                      "upload_ids": [upload["id"]]})
    assert refused.status_code == 422 and refused.json["errors"][0]["path"] == "upload_ids"
    answered = clerk.post(f"/api/v1/supervision/rectifications/{rect_id}/answer",
                          headers=clerk_headers, json={"text": "已核减收入并重新核定"})
    assert answered.status_code == 200 and answered.json["state"] == "answered"
    assert clerk.post(f"/api/v1/supervision/rectifications/{rect_id}/close",
                      headers=clerk_headers, json={}).status_code == 403
    closed = supervisor.post(f"/api/v1/supervision/rectifications/{rect_id}/close",
                             headers=headers, json={"text": "同意"})
    assert closed.status_code == 200 and closed.json["state"] == "closed"
    again = supervisor.post(f"/api/v1/supervision/rectifications/{rect_id}/return",
                            headers=headers, json={"text": "x"})
    assert again.status_code == 422
    clerk2, headers2 = api("clerk2")
    assert clerk2.get(f"/api/v1/supervision/rectifications/{rect_id}",
                      headers=headers2).status_code == 404
    assert clerk2.get("/api/v1/supervision/rectifications", headers=headers2).json == []
    spec = supervisor.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/supervision/rectifications/{rectification_id}/answer" in spec
    assert "/api/v1/supervision/checks/{check_id}/finding" in spec


def test_township_sees_only_its_own_rectifications(login, check):
    _finding(login("supervisor"), check)
    rect = _rect()
    clerk2 = login("clerk2")  # 太平乡
    assert clerk2.get(f"/supervision/rectifications/{rect.id}").status_code == 404
    assert clerk2.post(f"/supervision/rectifications/{rect.id}/answer",
                       data={"text": "x"}).status_code == 404
    assert rect.case.case_number not in clerk2.get(
        "/supervision/rectifications").get_data(as_text=True)
    assert login("clerk").post(f"/supervision/checks/{check.id}/finding").status_code == 403


def test_case_page_shows_finding_and_rectification_to_the_county(login, check):
    supervisor = login("supervisor")
    _finding(supervisor, check)
    rect = _rect()
    page = supervisor.get(f"/cases/{check.case_id}").get_data(as_text=True)
    assert "金额有误" in page and f"/supervision/rectifications/{rect.id}" in page
    assert 'id="case-spot-checks"' not in login("clerk").get(
        f"/cases/{check.case_id}").get_data(as_text=True)


def test_problem_rate_and_on_time_figures(demo, check):
    supervisor = demo_user("supervisor")
    township = region("220999101000")
    checks = db.session.scalars(select(SpotCheckDraw)).one().checks
    operations.record_finding(checks[0], supervisor, visited_on=date(2026, 3, 20),
                              people_met="户主", problems=["wrong_amount"])
    operations.record_finding(checks[1], supervisor, visited_on=date(2026, 3, 21),
                              people_met="户主", problems=[])
    ids = [township.id, region("220999201000").id]
    rate = METRICS["spot_check_problem_rate"]
    assert rate.better == "lower" and rate.unit == "percent"
    assert rate.compute(ids, date(2026, 3, 1), date(2026, 3, 31)) == {ids[0]: 50.0, ids[1]: None}
    assert rate.compute(ids, date(2026, 4, 1), date(2026, 4, 30))[ids[0]] is None
    rect = _rect()
    on_time = METRICS["rectifications_on_time"]
    period = (date(2000, 1, 1), date(2099, 12, 31))
    assert on_time.compute(ids, *period)[ids[0]] is None  # open and not yet due
    rect.due_on = date(2026, 4, 1)  # now overdue and open: not on time
    assert on_time.compute(ids, *period)[ids[0]] == 0.0
    rect.state, rect.closed_on = "closed", date(2026, 3, 31)
    assert on_time.compute(ids, *period)[ids[0]] == 100.0
    assert on_time.better == "higher"


def test_rectification_deadline_is_configurable(app, demo, check):
    app.config["RECTIFICATION_DAYS"] = 5
    operations.record_finding(check, demo_user("supervisor"), visited_on=date(2026, 3, 20),
                              people_met="户主", problems=["not_eligible"])
    assert _rect().due_on == add_working_days(local_today(), 5, region("220999000000").id)
    with pytest.raises(operations.Refused) as refused:
        operations.record_finding(check, demo_user("supervisor"), visited_on=date(2026, 3, 20),
                                  people_met="户主", problems=[])
    assert "已记录" in str(refused.value)
