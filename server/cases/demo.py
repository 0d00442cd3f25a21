"""Demo cases in 东风镇 at different steps, and the factory tests use to make cases.

Cases are made as the intake room makes them (Case + Member rows; the acceptance event and
clocks follow on flush), then walked through the workflow with ``operations.transition``.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from .. import demo, idnumber
from ..db import db
from ..periods import local_today
from ..regions.queries import region_by_code
from ..relief import ReliefCode
from ..schemas.models import SchemaStatus, SchemaVersion
from .models import Case, Member

DEMO_SOURCE = "# minimal form used by demo cases until the county publishes its own\nfields: []\n"


def schema_version_for(county, relief_type: ReliefCode) -> SchemaVersion:
    """The county's newest published form of the type (a minimal one if it has none)."""
    stmt = select(SchemaVersion).where(SchemaVersion.county_id == county.id,
                                       SchemaVersion.relief_type == relief_type)
    version = db.session.scalars(stmt.where(SchemaVersion.status == SchemaStatus.published)
                                 .order_by(SchemaVersion.number.desc())).first()
    if version is None:
        number = (db.session.scalar(select(func.max(SchemaVersion.number)).where(
            SchemaVersion.county_id == county.id, SchemaVersion.relief_type == relief_type))
            or 0) + 1
        version = SchemaVersion(county_id=county.id, relief_type=relief_type, number=number,
                                status=SchemaStatus.published, source=DEMO_SOURCE,
                                definition={"fields": []})
        db.session.add(version)
        db.session.flush()
    return version


def ensure_standard(county) -> None:
    """A standard set for the county if it has none (demo and tests need one to decide)."""
    from ..standards.models import StandardSet

    if db.session.scalar(select(StandardSet.id).where(StandardSet.region_id == county.id)):
        return
    db.session.add(StandardSet(region=county, effective_from=date(2026, 1, 1),
                               db_urban=Decimal("800.00"), db_rural=Decimal("600.00"),
                               care_self=Decimal("200.00"), care_partial=Decimal("500.00"),
                               care_full=Decimal("1000.00"), basis="示范县民政局〔2026〕1号"))
    db.session.flush()


def make_case(village_code: str, relief_type="DB", *, accepted_on: date | None = None,
              names=("王大山", "李秀英", "王小明"), income: str | None = "200.00",
              seed: int = 1, creator=None, extra_answers: dict | None = None) -> Case:
    """A case in the village with members born in different years and valid ID numbers."""
    from ..intake.operations import next_case_number

    relief_type = ReliefCode(relief_type)
    village = region_by_code(village_code)
    accepted_on = accepted_on or local_today()
    members = []
    for position, name in enumerate(names):
        born = date(1960 + 15 * position, 1 + (seed % 12), 1 + position)
        number = idnumber.make(village.code[:6], born, (seed * 10 + position) % 1000)
        members.append(Member(position=position, name=name, id_number=number,
                              relationship_="本人" if position == 0 else "家庭成员",
                              sex=idnumber.sex(number), birth_date=born,
                              is_applicant=position == 0))
    answers = {"per_capita_income": income}
    if income is None:
        answers = {}
    answers.update(extra_answers or {})
    case = Case(case_number=next_case_number(village.county, relief_type.value,
                                             accepted_on.year),
                relief_type=relief_type,
                schema_version_id=schema_version_for(village.county, relief_type).id,
                state="accepted", region=village, applicant_name=names[0],
                applicant_id_number=members[0].id_number, answers=answers,
                created_by_id=creator.id if creator else None, accepted_on=accepted_on,
                urban_rural=village.urban_rural.value, persons_covered=len(names),
                members=members)
    db.session.add(case)
    db.session.flush()
    return case


def _walk(case, steps):
    from .operations import transition

    for username, action, on, data in steps:
        transition(case, action, demo.demo_user(username), data, effective_on=on)


def investigated(*usernames: str, visited_on: date | None = None) -> dict:
    """Data of a ``submit_for_decision`` step: a home visit by the given demo users
    (the first reviews), with everything the 入户调查表 prints."""
    ids = [demo.demo_user(u).id for u in usernames or ("clerk", "approver")]
    data = {"investigators": ids, "is_home_visit": True, "reviewer": ids[0],
            "members_present": ["本人"], "housing": "自有砖瓦房一处", "housing_area": "60",
            "vehicles": "无", "other_assets": "无大额存款，无其他财产",
            "incomes": {"wages": "0", "transfers": "0"},
            "survey_findings": "家中无稳定收入来源，生活困难属实",
            "survey_opinion": "符合救助条件，建议给予救助"}
    if visited_on:
        data["visited_on"] = visited_on.isoformat()
    return data


