"""The cases API: scoped lists, allowed transitions, and transitions under the web's rules."""
from __future__ import annotations

from datetime import date

from server.cases.demo import investigated
from server.db import db


def test_list_get_and_allowed_transitions(make, api):
    case = make(accepted_on=date(2026, 9, 30), names=("欧阳明", "欧阳丽"))
    client, headers = api("clerk")
    listed = client.get("/api/v1/cases/?q=欧阳明", headers=headers).json
    assert [c["id"] for c in listed] == [case.id]
    assert "*" in listed[0]["applicant_id_number"]
    item = client.get(f"/api/v1/cases/{case.id}", headers=headers).json
    assert item["state"] == "accepted" and item["due_on"] == "2026-10-10"
    assert {d["kind"] for d in item["deadlines"]} == {"total", "investigation_start"}
    actions = {t["action"] for t in client.get(f"/api/v1/cases/{case.id}/transitions",
                                               headers=headers).json}
    assert {"start_investigation", "request_materials", "refer"} <= actions
    assert "approve" not in actions
    other, other_headers = api("clerk2")
    assert other.get("/api/v1/cases/", headers=other_headers).json == []
    assert other.get(f"/api/v1/cases/{case.id}", headers=other_headers).status_code == 404


def test_post_transitions_with_the_same_rules(make, api, demo):
    case = make(accepted_on=date(2026, 9, 30))
    clerk, clerk_h = api("clerk")
    approver, approver_h = api("approver")
    url = f"/api/v1/cases/{case.id}/transitions"

    def post(client, headers, **body):
        return client.post(url, headers=headers, json=body)

    response = post(clerk, clerk_h, action="start_investigation", effective_on="2026-09-30",
                    lock_version=case.lock_version)
    assert response.status_code == 200 and response.json["state"] == "investigating"
    version = response.json["lock_version"]
    # 403: a village assistant may not act; 404: another township's clerk
    village, village_h = api("village")
    assert post(village, village_h, action="flag", data={"flag": "doubt"}).status_code == 403
    other, other_h = api("clerk2")
    assert post(other, other_h, action="flag", data={"flag": "doubt"}).status_code == 404
    # 409: stale lock_version
    stale = post(clerk, clerk_h, action="flag", data={"flag": "doubt"}, lock_version=version - 1)
    assert stale.status_code == 409 and stale.json["message"] == "该案件已被他人修改，请刷新后重试"
    # 422: missing prerequisite, with field paths
    missing = post(clerk, clerk_h, action="submit_for_decision", effective_on="2026-10-09",
                   data=investigated() | {"investigators": [demo.demo_user("clerk").id]})
    assert missing.status_code == 422
    assert missing.json["errors"] == [{"path": "data.investigators",
                                       "message": "入户调查至少需要 2 名调查人员"}]
    assert post(clerk, clerk_h, data={}).status_code == 422  # no action
    ok = post(clerk, clerk_h, action="submit_for_decision", effective_on="2026-10-09",
              data=investigated(), lock_version=version)
    assert ok.status_code == 200 and ok.json["state"] == "decision"
    assert post(clerk, clerk_h, action="approve").status_code == 403  # clerks do not approve
    approved = post(approver, approver_h, action="approve", effective_on="2026-10-12")
    assert approved.status_code == 200
    assert approved.json["monthly_amount_fen"] == 120000
    assert approved.json["publicity_end_on"] == "2026-10-18"
    assert post(approver, approver_h, action="approve").status_code == 409  # wrong state


def test_separation_of_duties_over_the_api(make, api, step, demo):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    step(case, "clerk", "submit_for_decision", date(2026, 10, 9),
         **investigated() | {"investigators": [demo.demo_user("approver").id],
                             "is_home_visit": False})
    client, headers = api("approver")
    response = client.post(f"/api/v1/cases/{case.id}/transitions", headers=headers,
                           json={"action": "approve", "effective_on": "2026-10-12"})
    assert response.status_code == 403 and "唯一调查人" in response.json["message"]


