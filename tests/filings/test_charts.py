"""The county's pictures: the home page and the consolidation page carry SVG charts of the
filed figures (recipients, amounts, filings on time) and of overdue cases per township."""
from __future__ import annotations

import re
from datetime import datetime

from server.db import db
from server.filings.models import Filing, FilingStatus
from server.periods import add_months, local_today, month_of, to_utc
from tests.conftest import region


def _file(code: str, month, count: int, fen: int, status: FilingStatus, submitted_day: int):
    db.session.add(Filing(region_id=region(code).id, month=month, status=status,
                          roster_count=count, roster_total_fen=fen,
                          submitted_at=to_utc(datetime(month.year, month.month, submitted_day, 10))))


def _known_month():
    """Last month: 东风镇 filed 3 people 2,150.00 元 on the 18th (on time, the filing day is the
    20th); 太平乡 filed 2 people 980.50 元 on the 25th (late); 城关街道 only has a draft."""
    month = add_months(month_of(local_today()), -1)
    _file("220999101000", month, 3, 215000, FilingStatus.accepted, 18)
    _file("220999201000", month, 2, 98050, FilingStatus.submitted, 25)
    _file("220999001000", month, 9, 900000, FilingStatus.draft, 5)
    db.session.commit()
    return month


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, re.S)


def _check_filing_charts(svgs: list[str], month):
    recipients = next(s for s in svgs if "各乡镇保障人数" in s)
    amounts = next(s for s in svgs if "各乡镇发放金额" in s)
    on_time = next(s for s in svgs if "按时备案" in s)
    key = f"{month:%Y-%m}"
    assert f"东风镇 {key}：3人" in recipients and f"太平乡 {key}：2人" in recipients
    assert f"东风镇 {key}：2150元" in amounts and f"太平乡 {key}：980元" in amounts
    # the draft is not a filing: no point for 城关街道, its 9 people and 9,000 元 appear nowhere
    assert f"城关街道 {key}" not in recipients and "9000元" not in amounts
    assert "东风镇：100%" in on_time and "太平乡：0%" in on_time
    assert "城关街道" in on_time and "城关街道：" not in on_time  # never filed: no bar


def test_county_home_page_shows_the_charts(login, demo):
    month = _known_month()
    html = login("supervisor").get("/").get_data(as_text=True)
    svgs = _svgs(html)
    _check_filing_charts(svgs, month)
    overdue = next(s for s in svgs if "各乡镇超期案件" in s)
    for name in ("东风镇", "太平乡", "城关街道"):
        assert f">{name}</text>" in overdue


def test_consolidation_page_shows_the_charts(login, demo):
    month = _known_month()
    html = login("supervisor").get(f"/filings/consolidated?month={month:%Y-%m}").get_data(as_text=True)
    _check_filing_charts(_svgs(html), month)


def test_township_home_page_has_no_county_charts(login, demo):
    _known_month()
    html = login("clerk").get("/").get_data(as_text=True)
    assert "按时备案" not in html and "各乡镇超期案件" not in html
