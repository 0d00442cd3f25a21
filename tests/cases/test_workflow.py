"""Every transition of every relief type, and the forbidden ones (role, region, state,
prerequisites, separation of duties)."""
from __future__ import annotations

from datetime import date

import pytest

from server.cases.checks import CaseError
from server.cases.demo import investigated
from server.cases.operations import save_settings, transition
from server.cases.workflows import DEFAULT_SETTINGS, build
from server.db import db
from server.regions.queries import region_by_code
from server.relief import ReliefCode
from server.standards.queries import standard_by_id


@pytest.fixture
def walk(step):
    """Run steps (username, action, date, data) on a case."""

    def _walk(case, steps):
        for username, action, on, data in steps:
            step(case, username, action, on, **data)
        return case

    return _walk


def refused(fn, status: int) -> CaseError:
    with pytest.raises(CaseError) as info:
        fn()
    db.session.rollback()
    assert info.value.status == status, (info.value.status, info.value.message)
    return info.value


def test_db_full_life(make, walk, demo):
    case = make(accepted_on=date(2026, 8, 3))
    inv = investigated()
    walk(case, [
        ("clerk", "start_investigation", date(2026, 8, 4), {}),
        ("clerk", "request_materials", date(2026, 8, 5), {"missing": "户口簿复印件"}),
        ("clerk", "materials_received", date(2026, 8, 10), {}),
        ("clerk", "flag", date(2026, 8, 11), {"flag": "doubt"}),
        ("clerk", "send_to_appraisal", date(2026, 8, 11), inv),
        ("clerk", "record_appraisal", date(2026, 8, 12), {
            "held_on": "2026-08-12", "place": "村委会", "host": "村支书", "recorder": "村会计",
            "participants": "甲、乙、丙、丁、戊、己、庚", "opinions": "情况属实",
            "votes_for": 7, "votes_against": 0, "votes_abstain": 0, "result": "agree"}),
    ])
    assert case.state == "decision" and case.flags == ["doubt"]
    walk(case, [
        ("clerk", "flag", date(2026, 8, 12), {"flag": "dispute"}),
        ("approver", "extend", date(2026, 8, 12), {"reason": "需补充核对"}),
        ("approver", "approve", date(2026, 8, 13), {}),
    ])
    assert case.state == "publicity" and case.is_extended
    assert (case.publicity_start_on, case.publicity_end_on) == (date(2026, 8, 13), date(2026, 8, 19))
    walk(case, [
        ("clerk", "object", date(2026, 8, 15), {"reason": "群众反映有经营收入"}),
    ])
    assert case.state == "investigating" and "objection" in case.flags
    walk(case, [
        ("clerk", "submit_for_decision", date(2026, 8, 17), inv),
        ("approver", "approve", date(2026, 8, 18), {}),
        ("approver", "confirm", date(2026, 8, 25), {}),
    ])
    assert case.state == "confirmed"
    assert case.monthly_amount_fen == 120000 and case.payment_start_month == date(2026, 9, 1)
    assert case.approver_id == demo.demo_user("approver").id
    walk(case, [
        ("clerk", "start_payment", date(2026, 8, 26), {}),
        ("clerk", "recheck", date(2026, 9, 10), {"reason": "年度复核", "recheck_category": "unstable"}),
        ("clerk", "increase", date(2026, 9, 15), {"amount": "1300", "reason": "成员患病"}),
        ("clerk", "decrease", date(2026, 9, 20), {"amount": "1000.50", "reason": "务工收入"}),
    ])
    assert case.next_recheck_on == date(2027, 3, 10) and case.monthly_amount_fen == 100050
    member = case.members[2]
    walk(case, [
        ("clerk", "member_death", date(2026, 9, 21), {"member": member.name,
                                                      "died_on": "2026-09-18"}),
        ("clerk", "refer", date(2026, 9, 22), {"department": "教育局：子女助学"}),
        ("clerk", "referral_done", date(2026, 9, 23), {}),
        ("clerk", "gradual_exit", date(2026, 9, 24), {"months": "3", "reason": "就业"}),
        ("clerk", "decrease", date(2026, 9, 25), {"amount": "500", "reason": "成员死亡"}),
        ("clerk", "stop", date(2026, 10, 1), {"reason": "渐退期满"}),
    ])
    assert case.state == "stopped" and not case.is_active
    assert case.payment_end_month == date(2026, 10, 1)
    assert case.gradual_exit_until == date(2026, 12, 1)
    kinds = [c.kind for c in case.changes]
    assert kinds == ["recheck", "increase", "decrease", "member_death", "gradual_exit", "decrease",
                     "stop"]
    death = case.changes[3]
    assert death.due_on == date(2026, 12, 18)
    assert all(d.done_on for d in case.deadlines)  # death handled by the decrease
    assert [e.action for e in case.events][:2] == ["accept", "start_investigation"]


