"""Reads on cases, always through region scoping: lists, deadlines, re-checks, registers."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, union
from sqlalchemy.orm import joinedload, selectinload

from ..audit import labels
from ..audit.models import AuditEvent
from ..calendar.workdays import add_working_days, warnings_for
from ..db import db
from ..idnumber import normalize
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from ..regions.queries import scoped
from ..relief import ReliefCode
from .clocks import DUE_SOON_WORKING_DAYS
from .models import (
    Case,
    CaseDeadline,
    DishonestyEntry,
    DishonestyWarning,
    Member,
    RelativeRegisterEntry,
)
from .workflows import PAUSE_STATES, SERVED_STATES

PAGE_SIZE = 50


ID_PART = re.compile(r"^[0-9X]{4,18}$")
CONTAINS_FROM = 3  # shorter names (two-character Chinese names) have no trigrams: by prefix


def _prefix(column, term: str):
    """``column`` starts with ``term``, in a form the database's index serves: PostgreSQL's
    ``LIKE 'q%'`` (text_pattern_ops); SQLite's ``GLOB 'q*'`` (its LIKE ignores a BINARY index)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return column.op("GLOB")(re.sub(r"([*?\[])", r"[\1]", term) + "*")
    return column.startswith(term, autoescape=True)


def _name(column, term: str):
    return (column.contains(term, autoescape=True) if len(term) >= CONTAINS_FROM
            else _prefix(column, term))


def _id_tail(tail: str):
    """Members whose ID number ends with ``tail`` (4 or more characters), through the
    indexed last four."""
    condition = Member.id_number_tail == tail[-4:]
    if len(tail) > 4:
        condition &= Member.id_number.endswith(tail, autoescape=True)
    return condition


def _places(term: str) -> list[int]:
    """Ids of the regions named ``term`` and of their children (a township lists its
    villages' cases), resolved first: as a subquery its guessed thousands of rows made the
    planner walk every case backwards for terms that name no place."""
    places = list(db.session.scalars(select(Region.id).where(Region.name == term)))
    if not places:
        return []
    return places + list(db.session.scalars(select(Region.id).where(
        Region.parent_id.in_(places))))


def match_paths(q: str) -> list:
    """``select(Case.id)`` statements, one per index path matching ``q`` (one ``OR`` over
    subqueries would scan): the full ID number or its tail (also a masked number
    ``220102********1234``), the case or archive number, the applicant's or a member's name,
    a village or township name (names only for terms without digits, so a number never scans
    the names). Members' paths are semi-joins, so no case comes twice from one path."""
    term = q.strip()
    number = normalize(term)
    head, _stars, tail = number.rpartition("*") if "*" in number else ("", "", number)
    head = head.rstrip("*")

    def via_members(condition):
        return select(Case.id).where(Case.id.in_(select(Member.case_id).where(condition)))

    paths = [select(Case.id).where(Case.case_number == term),
             select(Case.id).where(Case.archive_number == term)]
    if len(tail) == 18 and ID_PART.match(tail):
        paths += [via_members(Member.id_number == tail),
                  select(Case.id).where(Case.applicant_id_number == tail)]
    elif ID_PART.match(tail):
        condition = _id_tail(tail)
        if head:
            condition &= Member.id_number.startswith(head, autoescape=True)
        paths.append(via_members(condition))
    if not any(ch.isdigit() for ch in term):  # names of people and places hold no digits
        paths += [select(Case.id).where(_name(Case.applicant_name, term)),
                  via_members(_name(Member.name, term))]
        places = _places(term)
        if places:
            paths.append(select(Case.id).where(Case.region_id.in_(places)))
    return paths


def match_ids(q: str):
    """Case ids matching ``q``: the UNION of ``match_paths``."""
    return union(*match_paths(q))


