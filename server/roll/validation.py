"""Reading and checking a roll file: every problem by row and column (Chinese), nothing
written. The result is the households to import, grouped by their natural key (relief type +
head-of-household ID number), and those already imported before (skipped: re-importing the
same file adds nothing).

Reference data (villages, published forms, standards, people in active cases) is read once in
bulk, so 25,000 member rows are checked in about a second.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from .. import idnumber
from ..cases.models import Case, Member
from ..cases.workflows import FINAL_STATES, STATE_LABELS, settings_for
from ..db import db
from ..money import MoneyError, yuan_to_fen
from ..periods import add_months, local_today, month_of
from ..regions.models import Region, RegionLevel
from ..relief import RELIEF_TYPES, ReliefCode
from ..standards.queries import current_set
from .layout import ROLL, SUPPORT_MODES, header_keys

MAX_STORED_PROBLEMS = 2000
URBAN_RURAL = {"城市": "urban", "城镇": "urban", "urban": "urban", "农村": "rural", "rural": "rural"}
CARE_LEVELS = ("全自理", "半护理", "全护理")
HEAD_RELATIONS = ("本人", "户主")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(\s*[-/.]\s*\d{1,2}\s*日?)?"
                    r"(\s+\d{1,2}:\d{2}(:\d{2})?)?$")
_TITLES = {c.key: c.title for c in ROLL}


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

    def add(self, row: int, key: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_STORED_PROBLEMS:
            self.items.append({"row": row, "column": self.titles.get(key, _TITLES.get(key, key)),
                               "message": message})


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

    def village(self, township: str, text: str) -> tuple[Region | None, str]:
        if re.fullmatch(r"\d{12}", text):
            found = self.villages.get(text)
            return (found, "") if found else (None, f"本县没有区划代码为 {text} 的村（社区）")
        candidates = self.by_name.get(text, [])
        if township:
            candidates = [v for v in candidates if self.township_of.get(v.id) == township]
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            where = f"{township}" if township else "本县"
            return None, f"{where}没有名为“{text}”的村（社区）"
        return None, f"本县有多个名为“{text}”的村（社区），请填写乡镇（街道）或 12 位区划代码"

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
        problems.add(1, "relief_type", "文件为空")
        return Checked([], 0, problems.items, problems.count, 0)
    keys = header_keys(header, "roll", mapped)
    titles = {key: _text(header[index]) for index, key in keys.items()}
    problems = _Problems(titles)
    missing = [c for c in ROLL if c.is_required and c.key not in titles]
    for column in missing:
        problems.add(start + 1, column.key, f"缺少必填列“{column.title}”")
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
            problems.add(household.row, "head_id_number", "本户没有户主本人的成员行（户主身份证号应与其中一行的成员身份证号相同）")
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
        problems.add(line, "relief_type", "请填写救助类别")
    elif code is None:
        problems.add(line, "relief_type", f"未知的救助类别“{text['relief_type'][:20]}”，应为 "
                     + "、".join(k.short_name for k in RELIEF_TYPES.values()
                                 if not ref.settings(k.code).is_one_off))
    elif ref.settings(code).is_one_off:
        problems.add(line, "relief_type",
                     f"{RELIEF_TYPES[code].short_name}为一次性救助，不列入在册名单")
        code = None
    head = idnumber.normalize(text.get("head_id_number", ""))
    head_ok = _id_ok(line, "head_id_number", head, ref, problems, "户主身份证号")
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
                problems.add(line, name, f"与同户第{household.row}行不一致")
    name = text.get("name", "")
    if not name:
        problems.add(line, "name", "请填写成员姓名")
    number = idnumber.normalize(text.get("id_number", ""))
    if not _id_ok(line, "id_number", number, ref, problems, "成员身份证号"):
        return
    relationship = text.get("relationship", "")
    if number == head:
        relationship = "本人"
    elif relationship in HEAD_RELATIONS:
        problems.add(line, "relationship", "只有户主本人的一行可填“本人”")
    earlier = seen.get(number)
    if earlier is not None:
        row, other = earlier
        if other == key:
            problems.add(line, "id_number", f"与第{row}行是同一人，同一户中重复")
        else:
            problems.add(line, "id_number",
                         f"与第{row}行是同一人，该人员已在另一户（户主 {idnumber.mask(other[1])}）中")
        return
    seen[number] = (line, key)
    household.members.append(Person(line, name[:100], number, (relationship or "家庭成员")[:20]))


_BAD = object()  # a cell that did not parse (its problem is already reported)


def _given(value) -> bool:
    return value is not _BAD and value not in ("", None)


def _id_ok(line, key, number, ref, problems, label) -> bool:
    if not number:
        problems.add(line, key, f"请填写{label}")
        return False
    try:
        idnumber.validate(number, today=ref.today)
    except idnumber.InvalidIdNumber as exc:
        problems.add(line, key, str(exc))
        return False
    return True


def _household_values(line, text, cells, code, ref, problems, latest) -> dict:
    """The household-level cells of one row, parsed (``_BAD`` where they did not parse)."""
    values: dict = {"head_name": text.get("head_name", ""),
                    "bank_account": text.get("bank_account", "")[:40]}
    village_text = text.get("village", "")
    if not village_text:
        problems.add(line, "village", "请填写村（社区）")
        values["village"] = _BAD
    else:
        village, why = ref.village(text.get("township", ""), village_text)
        if village is None:
            problems.add(line, "village", why)
        values["village"] = village if village is not None else _BAD
    ur = text.get("urban_rural", "")
    values["urban_rural"] = URBAN_RURAL.get(ur.lower(), _BAD) if ur else None
    if values["urban_rural"] is _BAD:
        problems.add(line, "urban_rural", f"城乡类别应为 城市 或 农村，不是“{ur[:20]}”")
    settings = ref.settings(code) if code else None
    try:
        amount = yuan_to_fen(cells.get("monthly_amount"))
    except MoneyError as exc:
        problems.add(line, "monthly_amount", f"金额不是有效的数字：{text.get('monthly_amount', '')[:20]}（{exc}）")
        amount = _BAD
    if amount is not _BAD and settings is not None:
        if settings.is_paid and not amount:
            problems.add(line, "monthly_amount", "请填写大于 0 的月保障金额")
            amount = _BAD
        elif not settings.is_paid and amount:
            problems.add(line, "monthly_amount", "该救助类别不发放保障金，金额应为 0 或不填")
            amount = _BAD
    values["monthly_amount"] = (amount or 0) if amount is not _BAD else _BAD
    month = parse_month(cells.get("start_month"))
    if month is None:
        problems.add(line, "start_month", "保障起始月份应为月份，如 2026-03" if text.get("start_month")
                     else "请填写保障起始月份")
        month = _BAD
    elif not date(1990, 1, 1) <= month <= latest:
        problems.add(line, "start_month", f"保障起始月份 {month:%Y-%m} 不合理（不能晚于下月）")
        month = _BAD
    values["start_month"] = month
    person_based = code is not None and RELIEF_TYPES[code].unit == "person"
    mode, care = text.get("support_mode", ""), text.get("care_level", "")
    if person_based:
        values["support_mode"] = SUPPORT_MODES.get(mode, _BAD) if mode else False
        if values["support_mode"] is _BAD:
            problems.add(line, "support_mode", f"供养方式应为 集中供养 或 分散供养，不是“{mode[:20]}”")
        if care not in CARE_LEVELS:
            problems.add(line, "care_level", f"护理等级应为 {'、'.join(CARE_LEVELS)}"
                         + (f"，不是“{care[:20]}”" if care else ""))
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
        problems.add(household.row, "relief_type", f"本县尚未发布{RELIEF_TYPES[code].short_name}"
                     "申请表，请先发布（表单管理或 jiuzhu forms sync）")
    if household.start_month is not None:
        household.standard_version_id = ref.standard(household.start_month)
        if household.standard_version_id is None:
            problems.add(household.row, "start_month",
                         f"{household.start_month:%Y-%m} 没有生效的救助标准，请先录入该时期的标准")


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
                problems.add(person.row, "id_number", f"该人员已在{RELIEF_TYPES[relief].short_name}"
                             f"案件 {number}（{STATE_LABELS.get(state, state)}）中，不能重复导入")
            else:
                problems.add(person.row, "id_number", "该人员已在其他地区的在办案件中，请联系县级民政部门核实")
