"""The monthly statistics (domain.md §8), computed with SQL GROUP BY for every township of a
region at once, and the internal checks they must pass before filing.

A month is paid for the case of a monthly item (DB/TK: ``is_monthly`` in forms/items.yaml)
when ``payment_start_month <= month`` and (``payment_end_month`` is empty or ``>= month``).
"Stopped this month" counts cases whose last paid month was the previous one, so last month's
persons + new − stopped = this month's.
The figures come from one scan of the cases (and one of the members for the persons by group),
so the time grows linearly with the county; the totals are the sums of the parts.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, literal_column, or_, select

from ..cases.models import Case, Member
from ..db import db
from ..periods import add_months
from ..regions.models import Region, RegionLevel
from ..relief import codes_where
from .periods import utc_bounds

# which items fill which part of the table: from the items' families (forms/items.yaml)
MONTHLY = codes_where(is_monthly=True)  # paid every month: the per-type sections (DB, TK)
ONE_OFF = codes_where(is_one_off=True)  # the one-off section (临时救助)
CARE = codes_where(has_care_levels=True)  # the care-level section (特困)
MONTHLY_TYPES = tuple(getattr(code, "value", code) for code in MONTHLY)
URBAN_RURAL = ("urban", "rural")
TYPE_FIELDS = ("households", "persons", "new_households", "new_persons", "stopped_households",
               "stopped_persons", "amount_fen", "cumulative_fen", "prev_households",
               "prev_persons")
GROUPS = ("elderly", "minors", "disabled", "women")
CARE_LEVELS = ("全自理", "半护理", "全护理")
LS_KINDS = ("emergency", "spending")
NOT_DISABLED = ("", "无", "否", "none", "no")


def _township():
    # constants inlined: PostgreSQL matches GROUP BY to SELECT by text, not by bound values
    return func.substr(Region.code, literal_column("1"), literal_column("9")).label("township")


def _scope(prefix: str):
    return [Case.region_id == Region.id, Region.code.startswith(prefix, autoescape=True)]


def _paid_in(month: date):
    return and_(Case.payment_start_month <= month,
                or_(Case.payment_end_month.is_(None), Case.payment_end_month >= month))


def is_new(month: date):
    """A case whose first paid month is ``month``: one of the month's new recipients."""
    return Case.payment_start_month == month


def new_recipients(prefix: str, month: date):
    """The month's new DB/TK recipients under a region prefix, as the table counts them (the
    population of the county's spot-check draw)."""
    return select(Case).where(*_scope(prefix), Case.relief_type.in_(MONTHLY),
                              _paid_in(month), is_new(month))


def _relief():
    # the enum column compares by name; casting keeps the plain code for grouping
    return Case.relief_type.label("relief")


