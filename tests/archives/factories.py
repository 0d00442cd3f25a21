"""Decided cases for archive and filing tests (the demo county must be loaded)."""
from __future__ import annotations

from datetime import date, datetime
from itertools import count

from sqlalchemy import select

from server.cases.models import Case, Member
from server.db import db
from server.idnumber import make
from server.relief import ReliefCode
from server.schemas.models import SchemaStatus, SchemaVersion

from ..conftest import region

_numbers = count(1)


def schema_version(relief_type=ReliefCode.DB) -> SchemaVersion:
    county = region("220999000000")
    row = db.session.scalars(select(SchemaVersion).where(
        SchemaVersion.county_id == county.id, SchemaVersion.relief_type == relief_type)).first()
    if row is None:
        row = SchemaVersion(county_id=county.id, relief_type=relief_type, number=1,
                            status=SchemaStatus.published, source="{}", definition={})
        db.session.add(row)
        db.session.flush()
    return row


def make_case(village_code="220999101201", relief_type=ReliefCode.DB, *, name=None,
              decided_at=datetime(2026, 3, 10, 2), start=date(2026, 4, 1), end=None,
              monthly_fen=50000, one_off_fen=0, persons=2, urban_rural="rural",
              members=None, answers=None, state="paying", **facts) -> Case:
    """A decided (and paying) case with members; ``members`` is a list of (sex, birth date)."""
    n = next(_numbers)
    relief_type = ReliefCode(relief_type)
    members = members or [("M", date(1960, 1, 1)), ("F", date(2012, 5, 5))][:max(persons, 1)]
    case = Case(case_number=f"T{n:06d}", relief_type=relief_type, region=region(village_code),
                schema_version=schema_version(relief_type), state=state,
                applicant_name=name or f"户主{n}", applicant_id_number="",
                answers=answers or {}, urban_rural=urban_rural, persons_covered=persons,
                decided_at=decided_at, monthly_amount_fen=monthly_fen,
                one_off_amount_fen=one_off_fen, payment_start_month=start,
                payment_end_month=end, accepted_on=date(2026, 3, 2), **facts)
    for i, (sex, born) in enumerate(members):
        idn = make("220999", born, (2 * n * 10 + i * 2 + (1 if sex == "M" else 0)) % 1000)
        case.members.append(Member(position=i, name=case.applicant_name if i == 0 else f"成员{n}-{i}",
                                   id_number=idn, sex=sex, birth_date=born, is_applicant=i == 0,
                                   relationship_="本人" if i == 0 else "子女"))
    case.applicant_id_number = case.members[0].id_number
    db.session.add(case)
    db.session.flush()
    return case
