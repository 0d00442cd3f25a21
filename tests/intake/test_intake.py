"""Intake through the web form: fill, validate with Chinese messages, drafts, submit, warnings."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from server import idnumber
from server.cases.models import Case, Member
from server.db import db
from server.intake.models import IntakeDraft

from .conftest import VILLAGE, form_data, household

NEW = "/intake/new?type=DB"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _case(number_like=None) -> Case:
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


def test_intake_page_lists_published_types(login):
    page = login("clerk").get("/intake/").get_data(as_text=True)
    assert "最低生活保障" in page and 'href="/intake/new?type=DB"' in page


def test_form_renders_dom_contract(login):
    page = login("clerk").get(NEW).get_data(as_text=True)
    assert 'id="schema-spec"' in page and "data-schema-form" in page
    assert 'data-field="members[0].id_number"' in page
    assert 'data-row-template="members"' in page and "members-__index__-name" in page
    # the village picker only offers 东风镇's villages
    assert "东风村" in page and "太平村" not in page


def test_submit_household_of_three_creates_case_with_members(login):
    before = _count(Case)
    response = login("clerk").post(NEW, data=form_data())
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert _count(Case) == before + 1
    case = _case()
    assert re.fullmatch(r"220999-\d{4}-DB-\d{6}", case.case_number)
    assert case.state == "accepted" and case.is_active
    assert case.region.code == VILLAGE and case.applicant_name == "赵建国"
    assert case.schema_version.status.value == "published"
    assert [m.name for m in case.members] == ["赵建国", "钱秀兰", "赵小宝"]
    applicant, spouse, child = case.members
    assert applicant.is_applicant and not spouse.is_applicant
    assert spouse.sex == "F" and applicant.sex == "M"
    assert child.birth_date.year == 2012 and child.relationship_ == "子女"
    assert case.answers["per_capita_income"] == "400.00"
    assert case.persons_covered == 3


def test_case_numbers_are_sequential(login):
    client = login("clerk")
    client.post(NEW, data=form_data(household(1)))
    first = _case().case_number
    client.post(NEW, data=form_data(household(2)))
    second = _case().case_number
    assert int(second[-6:]) == int(first[-6:]) + 1 and first[:-6] == second[:-6]


def test_wrong_check_character_is_shown_at_the_field_and_nothing_saved(login):
    people = household()
    wrong = people[1]["id_number"]
    people[1]["id_number"] = wrong[:17] + ("0" if wrong[17] != "0" else "1")
    cases, members, drafts = _count(Case), _count(Member), _count(IntakeDraft)
    response = login("clerk").post(NEW, data=form_data(people))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = page[page.index('data-field="members[1].id_number"'):]
    block = block[:block.index("data-client-error")]
    assert "身份证号码校验位错误" in block
    assert (_count(Case), _count(Member), _count(IntakeDraft)) == (cases, members, drafts)


def test_unknown_field_is_refused_and_nothing_saved(login):
    data = form_data()
    data["is_rich"] = "yes"
    data["members-0-salary"] = "100"
    before = _count(Case)
    response = login("clerk").post(NEW, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未知字段" in page and "is_rich" in page and "members-0-salary" in page
    assert _count(Case) == before


def test_missing_fields_get_chinese_required_messages(login):
    data = form_data()
    for key in ("applicant_name", "phone", "members-0-relationship"):
        del data[key]
    before = _count(Case)
    response = login("clerk").post(NEW, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for path in ("applicant_name", "phone", "members[0].relationship"):
        block = page[page.index(f'data-field="{path}"'):]
        assert "此项为必填项" in block[:block.index("data-client-error")], path
    assert _count(Case) == before


def test_empty_post_saves_nothing(login):
    before = (_count(Case), _count(Member), _count(IntakeDraft))
    response = login("clerk").post(NEW, data={"action": "submit"})
    assert response.status_code == 422
    assert "此项为必填项" in response.get_data(as_text=True)
    assert (_count(Case), _count(Member), _count(IntakeDraft)) == before


def test_cross_field_check_message(login):
    people = household()
    people[2]["relationship"] = "父母"  # a 2012-born "parent" of the applicant
    response = login("clerk").post(NEW, data=form_data(people))
    assert response.status_code == 422
    assert "父母的年龄应大于申请人" in response.get_data(as_text=True)


def test_village_of_another_township_is_refused(login):
    response = login("clerk").post(NEW, data=form_data(village="220999201201"))  # 太平村
    assert response.status_code == 422
    assert "请选择您辖区内的村（社区）" in response.get_data(as_text=True)


def test_village_assistant_takes_application_in_own_village(login):
    response = login("village").post(NEW, data=form_data())
    assert response.status_code == 302
    assert _case().region.code == VILLAGE


def test_draft_save_continue_and_submit(login):
    client = login("clerk")
    partial = {k: v for k, v in form_data(action="save_draft").items()
               if not k.startswith("members-2") and k not in ("bank_account", "phone")}
    response = client.post(NEW, data=partial)
    assert response.status_code == 302
    draft = db.session.scalars(select(IntakeDraft).order_by(IntakeDraft.id.desc())).first()
    assert response.headers["Location"].endswith(f"/intake/drafts/{draft.id}")
    assert draft.title == "赵建国" and draft.answers["members"][1]["name"] == "钱秀兰"
    assert draft.schema_version.status.value == "published"
    page = client.get(f"/intake/drafts/{draft.id}").get_data(as_text=True)
    assert 'value="钱秀兰"' in page and 'value="东风村三组 8 号"' in page
    assert "赵建国" in client.get("/intake/").get_data(as_text=True)
    before = _count(Case)
    response = client.post(f"/intake/drafts/{draft.id}", data=form_data())
    assert response.status_code == 302
    assert _count(Case) == before + 1
    db.session.refresh(draft)
    assert draft.case_id == _case().id and draft.submitted_at is not None
    # a submitted draft leads to its case and is no longer listed
    assert client.get(f"/intake/drafts/{draft.id}").status_code == 302
    assert f"/intake/drafts/{draft.id}" not in client.get("/intake/").get_data(as_text=True)


def test_draft_of_another_township_is_404(login):
    client = login("clerk2")
    client.post(NEW, data={**form_data(village="220999201201"), "action": "save_draft"})
    draft = db.session.scalars(select(IntakeDraft).order_by(IntakeDraft.id.desc())).first()
    assert login("clerk").get(f"/intake/drafts/{draft.id}").status_code == 404
    assert login("clerk").post(f"/intake/drafts/{draft.id}/delete").status_code == 404
    assert login("clerk2").post(f"/intake/drafts/{draft.id}/delete").status_code == 302
    assert db.session.get(IntakeDraft, draft.id) is None


def test_duplicate_member_warns_but_does_not_block(login):
    """In an active case of another relief type: a warning (the same type is refused)."""
    from server.relief import ReliefCode

    client = login("clerk")
    people = household(9)
    assert client.post(NEW, data=form_data(people)).status_code == 302
    first = _case()
    first.relief_type = ReliefCode.LS  # the spouse already receives temporary assistance
    db.session.commit()
    other = household(10)
    other[1] = people[1]  # the spouse again, in another household
    other[1]["relationship"] = "配偶"
    assert client.post(NEW, data=form_data(other)).status_code == 302
    page = client.get("/intake/").get_data(as_text=True)  # the flashed warning
    assert first.case_number in page and "已属于另一在办案件" in page
    assert idnumber.mask(people[1]["id_number"]) in page
    assert _case().id != first.id
    # the warning shows on the form too, before submitting
    form_page = client.post(NEW, data={**form_data(other), "add_row": "members"})
    assert "已属于另一在办案件" in form_page.get_data(as_text=True)


def test_no_js_row_buttons_add_and_remove_rows(login):
    client = login("clerk")
    data = form_data()
    page = client.post(NEW, data={**data, "add_row": "members"}).get_data(as_text=True)
    assert 'data-field="members[3].name"' in page
    page = client.post(NEW, data={**data, "remove_row": "members-1"}).get_data(as_text=True)
    assert 'data-field="members[2].name"' not in page and "钱秀兰" not in page


def test_roles_without_intake_are_refused(login):
    assert login("admin").get(NEW).status_code == 403
    assert login("supervisor").get("/intake/").status_code == 403


def test_dishonesty_list_refuses_acceptance_with_reason(login, demo):
    from server.cases.operations import add_dishonesty

    from ..conftest import region

    client = login("clerk")
    spouse = household()[1]
    add_dishonesty(region("220999101000"), spouse["id_number"], spouse["name"], "隐瞒收入",
                   demo.demo_user("clerk"))
    db.session.commit()
    before = _count(Case)
    page = client.post(NEW, data=form_data()).get_data(as_text=True)
    assert "失信名单" in page and "隐瞒收入" in page
    assert _count(Case) == before


def test_same_person_cannot_be_in_two_active_cases_of_one_type(login):
    client = login("clerk")
    assert client.post(NEW, data=form_data()).status_code == 302
    before = _count(Case)
    page = client.post(NEW, data=form_data()).get_data(as_text=True)
    assert "不能重复申请" in page
    assert _count(Case) == before