def _code(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _rows(stmt):
    return db.session.execute(stmt).all()


def _empty_type() -> dict:
    return {part: dict.fromkeys(TYPE_FIELDS, 0) for part in (*URBAN_RURAL, "total")}


def _empty_township() -> dict:
    return {
        "types": {code: _empty_type() for code in MONTHLY_TYPES},
        "groups": {code: dict.fromkeys(GROUPS, 0) for code in MONTHLY_TYPES},
        "tk": {"concentrated": {"households": 0, "amount_fen": 0},
               "dispersed": {"households": 0, "amount_fen": 0},
               "care": {level: {"households": 0, "amount_fen": 0} for level in (*CARE_LEVELS, "其他")},
               "total": {"households": 0, "amount_fen": 0}},
        "ls": {kind: {"cases": 0, "persons": 0, "amount_fen": 0, "cumulative_fen": 0}
               for kind in (*LS_KINDS, "other", "total")},
    }


def _one_pass(out, prefix: str, month: date) -> None:
    """Every DB/TK, 特困 and 临时救助 figure in one scan of the cases: conditional sums grouped
    by township, type and every column a figure splits by; the totals are the sums of those
    groups (the old way ran 13 GROUP BYs, each scanning every case)."""
    prev = add_months(month, -1)
    january = date(month.year, 1, 1)
    start, end = utc_bounds(month)
    year_start, _ = utc_bounds(january)
    paid, paid_prev, new = _paid_in(month), _paid_in(prev), is_new(month)
    stopped = and_(Case.payment_end_month == prev, Case.payment_start_month <= prev)
    in_month = and_(Case.decided_at >= start, Case.decided_at < end)
    months_paid = sum((case((_paid_in(m), 1), else_=0)
                       for m in (add_months(january, i) for i in range(month.month))),
                      literal(0))
    amount = Case.amount_in(month)

    def when(condition, value=1):
        return func.sum(case((condition, value), else_=0))

    monthly = and_(Case.relief_type.in_(MONTHLY), Case.payment_start_month <= month)
    one_off = and_(Case.relief_type.in_(ONE_OFF), Case.decided_at >= year_start,
                   Case.decided_at < end, Case.one_off_amount_fen > 0)
    keys = (_township(), _relief(), Case.urban_rural, Case.is_concentrated, Case.care_level,
            Case.ls_kind)
    stmt = (select(*keys,
                   when(paid), when(paid, Case.persons_covered), when(paid, amount),
                   when(and_(paid, new)), when(and_(paid, new), Case.persons_covered),
                   when(stopped), when(stopped, Case.persons_covered),
                   when(paid_prev), when(paid_prev, Case.persons_covered),
                   func.sum(Case.monthly_amount_fen * months_paid),
                   when(in_month), when(in_month, Case.persons_covered),
                   when(in_month, Case.one_off_amount_fen), func.sum(Case.one_off_amount_fen))
            .where(*_scope(prefix), or_(monthly, one_off))
            .group_by(keys[0], Case.relief_type, Case.urban_rural, Case.is_concentrated,
                      Case.care_level, Case.ls_kind))
    type_fields = ("households", "persons", "amount_fen", "new_households", "new_persons",
                   "stopped_households", "stopped_persons", "prev_households", "prev_persons",
                   "cumulative_fen")
    ls_fields = ("cases", "persons", "amount_fen", "cumulative_fen")
    for township, relief, part, concentrated, level, kind, *values in _rows(stmt):
        values = [int(v or 0) for v in values]
        figures, ls_values = dict(zip(type_fields, values)), values[len(type_fields):]
        table, code = out[township], _code(relief)
        if code in ONE_OFF:
            for row in (table["ls"][kind if kind in LS_KINDS else "other"], table["ls"]["total"]):
                for field, value in zip(ls_fields, ls_values):
                    row[field] += value
            continue
        parts = table["types"][code]
        for row in (parts[part if part in URBAN_RURAL else "rural"], parts["total"]):
            for field, value in figures.items():
                row[field] += value
        if code in CARE:
            tk = table["tk"]
            for bucket in (tk["concentrated" if concentrated else "dispersed"],
                           tk["care"][level if level in CARE_LEVELS else "其他"], tk["total"]):
                bucket["households"] += figures["households"]
                bucket["amount_fen"] += figures["amount_fen"]


def _group_figures(out, prefix: str, month: date) -> None:
    """Persons in paid households by group: elderly ≥ 60, minors < 18, disabled, women."""
    last_day = add_months(month, 1) - timedelta(days=1)
    disability = func.coalesce(Member.details["disability"].as_string(),
                               Member.details["disability_grade"].as_string(), "")
    stmt = (select(_township(), _relief(),
                   func.sum(case((Member.birth_date <= _years_before(last_day, 60), 1), else_=0)),
                   func.sum(case((Member.birth_date > _years_before(last_day, 18), 1), else_=0)),
                   func.sum(case((disability.not_in(NOT_DISABLED), 1), else_=0)),
                   func.sum(case((Member.sex == "F", 1), else_=0)))
            .where(Member.case_id == Case.id, *_scope(prefix),
                   Case.relief_type.in_(MONTHLY), _paid_in(month))
            .group_by(_township(), Case.relief_type))
    for township, relief, *values in _rows(stmt):
        groups = out[township]["groups"][_code(relief)]
        for field, value in zip(GROUPS, values):
            groups[field] += int(value or 0)


def compute(prefix: str, month: date) -> dict[str, dict]:
    """Statistics of every township under ``prefix`` (a county or township code prefix)."""
    out: dict[str, dict] = defaultdict(_empty_township)
    townships = db.session.scalars(select(Region.code).where(
        Region.code.startswith(prefix, autoescape=True),
        Region.level == RegionLevel.township)).all()
    for code in townships:
        out[code[:9]]  # noqa: B018 - every township gets a table, even an empty one
    for part in (_one_pass, _group_figures):
        part(out, prefix, month)
    return dict(out)


def consolidate(per_township: dict[str, dict]) -> dict:
    """The county table: every figure summed over the townships."""
    def add(into, value):
        for key, item in value.items():
            if isinstance(item, dict):
                add(into.setdefault(key, {}), item)
            else:
                into[key] = into.get(key, 0) + item
        return into

    total = _empty_township()
    for stats in per_township.values():
        add(total, stats)
    return total


def check(stats: dict) -> list[str]:
    """The internal checks (Chinese messages); empty when the table is consistent."""
    problems = []
    for code, parts in stats["types"].items():
        total = parts["total"]
        for field in TYPE_FIELDS:
            if sum(parts[p][field] for p in URBAN_RURAL) != total[field]:
                problems.append(f"{code} 合计行与城市、农村之和不符：{field}")
        for part in (*URBAN_RURAL, "total"):
            row = parts[part]
            if row["prev_persons"] + row["new_persons"] - row["stopped_persons"] != row["persons"]:
                problems.append(f"{code} {part}：上月人数 + 新增 − 停发 ≠ 本月人数")
            if (row["prev_households"] + row["new_households"] - row["stopped_households"]
                    != row["households"]):
                problems.append(f"{code} {part}：上月户数 + 新增 − 停发 ≠ 本月户数")
    tk = stats["tk"]
    tk_total = {field: sum(stats["types"][_code(c)]["total"][field] for c in CARE)
                for field in ("households", "amount_fen")}
    for field, total_field in (("households", "households"), ("amount_fen", "amount_fen")):
        if tk["concentrated"][field] + tk["dispersed"][field] != tk["total"][field]:
            problems.append(f"特困 集中 + 分散 ≠ 合计：{field}")
        if sum(level[field] for level in tk["care"].values()) != tk["total"][field]:
            problems.append(f"特困 各护理等级之和 ≠ 合计：{field}")
        if tk["total"][field] != tk_total[total_field]:
            problems.append(f"特困 分类合计与特困总数不符：{field}")
    ls = stats["ls"]
    for field in ("cases", "persons", "amount_fen", "cumulative_fen"):
        if sum(ls[k][field] for k in (*LS_KINDS, "other")) != ls["total"][field]:
            problems.append(f"临时救助 各类之和 ≠ 合计：{field}")
    return problems