def test_db_refusal_and_termination(make, walk, to_decision):
    case = to_decision(make(accepted_on=date(2026, 9, 30)))
    walk(case, [("approver", "refuse", date(2026, 10, 12), {"reason": "存款超过规定"}),
                ("clerk", "notify_refusal", date(2026, 10, 13), {})])
    assert case.state == "refused" and case.decision == "refuse" and not case.is_active
    notice = next(d for d in case.deadlines if d.kind == "refusal_notice")
    assert (notice.due_on, notice.done_on) == (date(2026, 10, 15), date(2026, 10, 13))

    other = to_decision(make(accepted_on=date(2026, 9, 30)))
    walk(other, [("approver", "approve", date(2026, 10, 12), {}),
                 ("approver", "confirm", date(2026, 10, 19), {}),
                 ("clerk", "start_payment", date(2026, 10, 20), {}),
                 ("approver", "terminate", date(2026, 11, 2), {"reason": "迁出本县"})])
    assert other.state == "terminated" and other.payment_end_month == date(2026, 11, 1)


def test_db_published_once_after_decision(make, walk, to_decision, demo):
    save_settings(region_by_code("220999000000"), ReliefCode.DB,
                  {"publish_mode": "once_after_decision", "publicity_days": 5},
                  demo.demo_user("admin"))
    db.session.commit()
    case = to_decision(make(accepted_on=date(2026, 9, 30)))
    walk(case, [("approver", "approve", date(2026, 10, 12), {})])
    assert case.decision == "approve" and case.payment_start_month == date(2026, 11, 1)
    assert case.publicity_end_on == date(2026, 10, 16)
    walk(case, [("clerk", "close_publicity", date(2026, 10, 17), {})])
    assert case.state == "confirmed"


def test_tk_termination_publicity_then_stop_next_month(make, walk):
    case = make("TK", names=("刘五保",), accepted_on=date(2026, 8, 3),
                extra_answers={"care_level": "全自理"})
    walk(case, [
        ("clerk", "start_investigation", date(2026, 8, 4), {}),
        ("clerk", "submit_for_decision", date(2026, 8, 10), investigated()),
        ("approver", "approve", date(2026, 8, 11), {}),
        ("approver", "confirm", date(2026, 8, 18), {}),
        ("clerk", "start_payment", date(2026, 8, 19), {}),
    ])
    standard = standard_by_id(case.standard_version_id, "rural")
    assert case.monthly_amount_fen == (standard.tk_basic + standard.care["全自理"]) * 100
    assert "全自理" in case.amount_formula
    walk(case, [("clerk", "propose_termination", date(2026, 10, 8), {"reason": "本人死亡"})])
    assert case.state == "termination_publicity"
    refused(lambda: transition(case, "terminate", _u("approver"), {},
                               effective_on=date(2026, 10, 10)), 422)
    walk(case, [("approver", "terminate", date(2026, 10, 15), {})])
    assert case.state == "terminated" and case.payment_end_month == date(2026, 10, 1)


