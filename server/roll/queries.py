"""Roll reads: the county's imports, the full roll of a month and the month's changes under a
region (a township or the county), as rows keyed by the layout's column keys.

The roll of a month: paid types paid that month (``filings.stats``' rule), unpaid types
(低保边缘) recognized and started by then. The changes reuse the monthly table's rules: new =
first paid month, stopped = last paid month was the previous one; amount and member changes
are the cases' recorded changes (增发/减发, 成员死亡) effective in the month.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..cases.models import Case, CaseChange, Member
from ..cases.workflows import SERVED_STATES, settings_for
from ..db import db
from ..filings.stats import _paid_in, is_new
from ..jobs import progress_labels
from ..money import fen_to_yuan
from ..periods import add_months, month_of
from ..regions.models import Region, RegionLevel
from ..regions.queries import scoped
from ..relief import RELIEF_TYPES
from .layout import CHANGE_LABELS
from .models import RollImport

AMOUNT_CHANGES = ("increase", "decrease")
MEMBER_CHANGES = ("member_death",)
STOP_CHANGES = ("stop", "terminate", "dishonesty_stop")


def imports(user, limit: int = 20) -> list[RollImport]:
    return list(db.session.scalars(scoped(RollImport, user).order_by(RollImport.id.desc())
                                   .limit(limit)))


def read_problems(problems: list[dict]) -> list[dict]:
    """A job's problems (stored in the office's language) in the reader's."""
    messages = progress_labels(p.get("message", "") for p in problems)
    return [p | {"message": m} for p, m in zip(problems, messages)]


def import_of_case(case) -> RollImport | None:
    """The import a case came from (its import event names the job)."""
    event = next((e for e in case.events if e.action == "import"), None)
    job_id = (event.data or {}).get("import_id") if event is not None else None
    return db.session.get(RollImport, job_id) if job_id else None


def export_regions(user) -> list[Region]:
    """The regions the user may export: their county and its townships, or their township."""
    return list(db.session.scalars(scoped(Region, user).where(
        Region.level.in_((RegionLevel.county, RegionLevel.township))).order_by(Region.code)))


def _roll_types(county_id: int) -> tuple[list, list]:
    """(paid monthly types, unpaid types) of the roll: one-off types are not on it."""
    paid, unpaid = [], []
    for code in RELIEF_TYPES:
        s = settings_for(code, county_id)
        if not s.is_one_off:
            (paid if s.is_paid else unpaid).append(code)
    return paid, unpaid


def _on_roll(month: date, county_id: int):
    paid, unpaid = _roll_types(county_id)
    started = or_(Case.payment_start_month.is_(None), Case.payment_start_month <= month)
    return or_(and_(Case.relief_type.in_(paid), _paid_in(month)),
               and_(Case.relief_type.in_(unpaid), Case.state.in_(SERVED_STATES), started))


def _under(region: Region):
    village = aliased(Region)
    return village, [Case.region_id == village.id,
                     village.code.startswith(region.prefix, autoescape=True)]


def _places(region: Region) -> dict[int, tuple[str, str]]:
    """Village id → (township name, village name) under the region."""
    towns = {r.id: r.name for r in db.session.scalars(select(Region).where(
        Region.code.startswith(region.county.prefix, autoescape=True),
        Region.level == RegionLevel.township))}
    return {r.id: (towns.get(r.parent_id, ""), r.name) for r in db.session.scalars(
        select(Region).where(Region.code.startswith(region.prefix, autoescape=True),
                             Region.level == RegionLevel.village))}


def _code(value) -> str:
    return getattr(value, "value", value)


def _short(value) -> str:
    return RELIEF_TYPES[_code(value)].short_name if _code(value) in RELIEF_TYPES else _code(value)


def _start(case) -> date | None:
    if case.payment_start_month:
        return case.payment_start_month
    if case.decided_at:
        return month_of(case.decided_at)
    return month_of(case.accepted_on) if case.accepted_on else None


