"""Monthly statistics by SQL, internal checks, consolidation and exports."""
from __future__ import annotations

from datetime import date, datetime

from openpyxl import load_workbook

from server.db import db
from server.extensions import data_dir
from server.filings import exports, operations, stats

from ..archives.factories import make_case
from ..conftest import region

MARCH = date(2026, 3, 1)


def seed():
    """东风镇: 3 DB (one new in March, one stopped after February), 2 TK, 2 LS; 太平乡: 1 DB."""
    make_case(start=date(2026, 1, 1), persons=2, monthly_fen=60000)
    make_case(start=MARCH, persons=3, monthly_fen=90000, urban_rural="urban",
              members=[("F", date(1950, 1, 1)), ("M", date(1980, 1, 1)), ("F", date(2015, 1, 1))])
    make_case(start=date(2026, 1, 1), end=date(2026, 2, 1), persons=1, monthly_fen=30000)
    make_case(relief_type="TK", start=date(2026, 2, 1), persons=1, monthly_fen=120000,
              care_level="全护理", is_concentrated=True, members=[("M", date(1940, 2, 2))])
    make_case(relief_type="TK", start=date(2026, 2, 1), persons=1, monthly_fen=100000,
              care_level="全自理", members=[("F", date(1945, 2, 2))])
    make_case(relief_type="LS", start=None, monthly_fen=0, one_off_fen=200000, ls_kind="emergency",
              decided_at=datetime(2026, 3, 5))
    make_case(relief_type="LS", start=None, monthly_fen=0, one_off_fen=50000, ls_kind="spending",
              decided_at=datetime(2026, 1, 5))
    make_case(village_code="220999201201", start=date(2026, 1, 1), persons=4)
    db.session.commit()


def test_figures_per_type_and_part(demo):
    seed()
    figures = stats.compute("220999", MARCH)
    assert set(figures) == {"220999001", "220999101", "220999201"}
    dongfeng = figures["220999101"]
    db_ = dongfeng["types"]["DB"]
    assert db_["total"]["households"] == 2 and db_["total"]["persons"] == 5
    assert db_["urban"]["new_persons"] == 3 and db_["rural"]["stopped_households"] == 1
    assert db_["rural"]["prev_persons"] == 3
    assert db_["total"]["amount_fen"] == 150000
    # cumulative: 60000×3 + 90000×1 + 30000×2 (Jan, Feb)
    assert db_["total"]["cumulative_fen"] == 180000 + 90000 + 60000
    assert dongfeng["groups"]["DB"]["elderly"] == 1 + 1  # 1960 and 1950 births
    assert dongfeng["groups"]["DB"]["women"] == 3
    tk = dongfeng["tk"]
    assert tk["concentrated"]["households"] == 1 and tk["care"]["全自理"]["amount_fen"] == 100000
    ls = dongfeng["ls"]
    assert ls["emergency"]["amount_fen"] == 200000 and ls["spending"]["amount_fen"] == 0
    assert ls["total"]["cumulative_fen"] == 250000
    assert stats.check(dongfeng) == []
    assert figures["220999201"]["types"]["DB"]["total"]["persons"] == 4
    total = stats.consolidate(figures)
    assert total["types"]["DB"]["total"]["persons"] == 9


def test_checks_catch_inconsistent_rows(demo):
    seed()
    figures = stats.compute("220999101", MARCH)["220999101"]
    figures["types"]["DB"]["total"]["persons"] += 1
    figures["tk"]["dispersed"]["households"] += 1
    problems = stats.check(figures)
    assert any("合计行" in p for p in problems) and any("上月人数" in p for p in problems)
    assert any("集中 + 分散" in p for p in problems)


def test_build_writes_files_and_county_consolidation(demo):
    seed()
    county = region("220999000000")
    result = operations.build_county(county, MARCH)
    db.session.commit()
    assert len(result["built"]) == 3
    filing = operations.filing_for(region("220999101000"), MARCH)
    assert filing.check_failures == [] and filing.roster_count == 5
    assert filing.roster_total_fen == 60000 + 90000 + 120000 + 100000 + 200000
    wb = load_workbook(data_dir() / filing.files["statistics_xlsx"])
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "城乡低保、特困供养资金发放统计" in cells and "急难型" in cells
    roster = load_workbook(data_dir() / filing.files["roster_xlsx"]).active
    assert roster.max_row == 5 + 3
    assert (data_dir() / filing.files["statistics_docx"]).read_bytes()[:2] == b"PK"
    consolidated = load_workbook(data_dir() / result["consolidation"]).active
    names = [r[0] for r in consolidated.iter_rows(values_only=True)]
    assert "东风镇" in names and "太平乡" in names


def test_sections_have_all_rows(demo):
    seed()
    parts = exports.sections(stats.compute("220999101", MARCH)["220999101"])
    assert [p.title for p in parts][0] == "城乡低保、特困供养资金发放统计"
    assert len(parts[0].rows) == 6 and len(parts[3].rows) == 4


