"""Refusals of the cases room are English in English mode and unchanged in Chinese (issue 15
point 2): step inputs (with the field's label in the page's language), step dates, the
dishonesty register, workflow settings and effects that run under the office's locale."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from server.cases.fields import FIELDS, FieldProblem
from server.db import db
from server.idnumber import make as make_id
from server.periods import local_today

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("name, raw, zh, en", [
    ("housing", "", "请填写“住房情况”", 'Enter "Housing"'),
    ("votes_for", "x", "“同意票数”应为整数", '"Votes for" must be a whole number'),
    ("months", "0", "“渐退月数”至少为 1", '"Months of gradual exit" must be at least 1'),
    ("held_on", "2026-13-01", "“评议时间”应为日期（YYYY-MM-DD）",
     '"Date of the appraisal" must be a date (YYYY-MM-DD)'),
    ("amount", "0", "“金额（元）”应大于 0", '"Amount (yuan)" must be more than 0'),
    ("flag", "maybe", "“标记”的取值无效", '"Flag": this value is not one of the choices'),
    ("incomes", {"rent": "1"}, "“家庭月收入（元）”中没有“rent”这一类",
     '"Household monthly income (yuan)" has no kind "rent"'),
    ("incomes", {"wages": "0.001"}, "“家庭月收入（元）：工资性收入”应大于 0",
     '"Household monthly income (yuan): Wages" must be more than 0'),
    ("participants", "张" * 60, "“参加人员（用顿号分隔）”中的“张张张张张张张张张张…”过长，请用顿号分隔姓名",
     '"Participants (separated by 、)": "张张张张张张张张张张…" is too long; separate the names with 、'),
])
def test_step_input_problems_in_both_languages(app, name, raw, zh, en):
    for lang, expected in (("zh_CN", zh), ("en", en)):
        with app.test_request_context(), force_locale(lang):
            with pytest.raises(FieldProblem) as caught:
                FIELDS[name].parse(raw, None)
            assert str(caught.value) == expected


def test_transition_refusals_over_the_api(make, api):
    case = make(accepted_on=date(2026, 9, 30))
    client, headers = api("clerk")
    url = f"/api/v1/cases/{case.id}/transitions"
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    body = {"action": "start_investigation", "effective_on": tomorrow}
    for lang, message in (("zh_CN", "办理日期不能晚于今天"),
                          ("en", "The date of the step cannot be later than today")):
        late = client.post(url, headers=headers | {"Accept-Language": lang}, json=body)
        assert late.status_code == 422
        assert late.json["errors"] == [{"path": "effective_on", "message": message}]
    unknown = client.post(url, headers=headers | EN, json={"action": "fly"})
    assert unknown.status_code == 409
    assert unknown.json["message"] == 'This relief type has no step "fly"'
    stale = client.post(url, headers=headers | EN, json={
        "action": "start_investigation", "lock_version": case.lock_version + 5})
    assert stale.status_code == 409 and stale.json["message"] == \
        "Someone else changed this case meanwhile: reload the page and try again"
    # a step's inputs: the generic 422 message and each field's own, with English labels
    started = client.post(url, headers=headers, json={"action": "start_investigation",
                                                      "effective_on": "2026-09-30"})
    assert started.status_code == 200
    missing = client.post(url, headers=headers | EN, json={
        "action": "submit_for_decision", "effective_on": "2026-10-09"})
    assert missing.status_code == 422
    assert missing.json["message"] == "Invalid input: check the fields marked"
    messages = {e["path"]: e["message"] for e in missing.json["errors"]}
    assert messages["data.housing"] == 'Enter "Housing"'
    assert messages["data.investigators"] == 'Enter "Investigating staff"'
    chinese = client.post(url, headers=headers, json={
        "action": "submit_for_decision", "effective_on": "2026-10-09"})
    assert chinese.json["message"] == "输入有误，请检查标出的字段"
    assert {e["path"]: e["message"] for e in chinese.json["errors"]}["data.housing"] == \
        "请填写“住房情况”"


def test_an_effect_refuses_in_the_readers_language(make, step, to_decision, api):
    """Effects run under the office's locale (what they store is Chinese); their refusal is
    still shown in the reader's language."""
    from server.standards.models import StandardSet

    case = to_decision(make(accepted_on=date(2026, 9, 30)))
    db.session.query(StandardSet).update({"effective_from": date(2027, 1, 1)})
    db.session.commit()
    client, headers = api("approver")
    url = f"/api/v1/cases/{case.id}/transitions"
    body = {"action": "approve", "effective_on": "2026-10-10"}
    english = client.post(url, headers=headers | EN, json=body)
    assert english.status_code == 422, english.json
    assert english.json["errors"] == [{
        "path": "standard_version_id",
        "message": "No relief standard is in force on 2026-10-10: a county administrator "
                   "must enter it first"}]
    chinese = client.post(url, headers=headers, json=body)
    assert chinese.json["errors"][0]["message"] == \
        "2026-10-10 没有生效的救助标准，请县级管理员先录入标准"


