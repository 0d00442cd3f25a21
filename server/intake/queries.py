"""Intake reads: published versions a user may take applications with, drafts, duplicates."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from .. import idnumber
from ..cases.models import Case, Member
from ..db import db
from ..regions.models import Region
from ..regions.queries import scoped
from ..relief import RELIEF_TYPES, ReliefCode
from ..schemas.models import SchemaStatus, SchemaVersion
from .models import IntakeDraft, Upload


def published_version(county: Region, relief_type: ReliefCode) -> SchemaVersion | None:
    """The newest published version of a relief type's form in the county."""
    stmt = (select(SchemaVersion)
            .where(SchemaVersion.county_id == county.id,
                   SchemaVersion.relief_type == relief_type,
                   SchemaVersion.status == SchemaStatus.published)
            .order_by(SchemaVersion.number.desc()).limit(1))
    return db.session.scalars(stmt).first()


def intake_choices(user) -> list[tuple]:
    """(relief type, its published version or None) for the user's county, in code order."""
    county = user.region.county
    return [(relief, published_version(county, code)) for code, relief in RELIEF_TYPES.items()]


def upload_description(user, upload_id: int) -> dict | None:
    """The clean file value of an upload the user's region owns (None: not theirs or none)."""
    upload = db.session.scalars(scoped(Upload, user).where(Upload.id == upload_id)).first()
    return upload.describe() if upload is not None else None


def open_drafts(user) -> list[IntakeDraft]:
    stmt = (scoped(IntakeDraft, user).where(IntakeDraft.case_id.is_(None))
            .order_by(IntakeDraft.updated_at.desc()))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class DuplicateMember:
    name: str
    id_number: str
    case_number: str
    township: str
    case_id: int
    is_visible: bool  # the user may open the other case

    @property
    def message(self) -> str:
        """Name, case number and township only of a case the user may open; of anyone else's
        case nothing of that region is told."""
        if not self.is_visible:
            return _("A member (%(id)s) is in another open case outside your area: ask the "
                     "county civil affairs bureau whether this is a second application",
                     id=idnumber.mask(self.id_number))
        return _("Member %(name)s (%(id)s) is in another open case, %(number)s (%(township)s): "
                 "check whether this is a second application", name=self.name,
                 id=idnumber.mask(self.id_number), number=self.case_number,
                 township=self.township)


def duplicate_members(id_numbers, user, exclude_case_id: int | None = None
                      ) -> list[DuplicateMember]:
    """Members of other active cases with these ID numbers, anywhere in the user's county.

    Deliberately county-wide (not the user's township only): a household applying in two
    townships is exactly what the warning is for; of a case outside the user's region the
    message tells nothing but that it exists.
    """
    numbers = sorted({idnumber.normalize(n) for n in id_numbers if n})
    if not numbers:
        return []
    county_prefix, own = user.region.county.prefix, user.region.prefix
    stmt = (select(Member, Case, Region.code).join(Case, Member.case_id == Case.id)
            .join(Region, Case.region_id == Region.id)
            .where(Member.id_number.in_(numbers), Case.is_active.is_(True),
                   Region.code.startswith(county_prefix, autoescape=True))
            .order_by(Case.id, Member.position))
    if exclude_case_id is not None:
        stmt = stmt.where(Case.id != exclude_case_id)
    out = []
    for member, case, code in db.session.execute(stmt):  # one statement, however many found
        township = case.region.township
        out.append(DuplicateMember(member.name, member.id_number, case.case_number,
                                   township.name if township else case.region.name, case.id,
                                   code.startswith(own)))  # the rows scoped() lets the user open
    return out