@demo.register
def demo_cases() -> None:
    """东风镇: one case at each main step, one accepted on Friday 2026-09-25 (中秋节)."""
    ensure_standard(region_by_code("220999000000"))
    clerk = demo.demo_user("clerk")
    inv = investigated()
    holiday = make_case("220999101201", accepted_on=date(2026, 9, 25), seed=1, creator=clerk)
    _walk(holiday, [("clerk", "start_investigation", date(2026, 9, 28), {})])
    paying = make_case("220999101201", accepted_on=date(2026, 9, 30), seed=2, creator=clerk,
                       names=("张建国", "刘桂兰"), income="150.00")
    _walk(paying, [
        ("clerk", "start_investigation", date(2026, 9, 30), {}),
        ("clerk", "submit_for_decision", date(2026, 10, 9), inv),
        ("approver", "approve", date(2026, 10, 12), {}),
        ("approver", "confirm", date(2026, 10, 19), {}),
        ("clerk", "start_payment", date(2026, 10, 20), {}),
    ])
    publicity = make_case("220999101202", accepted_on=date(2026, 11, 2), seed=3, creator=clerk,
                          names=("赵春花",), income="320.00")
    _walk(publicity, [
        ("clerk", "start_investigation", date(2026, 11, 3), {}),
        ("clerk", "submit_for_decision", date(2026, 11, 10), inv),
        ("approver", "approve", date(2026, 11, 11), {}),
    ])
    make_case("220999101203", "LS", accepted_on=date(2026, 11, 20), seed=4, creator=clerk,
              names=("孙志强", "周丽"), income=None)
    late = make_case("220999101202", accepted_on=date(2026, 10, 15), seed=5, creator=clerk,
                     names=("钱文革", "钱小雨"), income="100.00")
    _walk(late, [("clerk", "start_investigation", date(2026, 10, 16), {})])


APPRAISAL_FLAG = {"flag": "doubt"}


@demo.register
def demo_stages() -> None:
    """东风镇: one case waiting at every step, dated back from today so the next step can be
    taken today (a publicity that ended yesterday, a refusal whose notice is due…). They are
    in 红旗村 and 前进村: tests count what 东风村 holds."""
    from .clocks import local_today

    today = local_today()
    clerk = demo.demo_user("clerk")

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    def case(village, names, income, accepted, seed, relief="DB"):
        return make_case(village, relief, accepted_on=ago(accepted), seed=seed, creator=clerk,
                         names=names, income=income)

    case("220999101203", ("冯建军", "冯小燕"), "180.00", 0, 11)  # accepted today
    materials = case("220999101202", ("褚秀梅",), "260.00", 2, 12)
    _walk(materials, [("clerk", "request_materials", ago(1), {"missing": "户口簿复印件；收入证明"})])
    appraisal = case("220999101202", ("卫国庆", "蒋芳"), "240.00", 6, 13)
    _walk(appraisal, [("clerk", "start_investigation", ago(5), {}),
                      ("clerk", "flag", ago(3), APPRAISAL_FLAG),
                      ("clerk", "send_to_appraisal", ago(2), investigated(visited_on=ago(3)))])
    decision = case("220999101203", ("沈红梅", "韩磊", "韩小雪"), "210.00", 5, 14)
    _walk(decision, [("clerk", "start_investigation", ago(4), {}),
                     ("clerk", "submit_for_decision", ago(1), investigated(visited_on=ago(2)))])
    in_publicity = case("220999101203", ("杨志远",), "300.00", 9, 15)
    _walk(in_publicity, [("clerk", "start_investigation", ago(8), {}),
                         ("clerk", "submit_for_decision", ago(4), investigated()),
                         ("approver", "approve", ago(2), {})])
    ended = case("220999101202", ("朱桂芝", "朱小军"), "160.00", 14, 16)
    _walk(ended, [("clerk", "start_investigation", ago(13), {}),
                  ("clerk", "submit_for_decision", ago(9), investigated()),
                  ("approver", "approve", ago(7), {})])  # 7 days on the board: ended yesterday
    confirmed = case("220999101203", ("秦建华", "许丽"), "190.00", 16, 17)
    _walk(confirmed, [("clerk", "start_investigation", ago(15), {}),
                      ("clerk", "submit_for_decision", ago(12), investigated()),
                      ("approver", "approve", ago(10), {}),
                      ("approver", "confirm", ago(1), {})])
    refused = case("220999101203", ("何永强",), "900.00", 8, 18)
    _walk(refused, [("clerk", "start_investigation", ago(7), {}),
                    ("clerk", "submit_for_decision", ago(3), investigated()),
                    ("approver", "refuse", ago(1), {"reason": "家庭人均收入高于当地低保标准"})])
