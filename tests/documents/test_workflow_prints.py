"""Issue 9.4: what the workflow records is what the documents print.

A case taken through the whole procedure (investigation, appraisal, decision, publicity,
payment; and a refused one) renders every kind its steps produced; every value a step
captured appears in the text, and nothing the workflow holds prints as the placeholder.
"""
from __future__ import annotations

from datetime import date

from server.cases.demo import ensure_standard, make_case
from server.cases.operations import transition
from server.db import db
from server.documents import operations
from server.regions.queries import region_by_code

from .conftest import docx_text


def _step(demo, case, username, action, on, **data):
    transition(case, action, demo.demo_user(username), data, effective_on=on)
    db.session.commit()


def investigation(demo, case) -> dict:
    return {"investigators": [demo.demo_user("clerk").id, demo.demo_user("village").id],
            "is_home_visit": True, "reviewer": demo.demo_user("clerk").id,
            "visited_on": "2026-10-08", "members_present": [case.members[0].name,
                                                            case.members[1].name],
            "housing": "砖混结构自有住房一处", "housing_area": "62", "vehicles": "无机动车",
            "other_assets": "银行存款约三千元，无其他大额财产",
            "incomes": {"wages": "300", "transfers": "150.50", "business": "0"},
            "survey_findings": "户主患慢性病不能务工，配偶在家务农",
            "survey_opinion": "家庭人均收入低于当地低保标准，建议给予保障"}


APPRAISAL = {"held_on": "2026-10-10", "place": "东风村村委会会议室", "host": "李支书",
             "recorder": "赵会计", "participants": "李支书、赵会计、王代表、陈代表、刘代表",
             "opinions": "与会代表认为该户确因病致贫", "votes_for": "4", "votes_against": "0",
             "votes_abstain": "1", "result": "agree"}


def _kinds(case) -> list[str]:
    seen = []
    for event in case.events:
        for kind in (event.data or {}).get("documents", ()):
            if kind not in seen:
                seen.append(kind)
    return seen


def test_every_document_of_a_whole_procedure_prints_what_the_workflow_holds(demo):
    ensure_standard(region_by_code("220999000000"))
    case = make_case("220999101201", accepted_on=date(2026, 9, 30), seed=41,
                     creator=demo.demo_user("clerk"))
    db.session.commit()
    inv = investigation(demo, case)
    _step(demo, case, "clerk", "start_investigation", date(2026, 9, 30))
    _step(demo, case, "clerk", "flag", date(2026, 10, 8), flag="doubt")
    _step(demo, case, "clerk", "send_to_appraisal", date(2026, 10, 9), **inv)
    _step(demo, case, "clerk", "record_appraisal", date(2026, 10, 10), **APPRAISAL)
    _step(demo, case, "approver", "approve", date(2026, 10, 12),
          decision_opinion="经审核，符合低保条件，同意保障")
    _step(demo, case, "approver", "confirm", date(2026, 10, 19))
    _step(demo, case, "clerk", "start_payment", date(2026, 10, 20))
    assert case.state == "paying"

    kinds = _kinds(case)
    assert {"household_survey", "appraisal_minutes", "decision_form",
            "confirmation_notice"} <= set(kinds)
    texts = {kind: docx_text(operations.render_kind(kind, case)) for kind in kinds}
    survey = texts["household_survey"]
    for value in ("2026年10月8日", "东风镇经办员", "东风村协理员", case.members[0].name,
                  case.members[1].name, "砖混结构自有住房一处", "62", "无机动车",
                  "银行存款约三千元", "工资性收入", "300.00", "转移净收入", "150.50",
                  inv["survey_findings"], inv["survey_opinion"]):
        assert value in survey, value
    minutes = texts["appraisal_minutes"]
    for value in ("2026年10月10日", "东风村村委会会议室", "李支书", "赵会计", "王代表",
                  "同意4票", "不同意0票", "弃权1票", "同意给予救助", "与会代表认为该户确因病致贫"):
        assert value in minutes, value
    assert "/" not in minutes.replace(case.case_number, "")  # every line comes from the step
    decision = texts["decision_form"]
    for value in ("东风镇经办员、东风村协理员", "东风镇首席代表", "经审核，符合低保条件，同意保障"):
        assert value in decision, value
    reviewer_row = decision.split("审核人")[1]
    assert reviewer_row.lstrip().startswith("东风镇经办员")


def test_a_refused_case_prints_its_reason_and_opinion(demo):
    ensure_standard(region_by_code("220999000000"))
    case = make_case("220999101201", accepted_on=date(2026, 9, 30), seed=42,
                     creator=demo.demo_user("clerk"))
    db.session.commit()
    _step(demo, case, "clerk", "start_investigation", date(2026, 9, 30))
    _step(demo, case, "clerk", "submit_for_decision", date(2026, 10, 9),
          **investigation(demo, case))
    _step(demo, case, "approver", "refuse", date(2026, 10, 12), reason="家庭存款超过规定")
    texts = {kind: docx_text(operations.render_kind(kind, case)) for kind in _kinds(case)}
    assert "家庭存款超过规定" in texts["refusal_notice"]
    assert "家庭存款超过规定" in texts["decision_form"].split("审核意见")[1]
    assert "砖混结构自有住房一处" in texts["household_survey"]
