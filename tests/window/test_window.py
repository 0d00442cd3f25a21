"""The one window: any request is registered, referred within 2 working days, its result given
to the applicant within 2 days of completion (both clocks on the home page), satisfaction."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.db import db
from server.supervision.registry import METRICS
from server.window.models import WindowDepartment, WindowRequest


def _department(name="县教育局"):
    return db.session.scalars(select(WindowDepartment).where(WindowDepartment.name == name)).one()


def _register(client, name, matter="education", received_on="2026-09-24"):
    response = client.post("/window/requests", data={
        "applicant_name": name, "matter": matter, "phone": "13900001111",
        "description": "子女上学困难", "received_on": received_on})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(WindowRequest).where(
        WindowRequest.applicant_name == name)).one()


def test_clocks_count_working_days_and_show_on_the_home_page(login, demo):
    clerk = login("clerk")
    # Thu 2026-09-24; Fri 25th is 中秋节, then the weekend: 2 working days end Tue 29th
    request = _register(clerk, "窗口甲")
    assert request.referral_due_on == date(2026, 9, 29)
    assert request.region.name == "东风镇" and request.number.startswith("CK220999101")
    home = clerk.get("/").get_data(as_text=True)
    assert 'id="panel-window-clocks"' in home and request.number in home and "已超期" in home
    assert "窗口甲" in login("supervisor").get("/").get_data(as_text=True)
    assert "窗口甲" not in login("clerk2").get("/").get_data(as_text=True)

    clerk = login("clerk")
    assert clerk.post(f"/window/requests/{request.id}/refer", data={
        "refer-department": _department().id, "refer-on": "2026-09-25"}).status_code == 302
    # completed Wed 2026-09-30; 国庆 1–7 Oct off: 2 working days end Fri 9 Oct
    assert clerk.post(f"/window/requests/{request.id}/result", data={
        "result-result": "已发放助学金1000元", "result-on": "2026-09-30"}).status_code == 302
    db.session.expire_all()
    assert request.feedback_due_on == date(2026, 10, 9)
    home = clerk.get("/").get_data(as_text=True)
    assert request.number in home and "反馈" in home
    assert clerk.post(f"/window/requests/{request.id}/feedback",
                      data={"feedback-on": "2026-10-09"}).status_code == 302
    home = clerk.get("/").get_data(as_text=True)
    assert request.number not in home
    page = clerk.get(f"/window/requests/{request.id}").get_data(as_text=True)
    assert "县教育局" in page and "2026-10-09" in page and "教育救助" in page


def test_bad_steps_are_refused_in_chinese(login, demo):
    clerk = login("clerk")
    request = _register(clerk, "窗口乙", matter="housing")
    response = clerk.post(f"/window/requests/{request.id}/feedback", data={})
    assert response.status_code == 400 and "部门尚未办结" in response.get_data(as_text=True)
    response = clerk.post(f"/window/requests/{request.id}/refer", data={
        "refer-department": _department().id, "refer-on": "2026-09-20"})
    assert response.status_code == 400 and "日期不能早于 2026-09-24" in response.get_data(
        as_text=True)
    assert clerk.post("/window/requests", data={"matter": "housing"}).status_code == 400
    assert login("village").post("/window/requests", data={
        "applicant_name": "x", "matter": "other"}).status_code == 403


def test_satisfaction_metric_is_the_share_satisfied(login, demo):
    clerk = login("clerk")
    for name, answer in (("满意甲", "satisfied"), ("满意乙", "dissatisfied")):
        request = _register(clerk, name, matter="medical")
        for step, data in (("refer", {"refer-department": _department("县医疗保障局").id}),
                           ("result", {"result-result": "已报销"}), ("feedback", {}),
                           ("satisfaction", {"satisfaction-satisfaction": answer})):
            assert clerk.post(f"/window/requests/{request.id}/{step}",
                              data=data).status_code == 302, step
    metric = METRICS["satisfaction"]
    assert (metric.better, metric.unit) == ("higher", "percent")
    township = request.region_id
    today = request.satisfaction_on
    assert metric.compute([township], today, today) == {township: 50.0}
    assert metric.compute([township], date(2020, 1, 1), date(2020, 1, 31)) == {township: None}


def test_api_registers_and_refers(api, demo):
    client, headers = api("clerk")
    response = client.post("/api/v1/window/requests", headers=headers, json={
        "applicant_name": "接口甲", "matter": "employment", "received_on": "2026-09-24"})
    assert response.status_code == 201 and response.json["referral_due_on"] == "2026-09-29"
    assert response.json["state"] == "received"
    request_id = response.json["id"]
    bad = client.post(f"/api/v1/window/requests/{request_id}/referral", headers=headers,
                      json={"department_id": 999999})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "department"
    good = client.post(f"/api/v1/window/requests/{request_id}/referral", headers=headers,
                       json={"department_id": _department("县人力资源和社会保障局").id})
    assert good.status_code == 200 and good.json["state"] == "referred"
    bad = client.post("/api/v1/window/requests", headers=headers, json={"matter": "x"})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json["errors"]} == {"applicant_name", "matter"}
    other, other_headers = api("clerk2")
    assert other.post(f"/api/v1/window/requests/{request_id}/referral", headers=other_headers,
                      json={"department_id": 1}).status_code == 404
    assert client.get("/api/v1/window/requests", headers=headers).json[0]["id"] == request_id
