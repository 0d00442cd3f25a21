"""Documents follow the procedure: each kind says when it may be produced; the case page, the
views, the API and print packs offer only those and refuse the others with a Chinese reason."""
from __future__ import annotations

from datetime import date

import pytest

from server.cases.models import CaseEvent
from server.db import db
from server.documents import operations
from server.documents.models import GeneratedDocument, PrintJob
from server.documents.registry import available, kinds_for_step
from server.relief import ReliefCode

from ..conftest import region
from .conftest import VILLAGE, make_case


def _offered(client, case) -> str:
    return client.get(f"/documents/cases/{case.id}").get_data(as_text=True)


def test_refusal_notice_is_not_offered_for_a_paid_household(login, demo):
    case = make_case(ReliefCode.DB, 711, state="paying", decision="approve")
    db.session.commit()
    verdict = available("refusal_notice", case)
    assert not verdict and "不予救助" in verdict.reason and "保障中" in verdict.reason
    client = login("clerk")
    assert 'data-kind="refusal_notice"' not in _offered(client, case)
    client.post(f"/documents/cases/{case.id}/generate", data={"kind": "refusal_notice"})
    assert db.session.query(GeneratedDocument).count() == 0
    assert "不予救助告知书只能在作出不予救助决定后出具" in _offered(client, case)  # flashed


def test_refusal_notice_needs_a_reason(demo):
    case = make_case(ReliefCode.DB, 712, state="refused", decision="refuse", refusal_reason="")
    case.answers = {k: v for k, v in case.answers.items() if k != "decision_opinion"}
    assert "理由未填写" in available("refusal_notice", case).reason
    with pytest.raises(operations.DocumentError, match="理由未填写"):
        operations.generate("refusal_notice", case)
    case.refusal_reason = "家庭人均收入高于当地低保标准"
    assert available("refusal_notice", case)
    assert operations.generate("refusal_notice", case).kind == "refusal_notice"
    assert not available("confirmation_notice", case)


def test_appraisal_minutes_only_after_an_appraisal(demo):
    case = make_case(ReliefCode.DB, 713, state="decision")
    assert "未经民主评议" in available("appraisal_minutes", case).reason
    assert kinds_for_step("appraisal", case) == []
    case.events.append(CaseEvent(from_state="appraisal", to_state="decision",
                                 action="record_appraisal", effective_on=date(2026, 11, 12),
                                 data={"outcome": "同意"}))
    db.session.flush()
    assert available("appraisal_minutes", case)
    assert kinds_for_step("appraisal", case) == ["appraisal_minutes"]


def test_one_time_notice_needs_a_list_of_missing_materials(demo):
    case = make_case(ReliefCode.LS, 714, state="accepted")
    assert "没有记录需要补充的材料" in available("one_time_notice", case).reason
    with pytest.raises(operations.DocumentError):
        operations.generate("one_time_notice", case)


def test_proxy_letter_needs_a_proxy(demo):
    case = make_case(ReliefCode.DB, 715, state="accepted")
    assert "没有代办人" in available("proxy_letter", case).reason
    with pytest.raises(operations.DocumentError, match="没有代办人"):
        operations.generate("proxy_letter", case)
    case.answers = {**case.answers, "proxy": {"name": "陈立新", "relationship": "协理员"}}
    assert available("proxy_letter", case)


def test_no_publicity_notice_for_a_village_with_nobody_in_publicity(login, demo):
    village = region(VILLAGE)
    assert "没有处于公示期的对象" in available("publicity_notice", village).reason
    client = login("clerk")
    response = client.post(f"/documents/villages/{village.id}",
                           data={"kind": "publicity_notice"}, follow_redirects=True)
    assert response.status_code == 200 and "没有处于公示期的对象" in response.get_data(as_text=True)
    assert db.session.query(GeneratedDocument).count() == 0


def test_early_cases_get_no_survey_decision_or_archive(demo):
    case = make_case(ReliefCode.DB, 716, state="accepted", decided_at=None)
    for kind in ("household_survey", "decision_form", "confirmation_notice"):
        assert "已受理" in available(kind, case).reason, kind
    assert "尚未作出决定" in available("archive_cover", case).reason
    assert kinds_for_step("acceptance", case)[0] == "acceptance_slip"


def test_print_pack_holds_only_the_available_kinds(login, demo):
    case = make_case(ReliefCode.DB, 717, state="accepted",
                     answers={"reason": "困难"})  # no missing list, no proxy
    db.session.commit()
    login("clerk").post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"})
    job = db.session.query(PrintJob).one()
    assert job.kinds == ["acceptance_slip", "application", "authorization", "commitment"]


def test_api_lists_availability_and_refuses_with_a_chinese_reason(api, demo):
    case = make_case(ReliefCode.DB, 718, state="paying", decision="approve")
    db.session.commit()
    client, headers = api("clerk")
    rows = client.get(f"/api/v1/documents/cases/{case.id}", headers=headers).json
    refusal = next(r for r in rows if r["kind"] == "refusal_notice")
    assert refusal["available"] is False and "不予救助" in refusal["reason"]
    assert next(r for r in rows if r["kind"] == "confirmation_notice")["available"] is True
    response = client.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                           json={"kind": "refusal_notice"})
    assert response.status_code == 409 and "不予救助告知书" in response.json["message"]
    response = client.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                           json={"kind": "confirmation_notice"})
    assert response.status_code == 201 and response.json["kind"] == "confirmation_notice"
    assert client.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                       json={"kind": "nope"}).status_code == 422
    other, other_headers = api("clerk2")
    assert other.get(f"/api/v1/documents/cases/{case.id}",
                     headers=other_headers).status_code == 404
