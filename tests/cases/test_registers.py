"""Relatives register (近亲属备案), dishonesty list (失信) and duplicate applications."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from server.cases.checks import CaseError
from server.cases.operations import add_dishonesty, add_relative, check_acceptance, transition
from server.db import db
from server.idnumber import make as make_id
from server.regions.queries import region_by_code

DONGFENG = "220999101000"


def test_relative_of_staff_flags_case_and_bars_the_staff(demo, login):
    clerk = demo.demo_user("clerk")
    relative_id = make_id("220999", date(1985, 6, 1), 21)
    add_relative(region_by_code(DONGFENG), relative_id, "陈小红", "配偶", clerk, staff_user=clerk)
    db.session.commit()
    flagged = _case_with_member(relative_id, demo)
    assert flagged.is_relative_case
    with pytest.raises(CaseError) as info:
        transition(flagged, "start_investigation", clerk, {})
    assert info.value.status == 403 and "近亲属" in info.value.message
    db.session.rollback()
    transition(flagged, "start_investigation", demo.demo_user("approver"), {})
    db.session.commit()
    page = login("clerk").get(f"/cases/{flagged.id}").get_data(as_text=True)
    assert 'id="relative-badge"' in page and 'id="action-' not in page
    assert "badge relative" in login("clerk").get("/cases/").get_data(as_text=True)


def _case_with_member(id_number, demo):
    """A case whose second member has this ID number from the start (as intake creates it)."""
    from server.cases.demo import schema_version_for
    from server.cases.models import Case, Member
    from server.intake.operations import next_case_number
    from server.relief import ReliefCode

    village = region_by_code("220999101202")
    applicant = make_id("220999", date(1980, 3, 3), 31)
    case = Case(case_number=next_case_number(village.county, "LS", 2026),
                relief_type=ReliefCode.LS,
                schema_version_id=schema_version_for(village.county, ReliefCode.LS).id,
                region=village, applicant_name="陈大伟", applicant_id_number=applicant,
                accepted_on=date(2026, 10, 12), members=[
                    Member(position=0, name="陈大伟", id_number=applicant, is_applicant=True),
                    Member(position=1, name="陈小红", id_number=id_number)])
    db.session.add(case)
    db.session.commit()
    return case


def test_registering_a_relative_flags_active_cases(make, demo):
    case = make(accepted_on=date(2026, 9, 30))
    add_relative(region_by_code(DONGFENG), case.members[2].id_number, case.members[2].name,
                 "子女", demo.demo_user("admin"), cadre_name="红旗村 会计")
    db.session.commit()
    assert case.is_relative_case


def test_dishonesty_list_refuses_acceptance_for_a_year(make, demo):
    region = region_by_code("220999101201")
    listed = make_id("220999", date(1975, 5, 5), 41)
    add_dishonesty(region_by_code(DONGFENG), listed, "黄某", "隐瞒家庭收入且拒不改正",
                   demo.demo_user("clerk"), listed_on=date(2026, 3, 1))
    db.session.commit()
    messages = check_acceptance([listed], "DB", region, on=date(2026, 9, 30))
    assert len(messages) == 1 and "隐瞒家庭收入且拒不改正" in messages[0]
    assert "2027-03-01" in messages[0]
    assert check_acceptance([listed], "DB", region, on=date(2027, 3, 2)) == []
    # another county's list does not apply
    assert check_acceptance([listed], "DB", region_by_code("220999201201"),
                            on=date(2026, 9, 30)) != []  # same county (九州示范县)


def test_a_person_in_an_active_case_cannot_apply_twice(make):
    case = make(accepted_on=date(2026, 9, 30))
    region = region_by_code("220999101201")
    messages = check_acceptance([case.members[1].id_number], "DB", region)
    assert len(messages) == 1 and case.case_number in messages[0] and "不能重复申请" in messages[0]
    assert check_acceptance([case.members[1].id_number], "TK", region) == []
    case.state, case.is_active = "refused", False
    db.session.commit()
    assert check_acceptance([case.members[1].id_number], "DB", region) == []


def test_register_pages(login, demo):
    client = login("clerk")
    number = make_id("220999", date(1990, 1, 1), 51)
    response = client.post("/cases/registers/dishonesty", data={
        "id_number": number, "name": "马某", "kind": "forged_materials", "reason": "虚报材料",
        "listed_on": "2026-10-01", "correction_days": "15"})
    assert response.status_code == 302
    page = client.get("/cases/registers/dishonesty").get_data(as_text=True)
    assert "马某" in page and "2026-10-16" in page and number not in page
    assert "提供造假申请材料或造假证明" in page
    bad = client.post("/cases/registers/relatives", data={
        "id_number": "220999199001010000", "name": "x", "relation": "配偶", "staff_user_id": "0"})
    assert "校验位" in bad.get_data(as_text=True) or "身份证" in bad.get_data(as_text=True)
    ok = client.post("/cases/registers/relatives", data={
        "id_number": number, "name": "马某", "relation": "兄弟",
        "staff_user_id": str(demo.demo_user("village").id)})
    assert ok.status_code == 302
    assert "东风村协理员" in client.get("/cases/registers/relatives").get_data(as_text=True)
    assert login("clerk2").get("/cases/registers/relatives").get_data(as_text=True).count(
        "马某") == 0
    assert login("village").get("/cases/registers/relatives").status_code == 403


def _paying_case(make, step, to_decision, seed):
    case = to_decision(make(accepted_on=date(2026, 9, 30), seed=seed))
    step(case, "approver", "approve", date(2026, 10, 12))
    step(case, "approver", "confirm", date(2026, 10, 19))
    step(case, "clerk", "start_payment", date(2026, 10, 20))
    assert case.state == "paying" and case.payment_start_month == date(2026, 11, 1)
    return case


def test_dishonesty_first_occurrence_then_refusal_stops_payment_this_month(
        make, step, to_decision, demo):
    from server.cases.dishonesty import FraudKind
    from server.cases.operations import correct_dishonesty, list_dishonest, warn_dishonesty
    from server.documents.operations import render_kind
    from server.documents.rendering import document_text

    clerk = demo.demo_user("clerk")
    case = _paying_case(make, step, to_decision, seed=61)
    member = case.members[1]  # any member of the household, not only the applicant
    warning = warn_dishonesty(region_by_code(DONGFENG), member.id_number, member.name,
                              "hidden_income", "隐瞒在外务工工资收入每月 2000 元", clerk,
                              warned_on=date(2026, 11, 2), correction_days=10)
    db.session.commit()
    assert warning.correction_due_on == date(2026, 11, 12)
    # the first occurrence educates: payment goes on, applications are not refused
    assert case.state == "paying" and check_acceptance(
        [member.id_number], "TK", case.region, on=date(2026, 11, 5)) == []
    with pytest.raises(ValueError, match="纠正期限至 2026-11-12"):
        list_dishonest(warning, clerk, on=date(2026, 11, 10))
    db.session.rollback()

    from server.filings.roster import expected_rows

    township = region_by_code(DONGFENG)
    assert case.case_number in {r.case_number for r in expected_rows(township, date(2026, 11, 1))}
    entry = list_dishonest(warning, clerk, on=date(2026, 11, 16))
    db.session.commit()
    assert entry.kind == FraudKind.hidden_income and entry.warning_id == warning.id
    assert entry.stopped_cases == [case.case_number]
    db.session.refresh(case)
    # stopped from the current month: November, the first paid month, is not paid
    assert case.state == "stopped" and case.payment_end_month == date(2026, 10, 1)
    assert case.case_number not in {r.case_number for r in expected_rows(
        township, date(2026, 11, 1))}
    event = case.events[-1]
    assert event.action == "dishonesty_stop" and "dishonesty_notice" in event.data["documents"]
    text = document_text(render_kind("dishonesty_notice", case))
    for value in (case.applicant_name, "故意隐瞒家庭收入", "隐瞒在外务工工资收入每月 2000 元",
                  "2026年11月2日", "2026年11月12日", "2026年11月", "2027年11月16日"):
        assert value in text, value
    assert "/" not in text.replace(case.case_number, "")
    # refusal of new applications within the year stays
    assert check_acceptance([member.id_number], "TK", case.region, on=date(2026, 12, 1))
    # a corrected warning cannot be listed
    other = warn_dishonesty(region_by_code(DONGFENG), make_id("220999", date(1980, 2, 2), 62),
                            "某甲", "forged_materials", "伪造病历", clerk,
                            warned_on=date(2026, 11, 2))
    correct_dishonesty(other, clerk, on=date(2026, 11, 5))
    with pytest.raises(ValueError, match="已于 2026-11-05 纠正"):
        list_dishonest(other, clerk, on=date(2026, 12, 20))
    with pytest.raises(ValueError, match="失信情形"):
        warn_dishonesty(region_by_code(DONGFENG), member.id_number, member.name, "bogus", "x",
                        clerk)


def test_dishonesty_listing_is_refused_whole_when_the_month_is_filed(
        make, step, to_decision, demo, monkeypatch):
    from server.cases.operations import list_dishonest, warn_dishonesty
    from server.filings import queries as filings_queries

    clerk = demo.demo_user("clerk")
    case = _paying_case(make, step, to_decision, seed=63)
    warning = warn_dishonesty(region_by_code(DONGFENG), case.applicant_id_number,
                              case.applicant_name, "hidden_assets", "隐瞒车辆一辆", clerk,
                              warned_on=date(2026, 11, 2), correction_days=5)
    db.session.commit()
    monkeypatch.setattr(filings_queries, "is_month_locked", lambda region, month: True)
    with pytest.raises(CaseError, match="已上报并锁定"):
        list_dishonest(warning, clerk, on=date(2026, 11, 16))
    db.session.rollback()
    db.session.refresh(case)
    db.session.refresh(warning)
    assert case.state == "paying" and warning.listed_on is None


def test_dishonesty_list_for_other_departments_as_xlsx(make, step, to_decision, demo, login):
    import io

    from openpyxl import load_workbook

    from server.cases.operations import list_dishonest, warn_dishonesty

    clerk = demo.demo_user("clerk")
    number = make_id("220999", date(1970, 3, 3), 64)
    warning = warn_dishonesty(region_by_code(DONGFENG), number, "=HYPERLINK(\"x\")",
                              "refused_refund", "+拒不退回 3000 元", clerk,
                              warned_on=date(2026, 11, 2), correction_days=5)
    list_dishonest(warning, clerk, on=date(2026, 11, 16))
    db.session.commit()
    response = login("clerk").get("/cases/registers/dishonesty.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response.content_type
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[1]
    assert header[:4] == ["序号", "姓名", "身份证号码", "所在地区"]
    row = next(r for r in rows if r[2] == number)
    assert row[1] == "=HYPERLINK(\"x\")" and "拒不在规定时限内退回" in row[4]
    for cell in next(r for r in sheet.iter_rows() if r[2].value == number):
        assert cell.data_type != "f"
    assert login("clerk2").get("/cases/registers/dishonesty.xlsx").status_code == 200
    other = load_workbook(io.BytesIO(login("clerk2").get(
        "/cases/registers/dishonesty.xlsx").data)).active
    assert number not in [c.value for row in other.iter_rows() for c in row]


def test_dishonesty_warning_buttons(login, demo):
    from server.cases.models import DishonestyWarning

    client = login("clerk")
    number = make_id("220999", date(1991, 1, 1), 65)
    client.post("/cases/registers/dishonesty", data={
        "id_number": number, "name": "牛某", "kind": "hidden_changes", "reason": "隐瞒婚姻变动",
        "correction_days": "30"})
    warning = db.session.scalars(select(DishonestyWarning).filter_by(id_number=number)).one()
    early = client.post(f"/cases/registers/dishonesty/warnings/{warning.id}/list",
                        follow_redirects=True).get_data(as_text=True)
    assert "期满仍未纠正才能列入失信名单" in early
    assert login("clerk2").post(
        f"/cases/registers/dishonesty/warnings/{warning.id}/corrected").status_code == 404
    client.post(f"/cases/registers/dishonesty/warnings/{warning.id}/corrected")
    db.session.refresh(warning)
    assert warning.corrected_on is not None and warning.listed_on is None
    assert "牛某" not in client.get("/cases/registers/dishonesty").get_data(as_text=True)
