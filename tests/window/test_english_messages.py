"""The window's refusals in the reader's language (page and API); Chinese unchanged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db import db
from server.window.models import WindowDepartment, WindowRequest

from ..language import asking, speak

# locale: (Accept-Language, feedback too early, date too early, department taken)
TEXTS = {
    "en": ("en", "The department has not finished: the feedback cannot be recorded",
           "The date cannot be earlier than 2026-09-24", "Choose a department of this county"),
    "zh_CN": ("zh-CN", "部门尚未办结，不能登记反馈", "日期不能早于 2026-09-24", "请选择本县的部门"),
}


@pytest.mark.parametrize("locale", TEXTS)
def test_page_refusals_follow_the_page_language(login, locale):
    _header, feedback, early, _department = TEXTS[locale]
    clerk = speak(login("clerk"), locale)
    assert clerk.post("/window/requests", data={
        "applicant_name": "窗口丙", "matter": "housing", "received_on": "2026-09-24"}
    ).status_code == 302
    request = db.session.scalars(select(WindowRequest)).one()
    response = clerk.post(f"/window/requests/{request.id}/feedback", data={})
    assert response.status_code == 400 and feedback in response.get_data(as_text=True)
    department = db.session.scalars(select(WindowDepartment)).first()
    response = clerk.post(f"/window/requests/{request.id}/refer", data={
        "refer-department": department.id, "refer-on": "2026-09-20"})
    assert response.status_code == 400 and early in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", TEXTS)
def test_api_refusals_follow_accept_language(api, locale):
    header, _feedback, _early, department = TEXTS[locale]
    client, headers = asking(api, "clerk", header)
    response = client.post("/api/v1/window/requests", headers=headers, json={
        "applicant_name": "接口乙", "matter": "employment", "received_on": "2026-09-24"})
    response = client.post(f"/api/v1/window/requests/{response.json['id']}/referral",
                           headers=headers, json={"department_id": 999999})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "department", "message": department}]