def _oracle(cases, month: date) -> dict:
    """The figures counted case by case in Python, the definitions of domain.md §8 read
    directly: the one-pass SQL must give exactly these."""
    from server.filings.periods import utc_bounds
    from server.periods import add_months

    def paid(c, m):
        return (c.payment_start_month is not None and c.payment_start_month <= m
                and (c.payment_end_month is None or c.payment_end_month >= m))

    prev = add_months(month, -1)
    months = [add_months(date(month.year, 1, 1), i) for i in range(month.month)]
    start, end = utc_bounds(month)
    year_start, _ = utc_bounds(date(month.year, 1, 1))
    out = {}
    for c in cases:
        table = out.setdefault(c.region.code[:9], stats._empty_township())
        code = c.relief_type
        if code == "LS":
            if not (year_start <= c.decided_at < end and c.one_off_amount_fen > 0):
                continue
            now = start <= c.decided_at
            for row in (table["ls"][c.ls_kind if c.ls_kind in stats.LS_KINDS else "other"],
                        table["ls"]["total"]):
                row["cases"] += now
                row["persons"] += c.persons_covered * now
                row["amount_fen"] += c.one_off_amount_fen * now
                row["cumulative_fen"] += c.one_off_amount_fen
            continue
        figures = dict.fromkeys(stats.TYPE_FIELDS, 0)
        if paid(c, month):
            new = c.payment_start_month == month
            figures.update(households=1, persons=c.persons_covered,
                           amount_fen=c.amount_for(month), new_households=int(new),
                           new_persons=c.persons_covered * new)
        if c.payment_end_month == prev and c.payment_start_month <= prev:
            figures.update(stopped_households=1, stopped_persons=c.persons_covered)
        if paid(c, prev):
            figures.update(prev_households=1, prev_persons=c.persons_covered)
        figures["cumulative_fen"] = c.monthly_amount_fen * sum(paid(c, m) for m in months)
        parts = table["types"][code]
        for row in (parts[c.urban_rural if c.urban_rural in stats.URBAN_RURAL else "rural"],
                    parts["total"]):
            for field, value in figures.items():
                row[field] += value
        if code == "TK":
            tk = table["tk"]
            for bucket in (tk["concentrated" if c.is_concentrated else "dispersed"],
                           tk["care"][c.care_level if c.care_level in stats.CARE_LEVELS else "其他"],
                           tk["total"]):
                bucket["households"] += figures["households"]
                bucket["amount_fen"] += figures["amount_fen"]
    return out


def test_one_pass_equals_the_figures_counted_case_by_case(demo):
    """A generated month (every start, end, type, part, care level, kind and a scheduled
    amount change): the one SQL pass gives every figure the definitions give."""
    import random

    rng = random.Random(13)
    months = [None, *(date(2025, m, 1) for m in (6, 12)), *(date(2026, m, 1) for m in (1, 2, 3, 4))]
    cases = []
    for n in range(90):
        relief = ("DB", "TK", "LS")[n % 3]
        village = ("220999101201", "220999201201")[n % 2]
        start = rng.choice(months[1:])
        end = rng.choice([None, None, *months[1:]])
        end = end if end is None or end >= start else None
        facts = {}
        if n % 7 == 0:
            facts = {"scheduled_amount_month": rng.choice(months[1:]),
                     "scheduled_amount_fen": rng.randrange(1000, 90000)}
        if relief == "TK":
            facts.update(care_level=rng.choice([*stats.CARE_LEVELS, None]),
                         is_concentrated=rng.random() < 0.5)
        if relief == "LS":
            cases.append(make_case(village, "LS", start=None, monthly_fen=0,
                                   one_off_fen=rng.choice([0, rng.randrange(1000, 300000)]),
                                   ls_kind=rng.choice(["emergency", "spending", None]),
                                   persons=rng.randrange(1, 5),
                                   decided_at=datetime(rng.choice([2025, 2026, 2026]),
                                                       rng.randrange(1, 5), rng.randrange(1, 28), 3)))
            continue
        cases.append(make_case(village, relief, start=start, end=end,
                               persons=rng.randrange(1, 5), monthly_fen=rng.randrange(1000, 150000),
                               urban_rural=rng.choice(["urban", "rural", None]), **facts))
    db.session.commit()
    figures = stats.compute("220999", MARCH)
    expected = _oracle(cases, MARCH)
    assert expected["220999101"]["types"]["DB"]["total"]["households"] > 3  # the month has cases
    assert sum(t["ls"]["total"]["cases"] for t in expected.values()) > 0
    for township, table in expected.items():
        for section in ("types", "tk", "ls"):
            assert figures[township][section] == table[section], (township, section)
        assert stats.check(figures[township]) == []


def test_county_build_gives_each_township_its_own_roster_rows(demo):
    """The rosters come from one scan split by township: a locked township in between takes
    none of its rows and leaves the next township's rows to it."""
    from server.filings.models import LOCKED
    from server.filings.roster import expected_rows

    seed()
    dongfeng, taiping = region("220999101000"), region("220999201000")
    locked = operations.filing_for(dongfeng, MARCH)
    locked.status = sorted(LOCKED)[0]
    db.session.commit()
    result = operations.build_county(region("220999000000"), MARCH)
    db.session.commit()
    assert "220999101000" not in result["built"] and "220999201000" in result["built"]
    filing = operations.filing_for(taiping, MARCH)
    expected = expected_rows(taiping, MARCH)
    assert filing.roster_count == len(expected) == 1
    sheet = load_workbook(data_dir() / filing.files["roster_xlsx"]).active
    numbers = [r[2] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] != "合计"]
    assert numbers == [r.case_number for r in expected]
    assert filing.check_failures == []