def search(q: str = "", relief_type: str = "", state: str = "", page: int = 1,
           user=None) -> list[Case]:
    """Cases under the user's region, newest first, matching ``q`` (see ``match_paths``).

    With a term, each path is narrowed (scope, type, state), ordered and cut to the pages
    wanted on its own, and only their union's page of ids is then loaded: a LIMIT over
    ``id IN (union)`` let the planner walk every case newest first looking for the few
    matches (116-344 ms at a million cases)."""
    page = max(page, 1)

    def narrowed(stmt):
        stmt = scoped(stmt, user)
        if relief_type in ReliefCode.__members__:
            stmt = stmt.where(Case.relief_type == ReliefCode(relief_type))
        if state:
            stmt = stmt.where(Case.state == state)
        return stmt

    q = (q or "").strip()
    if not q:
        return list(db.session.scalars(
            narrowed(select(Case)).order_by(Case.id.desc()).offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE).options(joinedload(Case.region))))
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite looks the page up by rowid from the whole union (no planner trap there);
        # cut paths would read names through the case table in id order (measured 1.3x)
        return list(db.session.scalars(
            narrowed(select(Case)).where(Case.id.in_(match_ids(q))).order_by(Case.id.desc())
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).options(joinedload(Case.region))))
    wanted = page * PAGE_SIZE
    branches = [narrowed(path).order_by(Case.id.desc()).limit(wanted).subquery()
                for path in match_paths(q)]
    found = union(*(select(b.c.id) for b in branches)).subquery()
    ids = select(found.c.id).order_by(found.c.id.desc()).offset(wanted - PAGE_SIZE) \
        .limit(PAGE_SIZE)
    return list(db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id.desc())
                                   .options(joinedload(Case.region))))


def _running(user):
    """Open cases whose clock is running (not paused) with a due date."""
    return scoped(Case, user).where(Case.due_on.is_not(None), Case.state.not_in(PAUSE_STATES))


def soon_limit(today: date, county_id) -> date:
    return add_working_days(today, DUE_SOON_WORKING_DAYS, county_id)


def deadlines_panel(user, today: date | None = None) -> dict:
    """Overdue and due-soon cases under the user's region, for the home page."""
    today = today or local_today()
    county = user.region.county
    limit = soon_limit(today, county.id)
    rows = list(db.session.scalars(_running(user).where(Case.due_on <= limit)
                                   .order_by(Case.due_on, Case.id).limit(200)
                                   .options(selectinload(Case.region))))
    return {"overdue": [c for c in rows if c.due_on < today],
            "soon": [c for c in rows if c.due_on >= today], "today": today,
            "warnings": warnings_for(today, limit, county.id)}


def overdue_by_township(user, today: date | None = None) -> list[dict]:
    """Per township under the user's region: open cases and how many are overdue."""
    today = today or local_today()
    townships = db.session.scalars(scoped(Region, user).where(
        Region.level == RegionLevel.township).order_by(Region.code)).all()
    stmt = select(Region.code, Case.due_on).join(Region, Case.region_id == Region.id).where(
        Case.id.in_(_running(user).with_only_columns(Case.id)))
    open_, overdue = Counter(), Counter()
    for code, due_on in db.session.execute(stmt):
        open_[code[:9]] += 1
        overdue[code[:9]] += due_on < today
    return [{"township": t, "open": open_[t.code[:9]], "overdue": overdue[t.code[:9]]}
            for t in townships]


def recheck_due(first: date, end: date, user=None) -> dict:
    """The month's due list: re-checks, deaths to process, gradual exits ending."""
    served = scoped(Case, user).where(Case.state.in_(SERVED_STATES), Case.is_active.is_(True))
    rechecks = list(db.session.scalars(served.where(Case.next_recheck_on < end)
                                       .order_by(Case.next_recheck_on, Case.id)
                                       .options(selectinload(Case.region))))
    open_items = list(db.session.scalars(
        scoped(CaseDeadline, user).where(CaseDeadline.done_on.is_(None),
                                         CaseDeadline.kind.in_(("member_death", "gradual_exit")),
                                         CaseDeadline.due_on < end)
        .order_by(CaseDeadline.due_on)))
    return {"rechecks": rechecks, "items": open_items, "first": first, "end": end}


def case_audit(case: Case) -> list[labels.Entry]:
    """The case's audit trail in words (actions, fields and values labelled)."""
    return labels.entries(list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "Case", AuditEvent.object_id == str(case.id))
        .order_by(AuditEvent.id))))


