"""Reading a household out of clean answers by the schema's field roles.

Shipped and admin-made schemas mark the fields other rooms rely on with ``role``
(applicant_name, applicant_id_number, village, members, member_name, member_id_number,
relationship); this module finds them wherever they sit, so the intake does not depend on
field names an admin may change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .. import idnumber

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


def fields_by_role(definition: dict) -> dict[str, dict]:
    """Top-level fields keyed by role (the first field of each role wins)."""
    out: dict[str, dict] = {}
    for spec in definition.get("fields") or []:
        if spec.get("role"):
            out.setdefault(spec["role"], spec)
    return out


def _member_role_names(group: dict) -> dict[str, str]:
    return {f["role"]: f["name"] for f in group.get("fields") or [] if f.get("role")}


def household_from_answers(definition: dict, answers: dict) -> Household:
    """The applicant, village and member rows a case stores as real columns and rows."""
    roles = fields_by_role(definition)
    found = Household()

    def top(role: str) -> str:
        spec = roles.get(role)
        value = answers.get(spec["name"]) if spec else None
        return str(value).strip() if value not in (None, "") else ""

    found.applicant_name = top("applicant_name")
    found.applicant_id_number = idnumber.normalize(top("applicant_id_number"))
    found.village_code = top("village")
    group = roles.get("members")
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
                details={k: v for k, v in row.items() if k not in names.values()},
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
