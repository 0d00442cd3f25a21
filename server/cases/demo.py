"""Demo cases in 东风镇 at different steps, and the factory tests use to make cases.

Cases are made as the intake room makes them (Case + Member rows; the acceptance event and
clocks follow on flush), then walked through the workflow with ``operations.transition``.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from .. import demo, idnumber
from ..db import db
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
    accepted_on = accepted_on or date.today()
    members = []
    for position, name in enumerate(names):
        born = date(1960 + 15 * position, 1 + (seed % 12), 1 + position)
        number = idnumber.make(village.code[:6], born, (seed * 10 + position) % 1000)
        members.append(Member(position=position, name=name, id_number=number,
                              relationship_="本人" if position == 0 else "家庭成员",
                              sex=idnumber.sex(number), birth_date=born,
                              is_applicant=position == 0))
    answers = {"household": {"per_capita_income": income, "persons_covered": len(names)}}
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