def relatives(user=None) -> list[RelativeRegisterEntry]:
    return list(db.session.scalars(scoped(RelativeRegisterEntry, user).where(
        RelativeRegisterEntry.is_active.is_(True)).order_by(RelativeRegisterEntry.id.desc())))


def dishonesty(user=None) -> list[DishonestyEntry]:
    return list(db.session.scalars(scoped(DishonestyEntry, user)
                                   .order_by(DishonestyEntry.id.desc())))


def dishonesty_warnings(user=None) -> list[DishonestyWarning]:
    """First occurrences still waiting for correction (or listing), newest first."""
    return list(db.session.scalars(scoped(DishonestyWarning, user).where(
        DishonestyWarning.corrected_on.is_(None), DishonestyWarning.listed_on.is_(None))
        .order_by(DishonestyWarning.id.desc())))


LIST_HEADER = ["序号", "姓名", "身份证号码", "所在地区", "失信情形", "具体事实", "首次发现日期",
               "纠正期限", "列入日期", "有效期至", "停发案件"]
FORMULA_STARTS = ("=", "+", "-", "@")


def _text_cell(cell, value) -> None:
    """Write a value as text: a leading = + - @ would otherwise make a formula in Excel."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def dishonesty_xlsx(user, on: date | None = None) -> bytes:
    """The list in force on ``on`` to send to other departments (联合惩戒), as XLSX."""
    import io

    from openpyxl import Workbook

    from .dishonesty import kind_label

    on = on or local_today()
    entries = db.session.scalars(scoped(DishonestyEntry, user).where(
        DishonestyEntry.is_active.is_(True), DishonestyEntry.listed_on <= on,
        DishonestyEntry.expires_on >= on).order_by(DishonestyEntry.listed_on,
                                                   DishonestyEntry.id))
    wb = Workbook()
    sheet = wb.active
    sheet.title = "失信名单"
    _text_cell(sheet.cell(1, 1), f"社会救助失信管理名单（{user.region.full_name}，{on:%Y-%m-%d}）")
    for column, title in enumerate(LIST_HEADER, start=1):
        _text_cell(sheet.cell(2, column), title)
    for number, entry in enumerate(entries, start=1):
        warning = entry.warning
        values = [number, entry.name, entry.id_number, entry.region.full_name,
                  kind_label(entry.kind), entry.reason,
                  f"{warning.warned_on:%Y-%m-%d}" if warning else "",
                  f"{warning.correction_due_on:%Y-%m-%d}" if warning else "",
                  f"{entry.listed_on:%Y-%m-%d}", f"{entry.expires_on:%Y-%m-%d}",
                  "、".join(entry.stopped_cases or [])]
        for column, value in enumerate(values, start=1):
            _text_cell(sheet.cell(number + 2, column), value)
    for column, width in zip("ABCDEFGHIJK", (6, 10, 21, 24, 30, 40, 12, 12, 12, 12, 26)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def staff_of(user) -> list:
    """Users under the user's township or county who may investigate or be related staff."""
    from ..auth.models import User

    region = user.region.township or user.region
    return list(db.session.scalars(scoped(User, user).where(
        User.is_active_user.is_(True),
        User.region_id.in_(select(Region.id).where(Region.code.startswith(region.prefix))))
        .order_by(User.id)))


def amount_preview(case: Case, on: date | None = None, requested=None) -> dict:
    """What the calculator gives for the case today (the decision page shows it first)."""
    from ..standards.amounts import calculate
    from ..standards.queries import standard_for
    from .household import MissingInput, amount_inputs
    from .household import figures as household_figures
    from .workflows import county_id_of

    on = on or local_today()
    figures = household_figures(case)
    out = {"figures": figures, "standard": None, "result": None, "error": ""}
    standard = standard_for(county_id_of(case), case.urban_rural, on)
    if standard is None:
        out["error"] = _("No relief standard is in force on %(day)s", day=on.isoformat())
        return out
    out["standard"] = standard
    try:
        out["result"] = calculate(case.relief_type, standard,
                                  **amount_inputs(case, figures, requested))
    except MissingInput as exc:
        out["error"] = "" if exc.path == "data.requested_amount" else str(exc)
    except (ValueError, TypeError) as exc:
        out["error"] = str(exc)
    return out
