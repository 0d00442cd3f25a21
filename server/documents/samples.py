"""Realistic sample households, one per procedure family (so a county's own item has one too):
template previews and tests use them.

``sample_case`` returns a transient Case (not added to the session): a preview renders it and
throws it away; a test may add it to the session to make it real.
"""
from __future__ import annotations

from datetime import date, datetime

from ..cases.models import Case, Member
from ..idnumber import check_character
from ..relief import Family, item


def sample_id_number(birth: date, sequence: int, area: str = "220999") -> str:
    """A valid GB 11643 number (odd sequence = male)."""
    first17 = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


# (name, relationship, sex, birth, details)
HOUSEHOLDS = {
    Family.monthly: [
        ("张桂兰", "本人", "F", date(1968, 3, 12), {
            "has_illness": True, "illness": "糖尿病", "is_disabled": False,
            "work_ability": "部分丧失劳动能力", "occupation": "务农", "monthly_income": "300.00"}),
        ("李建国", "配偶", "M", date(1965, 7, 2), {
            "has_illness": True, "illness": "尿毒症", "is_disabled": True,
            "disability_grade": "二级", "work_ability": "完全丧失劳动能力",
            "monthly_income": "0"}),
        ("李明", "子女", "M", date(2010, 9, 1), {
            "has_illness": False, "is_disabled": False, "occupation": "学生",
            "work_ability": "无劳动能力（未成年或老年）", "monthly_income": "0"}),
    ],
    Family.care: [
        ("王德福", "本人", "M", date(1948, 1, 20), {
            "has_illness": True, "illness": "高血压", "is_disabled": True,
            "disability_grade": "三级", "work_ability": "无劳动能力（未成年或老年）"}),
    ],
    Family.one_off: [
        ("赵红梅", "本人", "F", date(1979, 11, 5), {
            "has_illness": False, "is_disabled": False, "work_ability": "有劳动能力",
            "occupation": "灵活就业", "monthly_income": "1200.00"}),
        ("孙强", "配偶", "M", date(1977, 4, 18), {
            "has_illness": True, "illness": "脑出血（住院治疗）", "is_disabled": False,
            "work_ability": "完全丧失劳动能力", "monthly_income": "0"}),
    ],
    Family.recognition: [
        ("刘淑芬", "本人", "F", date(1972, 6, 30), {
            "has_illness": False, "is_disabled": False, "work_ability": "有劳动能力",
            "occupation": "保洁员", "monthly_income": "1500.00"}),
        ("刘洋", "子女", "M", date(2008, 2, 14), {
            "has_illness": False, "is_disabled": False, "occupation": "学生",
            "work_ability": "无劳动能力（未成年或老年）", "monthly_income": "0"}),
    ],
}

ANSWERS = {
    Family.monthly: {"reason": "丈夫重病丧失劳动能力，医疗支出大，儿子在读，家庭收入低于当地低保标准",
                    "incomes": [{"kind": "转移净收入", "description": "养老金", "amount": "150.00",
                                 "is_exempt": False},
                                {"kind": "转移净收入", "description": "残疾人两项补贴",
                                 "amount": "100.00", "is_exempt": True}],
                    "income_total": "550.00", "per_capita_income": "150.00",
                    "house_count": 1, "deposits": "3200.00", "has_vehicle": False,
                    "other_assets": "无",
                    "missing_materials": ["李建国的残疾证复印件", "近6个月医疗费用票据"]},
    Family.care: {"reason": "年老无劳动能力，无生活来源，无法定赡养抚养扶养义务人",
                    "incomes": [{"kind": "转移净收入", "description": "高龄津贴", "amount": "180.00",
                                 "is_exempt": False}],
                    "house_count": 0, "deposits": "800.00", "has_vehicle": False,
                    "proxy": {"name": "陈立新", "id_number": "", "phone": "13904310001",
                              "relationship": "村社会救助协理员"}},
    Family.one_off: {"reason": "配偶突发重病住院，自付医疗费用超过家庭承受能力",
                    "incomes": [], "house_count": 0, "deposits": "500.00", "has_vehicle": False},
    Family.recognition: {"reason": "单亲家庭，子女在读，收入略高于低保标准",
                    "incomes": [], "house_count": 1, "deposits": "6000.00", "has_vehicle": False},
}
COMMON_ANSWERS = {"address": "东风镇东风村三组12号", "phone": "13804310000",
                  "bank_name": "九州农村商业银行", "bank_account": "6230520012345678901",
                  "survey_findings": "经入户查看，家庭生活困难情况属实，申报收入与核对结果一致。",
                  "visited_on": "2026-11-10"}
AMOUNTS = {Family.monthly: (112000, 0), Family.care: (98000, 0), Family.one_off: (0, 300000),
           Family.recognition: (0, 0)}


def sample_case(relief, village, schema_version=None, number: int = 1,
                state: str = "decision") -> Case:
    kind = item(relief)
    people = HOUSEHOLDS[kind.family]
    members = [
        Member(position=i, name=name, relationship_=rel, sex=sex, birth_date=born,
               id_number=sample_id_number(born, 2 * (number * 8 + i) + (sex == "M")),
               is_applicant=i == 0, details=dict(details))
        for i, (name, rel, sex, born, details) in enumerate(people)
    ]
    monthly, one_off = AMOUNTS[kind.family]
    case = Case(
        case_number=f"{village.code[:6]}-2026-{kind.code}-{number:06d}",
        relief_type=kind.code, state=state, region=village,
        applicant_name=members[0].name, applicant_id_number=members[0].id_number,
        answers={**COMMON_ANSWERS, **ANSWERS[kind.family]},
        accepted_on=date(2026, 11, 2), decided_at=datetime(2026, 11, 20, 2, 0),
        urban_rural=getattr(getattr(village, "urban_rural", None), "value", "rural"),
        persons_covered=len(members), monthly_amount_fen=monthly, one_off_amount_fen=one_off,
        payment_start_month=date(2026, 12, 1),
        care_level="全自理" if kind.has_care_levels else None,
        ls_kind="spending" if kind.is_one_off else None,
        archive_number=f"{village.code[:6]}-2026-{kind.code}-{number:06d}",
        members=members,
    )
    if schema_version is not None:
        case.schema_version = schema_version
    return case