def roll_rows(region: Region, month: date) -> list[dict]:
    """One row per member of every household on the roll in the month (the import layout)."""
    village, where = _under(region)
    cases = list(db.session.scalars(select(Case).where(*where, _on_roll(month, region.county.id))
                                    .order_by(village.code, Case.case_number)))
    places = _places(region)
    members: dict[int, list] = {}
    ids = select(Case.id).where(*where, _on_roll(month, region.county.id))
    for m in db.session.scalars(select(Member).where(Member.case_id.in_(ids))
                                .order_by(Member.case_id, Member.position)):
        members.setdefault(m.case_id, []).append(m)
    rows = []
    for case in cases:
        township, village_name = places.get(case.region_id, ("", ""))
        start = _start(case)
        common = {
            "relief_type": _short(case.relief_type), "township": township,
            "village": village_name, "urban_rural": "城市" if case.urban_rural == "urban" else "农村",
            "head_name": case.applicant_name, "head_id_number": case.applicant_id_number,
            "monthly_amount": fen_to_yuan(case.monthly_amount_fen),
            "start_month": f"{start:%Y-%m}" if start else "",
            "bank_account": str((case.answers or {}).get("bank_account") or ""),
            "support_mode": "", "care_level": "",
        }
        if RELIEF_TYPES[_code(case.relief_type)].unit == "person":
            common["support_mode"] = "集中供养" if case.is_concentrated else "分散供养"
            common["care_level"] = case.care_level or ""
        people = members.get(case.id) or []
        for m in people:
            relation = "本人" if m.id_number == case.applicant_id_number else (
                m.relationship_ or "家庭成员")
            rows.append(common | {"name": m.name, "id_number": m.id_number,
                                  "relationship": relation})
    return rows


def change_rows(region: Region, month: date) -> list[dict]:
    """The month's changes under the region: new, stopped, amount changed, members changed."""
    village, where = _under(region)
    paid, unpaid = _roll_types(region.county.id)
    places = _places(region)
    next_month, prev = add_months(month, 1), add_months(month, -1)
    found: list[tuple[str, Case, dict]] = []
    new = select(Case).where(*where, Case.relief_type.in_(paid + unpaid), is_new(month),
                             or_(Case.relief_type.in_(paid), Case.state.in_(SERVED_STATES)))
    for case in db.session.scalars(new):
        found.append(("new", case, {"amount_before": fen_to_yuan(0),
                                    "amount_after": fen_to_yuan(case.monthly_amount_fen)}))
    stopped = select(Case).where(*where, Case.relief_type.in_(paid + unpaid),
                                 Case.payment_end_month == prev, Case.payment_start_month <= prev)
    for case in db.session.scalars(stopped):
        found.append(("stopped", case, {"amount_before": fen_to_yuan(case.monthly_amount_fen),
                                        "amount_after": fen_to_yuan(0),
                                        "reason": _stop_reason(case)}))
    changes = (select(CaseChange, Case).join(Case, CaseChange.case_id == Case.id)
               .where(*where, CaseChange.kind.in_(AMOUNT_CHANGES + MEMBER_CHANGES),
                      CaseChange.effective_on >= month, CaseChange.effective_on < next_month)
               .order_by(CaseChange.id))
    for change, case in db.session.execute(changes):
        kind = "amount" if change.kind in AMOUNT_CHANGES else "members"
        reason = change.reason
        if kind == "members" and (change.data or {}).get("name"):
            reason = f"{change.data['name']} 死亡" + (f"；{reason}" if reason else "")
        found.append((kind, case, {"amount_before": fen_to_yuan(change.amount_before_fen),
                                   "amount_after": fen_to_yuan(change.amount_after_fen),
                                   "reason": reason}))
    rows = []
    for kind, case, values in found:
        township, village_name = places.get(case.region_id, ("", ""))
        rows.append({"change": CHANGE_LABELS[kind], "relief_type": _short(case.relief_type),
                     "township": township, "village": village_name,
                     "head_name": case.applicant_name, "head_id_number": case.applicant_id_number,
                     "case_number": case.case_number, "persons": case.persons_covered,
                     "month": f"{month:%Y-%m}", "reason": ""} | values)
    order = list(CHANGE_LABELS.values())
    return sorted(rows, key=lambda r: (order.index(r["change"]), r["township"], r["village"],
                                       r["case_number"]))


def _stop_reason(case) -> str:
    """The reason recorded with the case's latest stop (停发, 终止, 失信)."""
    change = db.session.scalars(select(CaseChange).where(
        CaseChange.case_id == case.id, CaseChange.kind.in_(STOP_CHANGES))
        .order_by(CaseChange.id.desc()).limit(1)).first()
    return change.reason if change is not None else ""


ROWS = {"roll": roll_rows, "changes": change_rows}
