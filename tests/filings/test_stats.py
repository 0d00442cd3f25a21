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
