"""Relatives register (近亲属备案), dishonesty list (失信) and duplicate applications."""
from __future__ import annotations

from datetime import date

import pytest

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
        "id_number": number, "name": "马某", "reason": "虚报材料", "listed_on": "2026-10-01"})
    assert response.status_code == 302
    page = client.get("/cases/registers/dishonesty").get_data(as_text=True)
    assert "马某" in page and "2027-10-01" in page and number not in page
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
