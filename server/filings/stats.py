"""The monthly statistics (domain.md §8), computed with SQL GROUP BY for every township of a
region at once, and the internal checks they must pass before filing.

A month is paid for a DB/TK case when ``payment_start_month <= month`` and
(``payment_end_month`` is empty or ``>= month``). "Stopped this month" counts cases whose last
paid month was the previous one, so last month's persons + new − stopped = this month's.
Totals are queried separately from their parts, so "row = sum of parts" is a real check.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, literal_column, or_, select

from ..cases.models import Case, Member
from ..db import db
from ..periods import add_months
from ..regions.models import Region, RegionLevel
from ..relief import ReliefCode
from .periods import utc_bounds

MONTHLY_TYPES = (ReliefCode.DB.value, ReliefCode.TK.value)
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
    return select(Case).where(*_scope(prefix), Case.relief_type.in_([ReliefCode.DB, ReliefCode.TK]),
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


def _monthly_figures(out, prefix: str, month: date) -> None:
    """Households, persons, new, stopped, amount, cumulative, last month: per type and part."""
    prev = add_months(month, -1)
    january = date(month.year, 1, 1)
    new = is_new(month)
    months_paid = sum((case((_paid_in(m), 1), else_=0)
                       for m in (add_months(january, i) for i in range(month.month))),
                      literal(0))
    monthly = Case.relief_type.in_([ReliefCode.DB, ReliefCode.TK])
    for grouped in (True, False):  # parts (urban/rural), then totals on their own
        part = Case.urban_rural if grouped else literal("total")
        keys = [_township(), _relief(), part.label("part")]
        group = [keys[0], Case.relief_type] + ([Case.urban_rural] if grouped else [])
        queries = {
            "paid": (select(*keys, func.count(Case.id), func.sum(Case.persons_covered),
                            func.sum(Case.amount_in(month)),
                            func.sum(case((new, 1), else_=0)),
                            func.sum(case((new, Case.persons_covered), else_=0)))
                     .where(*_scope(prefix), monthly, _paid_in(month))),
            "stopped": (select(*keys, func.count(Case.id), func.sum(Case.persons_covered))
                        .where(*_scope(prefix), monthly, Case.payment_end_month == prev,
                               Case.payment_start_month <= prev)),
            "prev": (select(*keys, func.count(Case.id), func.sum(Case.persons_covered))
                     .where(*_scope(prefix), monthly, _paid_in(prev))),
            "cumulative": (select(*keys, func.sum(Case.monthly_amount_fen * months_paid))
                           .where(*_scope(prefix), monthly,
                                  Case.payment_start_month <= month)),
        }
        fields = {"paid": ("households", "persons", "amount_fen", "new_households", "new_persons"),
                  "stopped": ("stopped_households", "stopped_persons"),
                  "prev": ("prev_households", "prev_persons"),
                  "cumulative": ("cumulative_fen",)}
        for name, stmt in queries.items():
            for township, relief, part_value, *values in _rows(stmt.group_by(*group)):
                part_key = part_value if part_value in (*URBAN_RURAL, "total") else "rural"
                row = out[township]["types"][_code(relief)][part_key]
                for field, value in zip(fields[name], values):
                    row[field] += int(value or 0)


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
                   Case.relief_type.in_([ReliefCode.DB, ReliefCode.TK]), _paid_in(month))
            .group_by(_township(), Case.relief_type))
    for township, relief, *values in _rows(stmt):
        groups = out[township]["groups"][_code(relief)]
        for field, value in zip(GROUPS, values):
            groups[field] += int(value or 0)


def _tk_figures(out, prefix: str, month: date) -> None:
    """特困: concentrated/dispersed and by care level, plus the total on its own."""
    base = [*_scope(prefix), Case.relief_type == ReliefCode.TK, _paid_in(month)]
    figures = (func.count(Case.id), func.sum(Case.amount_in(month)))
    stmt = (select(_township(), Case.is_concentrated, Case.care_level, *figures).where(*base)
            .group_by(_township(), Case.is_concentrated, Case.care_level))
    for township, concentrated, level, count, amount in _rows(stmt):
        tk = out[township]["tk"]
        for bucket in (tk["concentrated" if concentrated else "dispersed"],
                       tk["care"][level if level in CARE_LEVELS else "其他"]):
            bucket["households"] += int(count or 0)
            bucket["amount_fen"] += int(amount or 0)
    for township, count, amount in _rows(select(_township(), *figures).where(*base)
                                         .group_by(_township())):
        out[township]["tk"]["total"] = {"households": int(count or 0),
                                        "amount_fen": int(amount or 0)}


def _ls_figures(out, prefix: str, month: date) -> None:
    """临时救助 decided in the month (and since January) by emergency/spending."""
    start, end = utc_bounds(month)
    year_start, _ = utc_bounds(date(month.year, 1, 1))
    in_month = and_(Case.decided_at >= start, Case.decided_at < end)
    figures = (func.sum(case((in_month, 1), else_=0)),
               func.sum(case((in_month, Case.persons_covered), else_=0)),
               func.sum(case((in_month, Case.one_off_amount_fen), else_=0)),
               func.sum(Case.one_off_amount_fen))
    base = [*_scope(prefix), Case.relief_type == ReliefCode.LS, Case.decided_at >= year_start,
            Case.decided_at < end, Case.one_off_amount_fen > 0]
    keys = ("cases", "persons", "amount_fen", "cumulative_fen")
    for township, kind, *values in _rows(select(_township(), Case.ls_kind, *figures).where(*base)
                                         .group_by(_township(), Case.ls_kind)):
        row = out[township]["ls"][kind if kind in LS_KINDS else "other"]
        for field, value in zip(keys, values):
            row[field] += int(value or 0)
    for township, *values in _rows(select(_township(), *figures).where(*base)
                                   .group_by(_township())):
        out[township]["ls"]["total"] = dict(zip(keys, (int(v or 0) for v in values)))


def compute(prefix: str, month: date) -> dict[str, dict]:
    """Statistics of every township under ``prefix`` (a county or township code prefix)."""
    out: dict[str, dict] = defaultdict(_empty_township)
    townships = db.session.scalars(select(Region.code).where(
        Region.code.startswith(prefix, autoescape=True),
        Region.level == RegionLevel.township)).all()
    for code in townships:
        out[code[:9]]  # noqa: B018 - every township gets a table, even an empty one
    for part in (_monthly_figures, _group_figures, _tk_figures, _ls_figures):
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
    tk, tk_total = stats["tk"], stats["types"]["TK"]["total"]
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