def test_by_dishonesty_stop_is_taken_by_a_listing_only(make, walk, demo):
    from server.cases.operations import add_dishonesty, allowed_transitions

    case = make("BY", accepted_on=date(2026, 8, 3), income="700.00")
    walk(case, [
        ("clerk", "start_investigation", date(2026, 8, 4), {}),
        ("clerk", "submit_for_decision", date(2026, 8, 10), investigated()),
        ("approver", "approve", date(2026, 8, 11), {}),
        ("approver", "confirm", date(2026, 8, 18), {}),
        ("clerk", "recognize", date(2026, 8, 19), {}),
    ])
    assert "dishonesty_stop" not in {t.action for t in allowed_transitions(case, _u("clerk"))}
    from server.idnumber import make as make_id

    stranger = add_dishonesty(region_by_code("220999101000"), make_id(
        "220999", date(1970, 1, 1), 11), "外人",
                              "虚报", _u("clerk"), listed_on=date(2026, 9, 1))
    error = refused(lambda: transition(case, "dishonesty_stop", _u("clerk"),
                                       {"dishonesty": stranger.id},
                                       effective_on=date(2026, 9, 2)), 422)
    assert error.errors()[0]["path"] == "data.dishonesty"
    entry = add_dishonesty(region_by_code("220999101000"), case.applicant_id_number,
                           case.applicant_name, "隐瞒收入", _u("clerk"),
                           listed_on=date(2026, 9, 2), kind="hidden_income")
    walk(case, [("clerk", "dishonesty_stop", date(2026, 9, 2), {"dishonesty": entry.id})])
    assert case.state == "stopped" and not case.is_active
    assert case.events[-1].data["kind_label"] == "故意隐瞒家庭收入"


def _u(name):
    from server.demo import demo_user

    return demo_user(name)


def test_ls_emergency_aid_and_county_queue(make, walk):
    case = make("LS", names=("孙志强", "周丽"), income=None, accepted_on=date(2026, 10, 12))
    walk(case, [
        ("clerk", "emergency_aid", date(2026, 10, 12), {"amount": "500"}),
        ("clerk", "start_investigation", date(2026, 10, 13), {}),
        ("clerk", "submit_for_decision", date(2026, 10, 14), investigated()),
    ])
    paperwork = next(d for d in case.deadlines if d.kind == "emergency_paperwork")
    assert paperwork.due_on == date(2026, 10, 19)
    aid = next(d for d in case.deadlines if d.kind == "emergency_aid")
    assert (aid.due_on, aid.done_on) == (date(2026, 10, 13), date(2026, 10, 12))
    refused(lambda: transition(case, "approve", _u("approver"), {},
                               effective_on=date(2026, 10, 15)), 422)
    walk(case, [("approver", "approve", date(2026, 10, 15), {"requested_amount": "5000"})])
    assert case.state == "county_review" and case.needs_county_decision
    assert case.one_off_amount_fen == 500000 and case.emergency_aid_fen == 50000
    refused(lambda: transition(case, "county_approve", _u("approver"), {}), 403)
    walk(case, [("supervisor", "county_approve", date(2026, 10, 16), {}),
                ("clerk", "pay_one_off", date(2026, 10, 20), {})])
    assert case.state == "closed" and case.payment_start_month == date(2026, 11, 1)

    small = make("LS", names=("吴桂芝",), income=None, accepted_on=date(2026, 10, 12))
    walk(small, [
        ("clerk", "start_investigation", date(2026, 10, 12), {}),
        ("clerk", "submit_for_decision", date(2026, 10, 13), investigated()),
        ("approver", "approve", date(2026, 10, 14), {"requested_amount": "1000"}),
    ])
    assert small.state == "confirmed" and not small.needs_county_decision

    county = make("LS", names=("郑大海",), income=None, accepted_on=date(2026, 10, 12))
    walk(county, [
        ("clerk", "start_investigation", date(2026, 10, 12), {}),
        ("clerk", "submit_for_decision", date(2026, 10, 13), investigated()),
        ("approver", "approve", date(2026, 10, 14), {"requested_amount": "3000"}),
        ("admin", "county_refuse", date(2026, 10, 15), {"reason": "已获其他救助"}),
    ])
    assert county.state == "refused"


