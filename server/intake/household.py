"""Reading a household out of clean answers by the schema's field roles.

Shipped and admin-made schemas mark the fields other rooms rely on with ``role`` (the
registry is ``server/schemas/roles.py``); this module is the one place that maps them into
the case's columns and member rows, so the intake does not depend on field names an admin
may change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .. import idnumber
from ..schemas.roles import MEMBER, MEMBERS_GROUP, ROLES, case_facts, fields_by_role

SELF_RELATIONSHIPS = {"本人", "申请人", "self", "applicant"}


@dataclass
class MemberFacts:
    name: str
    id_number: str
    relationship: str
    details: dict
    is_applicant: bool = False

    @property
    def sex(self) -> str:
        return idnumber.sex(self.id_number) if idnumber.is_valid(self.id_number) else ""

    @property
    def birth_date(self) -> date | None:
        return idnumber.birth_date(self.id_number) if idnumber.is_valid(self.id_number) else None


@dataclass
class Household:
    applicant_name: str = ""
    applicant_id_number: str = ""
    village_code: str = ""
    members: list[MemberFacts] = field(default_factory=list)
    case_facts: dict = field(default_factory=dict)  # Case attribute -> value, from the roles


def _member_role_names(group: dict) -> dict[str, str]:
    return {f["role"]: f["name"] for f in group.get("fields") or [] if f.get("role")}


MEMBER_COLUMNS = frozenset({"name", "id_number", "relationship_"})  # real Member columns


def _member_details(group: dict, row: dict) -> dict:
    """A member row's other answers; a member role that is no Member column (e.g. the
    disability grade the monthly table counts) is also kept under its target's key."""
    details = {}
    for sub in group.get("fields") or []:
        role = ROLES.get(sub.get("role") or "")
        if sub["name"] not in row:
            continue
        if role is None or role.level != MEMBER:
            details[sub["name"]] = row[sub["name"]]
        elif role.target not in MEMBER_COLUMNS:
            details[sub["name"]] = details[role.target] = row[sub["name"]]
    return details


def household_from_answers(definition: dict, answers: dict) -> Household:
    """The applicant, village, member rows and case facts a case stores as real columns."""
    roles = fields_by_role(definition)
    found = Household(case_facts=case_facts(definition, answers))

    def top(role: str) -> str:
        spec = roles.get(role)
        value = answers.get(spec["name"]) if spec else None
        return str(value).strip() if value not in (None, "") else ""

    found.applicant_name = top("applicant_name")
    found.applicant_id_number = idnumber.normalize(top("applicant_id_number"))
    found.village_code = top("village")
    group = roles.get(MEMBERS_GROUP)
    if group is not None:
        names = _member_role_names(group)
        for row in answers.get(group["name"]) or []:
            if not isinstance(row, dict):
                continue
            member = MemberFacts(
                name=str(row.get(names.get("member_name", "name")) or "").strip(),
                id_number=idnumber.normalize(str(row.get(names.get("member_id_number",
                                                                   "id_number")) or "")),
                relationship=str(row.get(names.get("relationship", "relationship")) or ""),
                details=_member_details(group, row),
            )
            found.members.append(member)
    _mark_applicant(found)
    if not found.applicant_name and found.members:
        applicant = next((m for m in found.members if m.is_applicant), found.members[0])
        found.applicant_name, found.applicant_id_number = applicant.name, applicant.id_number
    return found


def _mark_applicant(found: Household) -> None:
    """The applicant is the member with the applicant's ID, else the one marked 本人."""
    match = [m for m in found.members if found.applicant_id_number
             and m.id_number == found.applicant_id_number]
    if not match:
        match = [m for m in found.members if m.relationship in SELF_RELATIONSHIPS]
    if match:
        match[0].is_applicant = True
    elif found.members and not found.applicant_id_number:
        found.members[0].is_applicant = True
