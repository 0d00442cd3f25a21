"""Reading and checking a roll file: every problem by row and column, nothing written.
Problems are stored in the office's language (see ``server.jobs.stored``) and shown back in
the reader's. The result is the households to import, grouped by their natural key (relief type +
head-of-household ID number), and those already imported before (skipped: re-importing the
same file adds nothing).

Reference data (villages, published forms, standards, people in active cases) is read once in
bulk, so 25,000 member rows are checked in about a second.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import idnumber
from ..cases.models import Case, Member
from ..cases.workflows import FINAL_STATES, STATE_LABELS, settings_for
from ..db import db
from ..jobs import stored, stored_messages
from ..money import MoneyError, yuan_to_fen
from ..periods import add_months, local_today, month_of
from ..regions.models import Region, RegionLevel
from ..relief import RELIEF_TYPES, ReliefCode
from ..sheets import MESSAGES as SHEET_MESSAGES
from ..standards.queries import current_set
from .layout import ROLL, SUPPORT_MODES, header_keys

MAX_STORED_PROBLEMS = 2000
URBAN_RURAL = {"城市": "urban", "城镇": "urban", "urban": "urban", "农村": "rural", "rural": "rural"}
CARE_LEVELS = ("全自理", "半护理", "全护理")
HEAD_RELATIONS = ("本人", "户主")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(\s*[-/.]\s*\d{1,2}\s*日?)?"
                    r"(\s+\d{1,2}:\d{2}(:\d{2})?)?$")
_TITLES = {c.key: c.title for c in ROLL}

# Row problems, stored in the office's language on the job row. Where one message's text could
# match another's with a value (read back by pattern), the more specific one is listed first.
NO_VILLAGE_CODE = _l("There is no village (community) with the area code %(code)s in this county")
NO_VILLAGE_IN_COUNTY = _l('There is no village (community) named "%(name)s" in this county')
NO_VILLAGE_IN_TOWNSHIP = _l('There is no village (community) named "%(name)s" in %(township)s')
MANY_VILLAGES = _l('This county has several villages (communities) named "%(name)s": fill in the '
                   "township (subdistrict) or the 12-digit area code")
EMPTY_FILE = _l("The file is empty")
MISSING_COLUMN = _l('The required column "%(column)s" is missing')
NO_HEAD_ROW = _l("The household has no row for the head of household (the head's ID number "
                 "must equal the member ID number of one of its rows)")
NO_RELIEF_TYPE = _l("Please fill in the relief type")
UNKNOWN_RELIEF_TYPE = _l('Unknown relief type "%(value)s"; it must be one of %(allowed)s')
ONE_OFF_RELIEF = _l("%(relief)s is one-off relief and is not kept on the roll")
NOT_AS_ROW = _l("Differs from row %(row)s of the same household")
NO_NAME = _l("Please fill in the member's name")
NO_HEAD_ID = _l("Please fill in the head of household's ID number")
NO_MEMBER_ID = _l("Please fill in the member's ID number")
ONLY_HEAD_SELF = _l('Only the head of household\'s own row may say "本人"')
SAME_PERSON_TWICE = _l("The same person as row %(row)s, twice in one household")
SAME_PERSON_ELSEWHERE = _l("The same person as row %(row)s, who is already in another household "
                           "(head %(head)s)")
NO_VILLAGE = _l("Please fill in the village (community)")
BAD_URBAN_RURAL = _l('Urban or rural must be 城市 or 农村, not "%(value)s"')
BAD_AMOUNT = _l("The amount is not a valid number: %(value)s (%(reason)s)")
NO_AMOUNT = _l("Please fill in a monthly amount greater than 0")
UNPAID_AMOUNT = _l("This relief type pays no allowance: leave the amount empty or 0")
BAD_START_MONTH = _l("The start month must be a month, such as 2026-03")
NO_START_MONTH = _l("Please fill in the start month")
IMPLAUSIBLE_START_MONTH = _l("The start month %(month)s is not plausible (it cannot be later than "
                             "next month)")
BAD_SUPPORT_MODE = _l('The support mode must be 集中供养 or 分散供养, not "%(value)s"')
BAD_CARE_LEVEL_GIVEN = _l('The care level must be one of %(allowed)s, not "%(value)s"')
NO_CARE_LEVEL = _l("The care level must be one of %(allowed)s")
NO_FORM = _l("No %(relief)s application form is published in this county yet: publish one first "
             "(Forms, or jiuzhu forms sync)")
NO_STANDARD = _l("No relief standard is in force for %(month)s: enter the standard of that "
                 "period first")
IN_CASE = _l("This person is already in %(relief)s case %(case)s (%(state)s) and cannot be "
             "imported again")
IN_OTHER_REGION = _l("This person is already in an open case of another region: ask the county "
                     "civil affairs office to verify")
stored_messages(NO_VILLAGE_CODE, NO_VILLAGE_IN_COUNTY, NO_VILLAGE_IN_TOWNSHIP, MANY_VILLAGES,
                EMPTY_FILE, MISSING_COLUMN, NO_HEAD_ROW, NO_RELIEF_TYPE, UNKNOWN_RELIEF_TYPE,
                ONE_OFF_RELIEF, NOT_AS_ROW, NO_NAME, NO_HEAD_ID, NO_MEMBER_ID, ONLY_HEAD_SELF,
                SAME_PERSON_TWICE, SAME_PERSON_ELSEWHERE, NO_VILLAGE, BAD_URBAN_RURAL, BAD_AMOUNT,
                NO_AMOUNT, UNPAID_AMOUNT, BAD_START_MONTH, NO_START_MONTH, IMPLAUSIBLE_START_MONTH,
                BAD_SUPPORT_MODE, BAD_CARE_LEVEL_GIVEN, NO_CARE_LEVEL, NO_FORM, NO_STANDARD,
                IN_CASE, IN_OTHER_REGION, *idnumber.MESSAGES, *SHEET_MESSAGES)


@dataclass
class Person:
    row: int
    name: str
    id_number: str
    relationship: str


@dataclass
class Household:
    row: int  # the household's first row in the file
    relief_type: str
    head_id_number: str
    head_name: str = ""
    village: Region | None = None
    urban_rural: str = "rural"
    amount_fen: int = 0
    start_month: date | None = None
    bank_account: str = ""
    is_concentrated: bool = False
    care_level: str | None = None
    state: str = ""
    schema_version_id: int | None = None
    standard_version_id: int | None = None
    members: list[Person] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # household-level cells as parsed, for agreement


@dataclass
class Checked:
    households: list[Household]
    skipped: int
    problems: list[dict]
    problem_count: int
    member_count: int

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


class _Problems:
    """Collects problems as ``{"row", "column", "message"}`` with the file's own header text."""

    def __init__(self, titles: dict[str, str]):
        self.titles = titles
        self.items: list[dict] = []
        self.count = 0

    def add(self, row: int, key: str, message, /, **values) -> None:
        """A problem; ``message`` is one of the msgids above, stored with ``values``."""
        self.count += 1
        if len(self.items) < MAX_STORED_PROBLEMS:
            self.items.append({"row": row, "column": self.titles.get(key, _TITLES.get(key, key)),
                               "message": stored(message, **values)})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_month(value) -> date | None:
    """A start month from a date cell, ``2026-03``, ``2026/3``, ``2026年3月`` or ``202603``."""
    if isinstance(value, (datetime, date)):
        return month_of(value if isinstance(value, date) else value.date())
    text = _text(value)
    if re.fullmatch(r"\d{6}", text):
        text = f"{text[:4]}-{text[4:]}"
    match = _MONTH.match(text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def _relief_codes() -> dict[str, str]:
    out = {}
    for code, kind in RELIEF_TYPES.items():
        for name in (code, kind.name, kind.short_name, kind.short_name + "户"):
            out[name.upper()] = code
    return out


class _Reference:
    """What the rows are checked against, read once for the whole file."""

    def __init__(self, county: Region, today: date):
        self.county, self.today = county, today
        townships = {r.id: r for r in db.session.scalars(select(Region).where(
            Region.code.startswith(county.prefix, autoescape=True),
            Region.level == RegionLevel.township))}
        self.villages: dict[str, Region] = {}
        self.by_name: dict[str, list[Region]] = {}
        self.township_of: dict[int, str] = {}
        for village in db.session.scalars(select(Region).where(
                Region.code.startswith(county.prefix, autoescape=True),
                Region.level == RegionLevel.village)):
            self.villages[village.code] = village
            self.by_name.setdefault(village.name, []).append(village)
            parent = townships.get(village.parent_id)
            self.township_of[village.id] = parent.name if parent else ""
        self.codes = _relief_codes()
        self._settings: dict = {}
        self._versions: dict = {}
        self._standards: dict = {}
        self.active = self._active_members()

    def settings(self, code: str):
        if code not in self._settings:
            self._settings[code] = settings_for(code, self.county.id)
        return self._settings[code]

    def schema_version(self, code: str) -> int | None:
        if code not in self._versions:
            from ..intake.queries import published_version

            version = published_version(self.county, ReliefCode(code))
            self._versions[code] = version.id if version is not None else None
        return self._versions[code]

    def standard(self, month: date) -> int | None:
        """The standard version in force at the start month (the roll keeps its amounts)."""
        if month not in self._standards:
            row = current_set(self.county.id, month)
            self._standards[month] = row.id if row is not None else None
        return self._standards[month]

    def village(self, township: str, text: str) -> tuple[Region | None, tuple]:
        """The village a cell names, or None and why (a message and its values)."""
        if re.fullmatch(r"\d{12}", text):
            found = self.villages.get(text)
            return (found, ()) if found else (None, (NO_VILLAGE_CODE, {"code": text}))
        candidates = self.by_name.get(text, [])
        if township:
            candidates = [v for v in candidates if self.township_of.get(v.id) == township]
        if len(candidates) == 1:
            return candidates[0], ()
        if not candidates:
            return None, ((NO_VILLAGE_IN_TOWNSHIP, {"name": text, "township": township})
                          if township else (NO_VILLAGE_IN_COUNTY, {"name": text}))
        return None, (MANY_VILLAGES, {"name": text})

    def _active_members(self) -> dict[str, list[tuple]]:
        """ID number → (relief type, head ID, imported?, case number, state, region code) of
        every member of an active, unfinished case."""
        rows = db.session.execute(
            select(Member.id_number, Case.relief_type, Case.applicant_id_number,
                   Case.is_imported, Case.case_number, Case.state, Region.code)
            .join(Case, Member.case_id == Case.id).join(Region, Case.region_id == Region.id)
            .where(Case.is_active.is_(True), Case.state.not_in(FINAL_STATES)))
        out: dict[str, list[tuple]] = {}
        for id_number, relief, head, imported, number, state, code in rows:
            out.setdefault(idnumber.normalize(id_number), []).append(
                (getattr(relief, "value", relief), idnumber.normalize(head), imported, number,
                 state, code))
        return out




def _header(table: list[list]) -> tuple[int, list]:
    for index, row in enumerate(table):
        if any(_text(c) for c in row):
            return index, row
    return -1, []


def check(table: list[list], county: Region, mapped: list[tuple[str, str]],
          today: date | None = None) -> Checked:
    """Every problem of the rows of a roll file, and the households it holds."""
    today = today or local_today()
    start, header = _header(table)
    if start < 0:
        problems = _Problems({})
        problems.add(1, "relief_type", EMPTY_FILE)
        return Checked([], 0, problems.items, problems.count, 0)
    keys = header_keys(header, "roll", mapped)
    titles = {key: _text(header[index]) for index, key in keys.items()}
    problems = _Problems(titles)
    missing = [c for c in ROLL if c.is_required and c.key not in titles]
    for column in missing:
        problems.add(start + 1, column.key, MISSING_COLUMN, column=column.title)
    if missing:
        return Checked([], 0, problems.items, problems.count, 0)
    ref = _Reference(county, today)
    households: dict[tuple, Household] = {}
    seen: dict[str, tuple[int, tuple]] = {}
    latest = add_months(month_of(today), 1)
    member_count = 0
    for offset, raw in enumerate(table[start + 1:], start + 2):
        cells = {key: raw[index] if index < len(raw) else None for index, key in keys.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        member_count += 1
        _check_row(offset, cells, ref, problems, households, seen, latest)
    to_import, skipped = [], 0
    for household in households.values():
        if not any(p.id_number == household.head_id_number for p in household.members):
            problems.add(household.row, "head_id_number", NO_HEAD_ROW)
        if _already_imported(household, ref):
            skipped += 1
            continue
        _check_active(household, ref, problems)
        to_import.append(household)
    return Checked(to_import, skipped, problems.items, problems.count, member_count)


def _check_row(line, cells, ref, problems, households, seen, latest) -> None:
    text = {key: _text(value) for key, value in cells.items()}
    code = ref.codes.get(text.get("relief_type", "").upper())
    if not text.get("relief_type"):
        problems.add(line, "relief_type", NO_RELIEF_TYPE)
    elif code is None:
        problems.add(line, "relief_type", UNKNOWN_RELIEF_TYPE, value=text["relief_type"][:20],
                     allowed="、".join(k.short_name for k in RELIEF_TYPES.values()
                                      if not ref.settings(k.code).is_one_off))
    elif ref.settings(code).is_one_off:
        problems.add(line, "relief_type", ONE_OFF_RELIEF, relief=RELIEF_TYPES[code].short_name)
        code = None
    head = idnumber.normalize(text.get("head_id_number", ""))
    head_ok = _id_ok(line, "head_id_number", head, ref, problems, NO_HEAD_ID)
    key = (code or text.get("relief_type", ""), head)
    household = households.get(key)
    values = _household_values(line, text, cells, code, ref, problems, latest)
    if household is None:
        household = households[key] = Household(row=line, relief_type=code or "",
                                                head_id_number=head, values=values)
        if code and head_ok:
            _fill(household, values, code, ref, problems)
    else:
        for name, value in values.items():  # a cell left empty on a later row is not a clash
            first = household.values.get(name)
            if _given(value) and _given(first) and value != first:
                problems.add(line, name, NOT_AS_ROW, row=household.row)
    name = text.get("name", "")
    if not name:
        problems.add(line, "name", NO_NAME)
    number = idnumber.normalize(text.get("id_number", ""))
    if not _id_ok(line, "id_number", number, ref, problems, NO_MEMBER_ID):
        return
    relationship = text.get("relationship", "")
    if number == head:
        relationship = "本人"
    elif relationship in HEAD_RELATIONS:
        problems.add(line, "relationship", ONLY_HEAD_SELF)
    earlier = seen.get(number)
    if earlier is not None:
        row, other = earlier
        if other == key:
            problems.add(line, "id_number", SAME_PERSON_TWICE, row=row)
        else:
            problems.add(line, "id_number", SAME_PERSON_ELSEWHERE, row=row,
                         head=idnumber.mask(other[1]))
        return
    seen[number] = (line, key)
    household.members.append(Person(line, name[:100], number, (relationship or "家庭成员")[:20]))


_BAD = object()  # a cell that did not parse (its problem is already reported)


def _given(value) -> bool:
    return value is not _BAD and value not in ("", None)


def _id_ok(line, key, number, ref, problems, missing) -> bool:
    if not number:
        problems.add(line, key, missing)
        return False
    try:
        idnumber.validate(number, today=ref.today)
    except idnumber.InvalidIdNumber as exc:
        problems.add(line, key, exc.args[0])
        return False
    return True


def _household_values(line, text, cells, code, ref, problems, latest) -> dict:
    """The household-level cells of one row, parsed (``_BAD`` where they did not parse)."""
    values: dict = {"head_name": text.get("head_name", ""),
                    "bank_account": text.get("bank_account", "")[:40]}
    village_text = text.get("village", "")
    if not village_text:
        problems.add(line, "village", NO_VILLAGE)
        values["village"] = _BAD
    else:
        village, why = ref.village(text.get("township", ""), village_text)
        if village is None:
            problems.add(line, "village", why[0], **why[1])
        values["village"] = village if village is not None else _BAD
    ur = text.get("urban_rural", "")
    values["urban_rural"] = URBAN_RURAL.get(ur.lower(), _BAD) if ur else None
    if values["urban_rural"] is _BAD:
        problems.add(line, "urban_rural", BAD_URBAN_RURAL, value=ur[:20])
    settings = ref.settings(code) if code else None
    try:
        amount = yuan_to_fen(cells.get("monthly_amount"))
    except MoneyError as exc:
        problems.add(line, "monthly_amount", BAD_AMOUNT, value=text.get("monthly_amount", "")[:20],
                     reason=exc)
        amount = _BAD
    if amount is not _BAD and settings is not None:
        if settings.is_paid and not amount:
            problems.add(line, "monthly_amount", NO_AMOUNT)
            amount = _BAD
        elif not settings.is_paid and amount:
            problems.add(line, "monthly_amount", UNPAID_AMOUNT)
            amount = _BAD
    values["monthly_amount"] = (amount or 0) if amount is not _BAD else _BAD
    month = parse_month(cells.get("start_month"))
    if month is None:
        problems.add(line, "start_month",
                     BAD_START_MONTH if text.get("start_month") else NO_START_MONTH)
        month = _BAD
    elif not date(1990, 1, 1) <= month <= latest:
        problems.add(line, "start_month", IMPLAUSIBLE_START_MONTH, month=f"{month:%Y-%m}")
        month = _BAD
    values["start_month"] = month
    person_based = code is not None and RELIEF_TYPES[code].unit == "person"
    mode, care = text.get("support_mode", ""), text.get("care_level", "")
    if person_based:
        values["support_mode"] = SUPPORT_MODES.get(mode, _BAD) if mode else False
        if values["support_mode"] is _BAD:
            problems.add(line, "support_mode", BAD_SUPPORT_MODE, value=mode[:20])
        if care not in CARE_LEVELS:
            allowed = "、".join(CARE_LEVELS)
            if care:
                problems.add(line, "care_level", BAD_CARE_LEVEL_GIVEN, allowed=allowed,
                             value=care[:20])
            else:
                problems.add(line, "care_level", NO_CARE_LEVEL, allowed=allowed)
            values["care_level"] = _BAD
        else:
            values["care_level"] = care
    return values


def _fill(household: Household, values: dict, code: str, ref, problems) -> None:
    """Household facts from its first row; the form and standard versions it is pinned to."""
    settings = ref.settings(code)
    household.state = "paying" if settings.is_paid else "recognized"
    village = values["village"]
    household.village = village if village is not _BAD else None
    ur = values["urban_rural"]
    household.urban_rural = ur if ur not in (None, _BAD) else (
        village.urban_rural.value if village not in (None, _BAD) else "rural")
    household.head_name = values["head_name"]
    household.bank_account = values["bank_account"]
    household.amount_fen = values["monthly_amount"] if values["monthly_amount"] is not _BAD else 0
    month = values["start_month"]
    household.start_month = month if month is not _BAD else None
    household.is_concentrated = values.get("support_mode") is True
    care = values.get("care_level")
    household.care_level = care if care not in (None, _BAD) else None
    household.schema_version_id = ref.schema_version(code)
    if household.schema_version_id is None:
        problems.add(household.row, "relief_type", NO_FORM, relief=RELIEF_TYPES[code].short_name)
    if household.start_month is not None:
        household.standard_version_id = ref.standard(household.start_month)
        if household.standard_version_id is None:
            problems.add(household.row, "start_month", NO_STANDARD,
                         month=f"{household.start_month:%Y-%m}")


def _already_imported(household: Household, ref) -> bool:
    """An active case imported before with the same natural key (type + head ID number)."""
    return any(relief == household.relief_type and head == household.head_id_number and imported
               for relief, head, imported, *_ in ref.active.get(household.head_id_number, ()))


def _check_active(household: Household, ref, problems) -> None:
    """A person already in an active case of the same relief type cannot be imported again."""
    for person in household.members:
        for relief, _head, _imported, number, state, code in ref.active.get(person.id_number, ()):
            if relief != household.relief_type:
                continue
            if code.startswith(ref.county.prefix):
                problems.add(person.row, "id_number", IN_CASE,
                             relief=RELIEF_TYPES[relief].short_name, case=number,
                             state=STATE_LABELS.get(state, state))
            else:
                problems.add(person.row, "id_number", IN_OTHER_REGION)