def test_by_recognition_without_payment(make, walk):
    case = make("BY", income="700.00", accepted_on=date(2026, 8, 3))
    walk(case, [
        ("clerk", "start_investigation", date(2026, 8, 4), {}),
        ("clerk", "submit_for_decision", date(2026, 8, 10), investigated()),
        ("approver", "approve", date(2026, 8, 11), {}),
        ("approver", "confirm", date(2026, 8, 18), {}),
        ("clerk", "recognize", date(2026, 8, 19), {}),
    ])
    assert case.state == "recognized" and case.monthly_amount_fen == 0
    assert case.payment_start_month is None and case.next_recheck_on == date(2027, 8, 19)
    walk(case, [
        ("clerk", "recheck", date(2026, 9, 1), {"reason": "复核"}),
        ("clerk", "member_death", date(2026, 9, 2), {"member": case.members[0].name,
                                                     "died_on": "2026-09-01"}),
        ("clerk", "stop", date(2026, 9, 3), {"reason": "收入超过认定标准"}),
    ])
    assert case.state == "stopped"


def test_county_visit_required_for_relatives(make, walk, demo):
    from server.cases.operations import add_relative

    case = make(accepted_on=date(2026, 9, 30))
    add_relative(region_by_code("220999101000"), case.members[1].id_number, case.members[1].name,
                 "配偶", demo.demo_user("admin"), cadre_name="东风村 村主任")
    db.session.commit()
    assert case.is_relative_case
    walk(case, [("clerk", "start_investigation", date(2026, 9, 30), {}),
                ("clerk", "submit_for_decision", date(2026, 10, 9), investigated())])
    error = refused(lambda: transition(case, "approve", _u("approver"), {},
                                       effective_on=date(2026, 10, 12)), 422)
    assert error.errors()[0]["path"] == "county_visit_on"
    walk(case, [("supervisor", "county_visit", date(2026, 10, 12), {"findings": "属实"}),
                ("approver", "approve", date(2026, 10, 12), {})])
    assert case.state == "publicity"


def test_forbidden_transitions(make, step, demo):
    case = make(accepted_on=date(2026, 9, 30))
    # wrong role
    refused(lambda: transition(case, "start_investigation", _u("village"), {}), 403)
    refused(lambda: transition(case, "county_visit", _u("clerk"), {"findings": "x"}), 403)
    # wrong region
    refused(lambda: transition(case, "start_investigation", _u("clerk2"), {}), 404)
    # wrong state
    refused(lambda: transition(case, "approve", _u("approver"), {}), 409)
    refused(lambda: transition(case, "no_such_step", _u("clerk"), {}), 409)
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    # missing prerequisites, with field paths
    error = refused(lambda: transition(case, "submit_for_decision", _u("clerk"),
                                       investigated() | {"investigators": [_u("clerk").id]},
                                       effective_on=date(2026, 10, 9)), 422)
    assert error.errors() == [{"path": "data.investigators", "message": "入户调查至少需要 2 名调查人员"}]
    assert refused(lambda: transition(case, "send_to_appraisal", _u("clerk"), investigated()),
                   422).errors()[0]["path"] == "flags"
    assert refused(lambda: transition(case, "submit_for_decision", _u("clerk"), {}),
                   422).errors()[0]["path"] == "data.investigators"
    assert refused(lambda: transition(case, "flag", _u("clerk"), {"flag": "bogus"}),
                   422).errors()[0]["path"] == "data.flag"
    refused(lambda: transition(case, "refer", _u("clerk"), {"department": "x"},
                               effective_on=date(2026, 9, 1)), 422)  # before the last step
    # separation of duties: the approver investigated alone (no home visit)
    step(case, "clerk", "submit_for_decision", date(2026, 10, 9),
         **investigated() | {"investigators": [_u("approver").id], "is_home_visit": ""})
    error = refused(lambda: transition(case, "approve", _u("approver"), {},
                                       effective_on=date(2026, 10, 12)), 403)
    assert "唯一调查人" in error.message
    refused(lambda: transition(case, "refuse", _u("approver"), {"reason": "x"}), 403)
    # confirm before the publicity is over
    other = make(accepted_on=date(2026, 9, 30))
    step(other, "clerk", "start_investigation", date(2026, 9, 30))
    step(other, "clerk", "submit_for_decision", date(2026, 10, 9), **investigated())
    step(other, "approver", "approve", date(2026, 10, 12))
    error = refused(lambda: transition(other, "confirm", _u("approver"), {},
                                       effective_on=date(2026, 10, 18)), 422)
    assert error.errors()[0]["path"] == "publicity_end_on"