def test_dishonesty_register_refusals(api, login, demo):
    client, headers = api("clerk")
    url = "/api/v1/cases/registers/dishonesty/warnings"
    fresh = client.post(url, headers=headers, json={
        "id_number": make_id("220999", date(1981, 3, 3), 43), "name": "某乙",
        "kind": "forged_materials", "facts": "伪造病历"})
    assert fresh.status_code == 201
    due = fresh.json["correction_due_on"]
    listing = f"{url}/{fresh.json['id']}/listing"
    english = client.post(listing, headers=headers | EN)
    assert english.status_code == 409 and english.json["message"] == (
        f"The time to correct runs until {due}: only a household that has not corrected by "
        "then can be put on the list")
    assert client.post(listing, headers=headers).json["message"] == \
        f"纠正期限至 {due}，期满仍未纠正才能列入失信名单"
    blank = client.post(url, headers=headers | EN, json={
        "id_number": make_id("220999", date(1982, 4, 4), 45), "name": "某丙",
        "kind": "forged_materials", "facts": " "})
    assert blank.status_code == 422
    assert {e["path"]: e["message"] for e in blank.json["errors"]}["facts"] == \
        "Enter something here"
    # the web page flashes the refusal in the user's language
    page = login("clerk")
    page.post("/language", data={"locale": "en", "next": "/"})
    shown = page.post(f"/cases/registers/dishonesty/warnings/{fresh.json['id']}/list",
                      follow_redirects=True).get_data(as_text=True)
    assert "only a household that has not corrected by then" in shown
    assert "期满仍未纠正" not in shown


@pytest.mark.parametrize("text, en, zh", [
    ("{", "Invalid settings: Not valid JSON (line 1, column 2)",
     "设置无效：不是有效的 JSON（第 1 行第 2 列）"),
    ('{"publicity_days": 99, "publicity_dayz": 1}',
     'Invalid settings: Unknown setting "publicity_dayz"; "publicity_days" must be between 1 '
     "and 60",
     "设置无效：未知的设置项“publicity_dayz”；“publicity_days”应在 1 到 60 之间"),
    ('{"recheck_months": {"stable": 0}}',
     'Invalid settings: "recheck_months": the months of stable must be whole numbers from 1 '
     "to 36", "设置无效：“recheck_months”中 stable 的月数应为 1 到 36 的整数"),
])
def test_workflow_settings_refusals(login, text, en, zh):
    client = login("admin")
    for expected in (zh, en):
        if expected is en:
            client.post("/language", data={"locale": "en", "next": "/"})
        page = client.post("/cases/settings", data={"relief_type": "DB", "settings": text})
        assert page.status_code in (200, 422)
        assert expected in page.get_data(as_text=True).replace("&#34;", '"').replace(
            "&quot;", '"')