def test_investigation_and_appraisal_inputs_are_checked_with_paths(make, api, step, demo):
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    step(case, "clerk", "flag", date(2026, 10, 8), flag="doubt")
    client, headers = api("clerk")
    offered = {t["action"]: t for t in client.get(f"/api/v1/cases/{case.id}/transitions",
                                                  headers=headers).json}
    inputs = {f["name"]: f for f in offered["send_to_appraisal"]["fields"]}
    assert {"visited_on", "members_present", "housing", "other_assets", "incomes",
            "survey_findings", "survey_opinion"} <= set(inputs)
    assert {"value": "wages", "label": "工资性收入"} in inputs["incomes"]["choices"]

    def post(action, data, on="2026-10-09"):
        return client.post(f"/api/v1/cases/{case.id}/transitions", headers=headers,
                           json={"action": action, "effective_on": on, "data": data})

    bad = post("send_to_appraisal", investigated() | {
        "visited_on": "2026-10-20", "members_present": ["张三"],
        "incomes": {"wages": "abc", "salary": "1"}, "housing": ""})
    assert bad.status_code == 422
    paths = {e["path"]: e["message"] for e in bad.json["errors"]}
    assert paths["data.members_present"] == "“张三”不在本案件的家庭成员中"
    assert paths["data.housing"] == "请填写“住房情况”"
    assert "salary" in paths["data.incomes"]
    assert post("send_to_appraisal", investigated(visited_on=date(2026, 10, 20))).json[
        "errors"] == [{"path": "data.visited_on", "message": "入户调查日期不能晚于办理日期"}]
    assert post("send_to_appraisal", investigated()).status_code == 200

    meeting = {"held_on": "2026-10-10", "place": "村委会", "host": "李支书", "recorder": "赵会计",
               "participants": "李支书、赵会计、王代表", "opinions": "情况属实",
               "votes_for": "2", "votes_against": "1", "votes_abstain": "0", "result": "agree"}
    for changes, path, message in [
            ({"votes_for": "-1"}, "data.votes_for", "“同意票数”至少为 0"),
            ({"votes_against": "1e400"}, "data.votes_against", "“不同意票数”应为整数"),
            ({"votes_for": "3"}, "data.votes_for", "表决票数合计 4 票，超过参加人数 3 人"),
            ({"votes_for": "0", "votes_against": "0"}, "data.votes_for",
             "表决票数合计为 0，请录入表决结果"),
            ({"votes_for": "1", "votes_abstain": "1"}, "data.result",
             "同意 1 票未超过投票数 3 的半数，评议结果不能为“同意”"),
            ({"result": "disagree"}, "data.result",
             "同意 2 票已超过投票数 3 的半数，评议结果不能为“不同意”"),
            ({"result": "maybe"}, "data.result", "“评议结果”的取值无效"),
            ({"held_on": "2026-10-11"}, "data.held_on", "评议时间不能晚于办理日期")]:
        response = post("record_appraisal", meeting | changes, on="2026-10-10")
        assert response.status_code == 422, changes
        assert {"path": path, "message": message} in response.json["errors"], response.json
    ok = post("record_appraisal", meeting, on="2026-10-10")
    assert ok.status_code == 200 and ok.json["state"] == "decision"
    db.session.refresh(case)
    assert case.events[-1].data["conclusion"] == "同意给予救助"
    assert case.events[-1].data["participants"] == ["李支书", "赵会计", "王代表"]


def test_the_reviewer_may_not_approve(make, api, step, demo):
    """谁调查、谁签字、谁负责: investigator, reviewer and approver are kept distinct."""
    case = make(accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    step(case, "clerk", "submit_for_decision", date(2026, 10, 9), **investigated(
        "clerk", "village") | {"reviewer": demo.demo_user("approver").id})
    client, headers = api("approver")
    response = client.post(f"/api/v1/cases/{case.id}/transitions", headers=headers,
                           json={"action": "approve", "effective_on": "2026-10-12"})
    assert response.status_code == 403
    assert response.json["message"] == "审核人与审批人不能为同一人（谁调查、谁签字、谁负责）"
    db.session.refresh(case)
    assert case.state == "decision" and case.approver_id is None