def test_missing_income_and_no_standard(make, step, demo):
    case = make(income=None, accepted_on=date(2026, 9, 30))
    step(case, "clerk", "start_investigation", date(2026, 9, 30))
    error = refused(lambda: transition(case, "submit_for_decision", _u("clerk"), investigated(),
                                       effective_on=date(2026, 10, 9)), 422)
    assert error.errors()[0]["path"] == "answers.per_capita_income"
    early = make(accepted_on=date(2025, 12, 1))
    step(early, "clerk", "start_investigation", date(2025, 12, 1))
    step(early, "clerk", "submit_for_decision", date(2025, 12, 5), **investigated())
    error = refused(lambda: transition(early, "approve", _u("approver"), {},
                                       effective_on=date(2025, 12, 8)), 422)
    assert "没有生效的救助标准" in error.message


USERNAMES = {"admin", "supervisor", "clerk", "approver", "village", "clerk2", "clerk3"}


def _steps_in_this_file() -> set[str]:
    """Actions the walks above take successfully: (user, action, date, data) rows and
    ``step(case, user, action, …)`` calls (refused attempts are not counted)."""
    import ast
    from pathlib import Path

    taken = set()
    for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple) and len(node.elts) == 4:
            user, action = node.elts[:2]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "step":
            user, action = node.args[1:3]
        else:
            continue
        if isinstance(user, ast.Constant) and user.value in USERNAMES:
            taken.add(action.value)
    return taken


def test_every_transition_is_walked():
    """Every action of every relief type's workflow is taken by a walk in this file."""
    taken = _steps_in_this_file()
    variants = [build(code, DEFAULT_SETTINGS[code]) for code in ReliefCode]
    variants.append(build(ReliefCode.DB, DEFAULT_SETTINGS[ReliefCode.DB].merged(
        {"publish_mode": "once_after_decision"})))
    actions = {t.action for wf in variants for t in wf.transitions}
    assert actions - taken == set()


def test_county_correction_revocation_and_reinvestigation(make, walk, to_decision):
    """The county's 复核 outcomes are workflow steps only the county takes, not buttons: a
    corrected amount is paid from the next month, a revocation stops the case."""
    from server.cases.operations import allowed_transitions

    case = to_decision(make(accepted_on=date(2026, 9, 30)))
    walk(case, [("approver", "approve", date(2026, 10, 12), {}),
                ("approver", "confirm", date(2026, 10, 19), {}),
                ("clerk", "start_payment", date(2026, 10, 20), {})])
    before = case.monthly_amount_fen
    refused(lambda: transition(case, "county_correct", _u("approver"),
                               {"amount": "300", "reason": "收入认定有误"}), 403)
    walk(case, [("supervisor", "county_correct", date(2026, 11, 10),
                 {"amount": "300", "reason": "收入认定有误"})])
    assert case.state == "paying" and case.scheduled_amount_month == date(2026, 12, 1)
    assert case.amount_for(date(2026, 11, 1)) == before != 30000
    assert case.amount_for(date(2026, 12, 1)) == 30000
    assert case.changes[-1].kind == "county_correct" and case.changes[-1].amount_after_fen == 30000
    assert "county_correct" not in {t.action for t in allowed_transitions(case, _u("supervisor"))}
    walk(case, [("supervisor", "county_reinvestigate", date(2026, 11, 12), {"reason": "重新核查"})])
    assert case.state == "paying" and "reinvestigate" in case.flags
    walk(case, [("supervisor", "county_revoke", date(2026, 12, 1), {"reason": "不符合条件"})])
    assert case.state == "stopped" and case.payment_end_month == date(2026, 12, 1)
    assert case.monthly_amount_fen == 30000 and case.scheduled_amount_month is None

    pending = to_decision(make(accepted_on=date(2026, 9, 30)))
    walk(pending, [("supervisor", "county_reinvestigate", date(2026, 10, 12), {"reason": "疑点"})])
    assert pending.state == "investigating"
