"""Township evaluation (联评): figures against hand counts, weights, registered metrics, the
bottom townships' marks, the SVG charts, the XLSX and the API, scoped to the county."""
from __future__ import annotations

import io
import re
from datetime import date
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.cases.demo import make_case
from server.db import db
from server.demo import demo_user
from server.periods import Period
from server.supervision import evaluation
from server.supervision.evaluation_models import CloseSupervisionMark
from server.supervision.registry import METRICS, metric

from ..conftest import region
from .conftest import decided, walk

Q2 = Period("quarter", date(2026, 4, 1))
CHENGGUAN, DONGFENG, TAIPING = "220999001000", "220999101000", "220999201000"


@pytest.fixture
def spring(demo, taiping_approver):
    """Q2 2026 (no demo data). 东风镇: approved on time (13→20 April: 5 working days), approved
    late (2 March → 1 April: 22 working days, due 30 March), a case accepted 11 May left
    investigating (its clock fell due 8 June). 太平乡: refused in 2 working days (13→15 April),
    its refusal notice never sent (due 20 April), a case accepted 11 May left investigating.
    城关街道: nothing."""
    decided("220999101201", date(2026, 4, 13), date(2026, 4, 20), seed=41)
    decided("220999101202", date(2026, 3, 2), date(2026, 4, 1), seed=42)
    decided("220999201201", date(2026, 4, 13), date(2026, 4, 15), action="refuse", seed=43,
            users=("clerk2", "approver2"))
    open_case = make_case("220999101201", accepted_on=date(2026, 5, 11), seed=44,
                          creator=demo_user("clerk"))
    walk(open_case, [("clerk", "start_investigation", date(2026, 5, 11), {})])
    taiping_open = make_case("220999201201", accepted_on=date(2026, 5, 11), seed=47,
                             creator=demo_user("clerk2"))
    walk(taiping_open, [("clerk2", "start_investigation", date(2026, 5, 11), {})])
    decided("220999101201", date(2026, 7, 1), date(2026, 7, 3), seed=45)  # another quarter
    db.session.commit()


def _by_code(result):
    return {r.township.code: r for r in result.rows}


def test_figures_match_hand_counts(spring):
    result = evaluation.evaluate(Q2, demo_user("supervisor"))
    rows = _by_code(result)
    assert set(rows) == {CHENGGUAN, DONGFENG, TAIPING}
    assert rows[DONGFENG].values == {"on_time": 50.0, "working_days": 13.5, "overdue_cases": 1,
                                     **_others(rows[DONGFENG])}
    assert rows[TAIPING].values == {"on_time": 100.0, "working_days": 2.0,
                                    "overdue_cases": 2, **_others(rows[TAIPING])}
    # nothing decided and no clock due: nothing to measure, not a perfect 0
    assert rows[CHENGGUAN].values["on_time"] is None
    assert rows[CHENGGUAN].values["working_days"] is None
    assert rows[CHENGGUAN].values["overdue_cases"] is None
    assert rows[CHENGGUAN].score is None and rows[CHENGGUAN].rank is None
    # the register of April agrees on what was late
    from server.supervision import queries

    april = queries.register(date(2026, 4, 1), demo_user("supervisor"))
    assert sorted(r.is_late for r in april) == [False, False, True]


def _others(row):
    """Figures registered by other rooms (they may be None on this scenario)."""
    return {k: v for k, v in row.values.items()
            if k not in ("on_time", "working_days", "overdue_cases")}


def _round(score):
    return None if score is None else round(score, 1)


def _only_mine(monkeypatch):
    """Keep the test's ranking to this room's figures, whatever other rooms register."""
    mine = {k: METRICS[k] for k in ("on_time", "working_days", "overdue_cases")}
    monkeypatch.setattr("server.supervision.registry.METRICS", mine)
    monkeypatch.setattr("server.supervision.evaluation.METRICS", mine)


def test_default_ranking_and_weights_change_it(spring, monkeypatch, login):
    _only_mine(monkeypatch)
    supervisor = demo_user("supervisor")
    result = evaluation.evaluate(Q2, supervisor)
    # normalised: on time 东风 0 / 太平 100; days 东风 0 / 太平 100; overdue 东风 100 / 太平 0
    assert [(r.township.code, r.rank, _round(r.score)) for r in result.rows] == [
        (TAIPING, 1, 66.7), (DONGFENG, 2, 33.3), (CHENGGUAN, None, None)]
    assert [r.township.code for r in result.bottom_rows] == [DONGFENG]
    client = login("supervisor")
    response = client.post("/supervision/evaluation/settings", data={
        "period": "2026-Q2", "weight_overdue_cases": "5", "bottom_kind": "count",
        "bottom_value": "1"})
    assert response.status_code == 302
    result = evaluation.evaluate(Q2, supervisor)
    assert result.weights == {"on_time": 1, "working_days": 1, "overdue_cases": 5}
    # 东风 (0 + 0 + 5×100) / 7, 太平 (100 + 100 + 0) / 7
    assert [(r.township.code, r.rank, _round(r.score)) for r in result.rows] == [
        (DONGFENG, 1, 71.4), (TAIPING, 2, 28.6), (CHENGGUAN, None, None)]
    assert [r.township.code for r in result.bottom_rows] == [TAIPING]
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.evaluation_setting")).one()
    assert audit.details["weights"]["overdue_cases"] == 5
    # bad weights are refused with a Chinese message, nothing stored
    response = client.post("/supervision/evaluation/settings", data={
        "period": "2026-Q2", "weight_on_time": "abc", "bottom_kind": "count",
        "bottom_value": "1"})
    assert response.status_code == 400
    response = client.post("/supervision/evaluation/settings", data={
        "period": "2026-Q2", "weight_on_time": "5", "bottom_kind": "worst",
        "bottom_value": "1"}, follow_redirects=True)
    assert "靠后单位的确定方式无效" in response.get_data(as_text=True)
    assert evaluation.weights_of(evaluation.setting_of(region("220999000000")))["on_time"] == 1


def test_a_registered_metric_appears_on_the_page_and_counts(spring, monkeypatch, login):
    _only_mine(monkeypatch)
    ids = {code: region(code).id for code in (CHENGGUAN, DONGFENG, TAIPING)}

    @metric("dummy_satisfaction", "测试满意度", better="higher", unit="percent", order=90)
    def dummy(township_ids, start, end):
        return {ids[DONGFENG]: 99.0, ids[TAIPING]: 10.0}

    page = login("supervisor").get("/supervision/evaluation?period=2026-Q2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "测试满意度" in html and "99.0%" in html
    row = _by_code(evaluation.evaluate(Q2, demo_user("supervisor")))[DONGFENG]
    assert row.values["dummy_satisfaction"] == 99.0 and row.normalised["dummy_satisfaction"] == 100


def test_bottom_township_is_marked_and_audited(spring, monkeypatch, login):
    _only_mine(monkeypatch)
    client = login("supervisor")
    year = "2026"
    result = evaluation.evaluate(Period("year", date(2026, 1, 1)), demo_user("supervisor"))
    bottom = [r.township.code for r in result.bottom_rows]
    assert len(bottom) == 1
    # a quarter cannot mark
    response = client.post("/supervision/evaluation/marks", data={"period": "2026-Q2"},
                           follow_redirects=True)
    assert "只能按年度评估结果" in response.get_data(as_text=True)
    assert not db.session.scalars(select(CloseSupervisionMark)).all()
    response = client.post("/supervision/evaluation/marks",
                           data={"period": year, "reason": "年度评估靠后"})
    assert response.status_code == 302
    mark = db.session.scalars(select(CloseSupervisionMark)).one()
    assert mark.region.code == bottom[0] and mark.year == 2027 and mark.period == "2026"
    assert mark.rank == result.bottom_rows[0].rank and mark.reason == "年度评估靠后"
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.close_supervision")).one()
    assert audit.details["year"] == 2027 and audit.region_id == mark.region_id
    client.post("/supervision/evaluation/marks", data={"period": year})  # again: kept, not doubled
    assert len(db.session.scalars(select(CloseSupervisionMark)).all()) == 1
    html = client.get("/supervision/evaluation?period=2026").get_data(as_text=True)
    assert "已列为2027年度重点督导单位" in html
    assert "已列入" in html


def test_charts_are_valid_svg_with_township_names(app, spring):
    result = evaluation.evaluate(Period("year", date(2026, 1, 1)), demo_user("supervisor"))
    with app.test_request_context():
        charts = evaluation.charts(result)
    assert len(charts) >= 1 + len(result.metrics) + 1  # scores, each figure, the trend line
    for chart in charts:
        root = ElementTree.fromstring(str(chart))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = "".join(ElementTree.fromstring(str(charts[0])).itertext())
    for name in ("城关街道", "东风镇", "太平乡"):
        assert name in texts
    assert "<polyline" in str(charts[-1]) and "4月" in str(charts[-1])


def test_chart_labels_are_escaped():
    from server.charts import bar_chart, line_chart

    svg = str(bar_chart("<script>", ["<b>&镇"], [50.0]))
    root = ElementTree.fromstring(svg)
    assert "<b>&镇" in "".join(root.itertext()) and "<script>" not in svg
    line = str(line_chart("趋势", ["1月", "2月", "3月"], {"全县": [10.0, None, 30.0]}))
    assert ElementTree.fromstring(line) is not None and line.count("<polyline") == 2


def test_xlsx_figures_equal_the_page(spring, login):
    client = login("supervisor")
    html = client.get("/supervision/evaluation?period=2026-Q2").get_data(as_text=True)
    table = html.split('id="evaluation-table"')[1].split("</table>")[0]
    page_rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row,
                                                                        re.S)]
                 for row in re.findall(r"<tr data-township.*?</tr>", table, re.S)]
    response = client.get("/supervision/evaluation/xlsx?period=2026-Q2")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(
        values_only=True)]
    start = next(n for n, row in enumerate(cells) if row[:2] == ["排名", "乡镇（街道）"]) + 1
    assert cells[start:start + len(page_rows)] == page_rows
    assert any("东风镇" in row for row in page_rows) and any("50.0%" in r for r in page_rows)
    assert "2026年第2季度" in cells[0][0]


def test_period_parsing_and_print_layout(spring, login):
    client = login("supervisor")
    for text in ("2026", "2026-Q2", "2026-04"):
        assert client.get(f"/supervision/evaluation?period={text}").status_code == 200
    assert client.get("/supervision/evaluation?period=2026-Q5").status_code == 400
    page = client.get("/supervision/evaluation?period=2026").get_data(as_text=True)
    assert "evaluation.css" in page and "<svg" in page
    assert "None" not in re.sub(r"<[^>]+>", " ", page)


def test_api_evaluation_and_settings(spring, api, monkeypatch):
    _only_mine(monkeypatch)
    client, headers = api("supervisor")
    body = client.get("/api/v1/supervision/evaluation?period=2026-Q2", headers=headers).json
    assert body["period"] == "2026-Q2"
    towns = {t["township"]: t for t in body["townships"]}
    assert towns["东风镇"]["values"]["on_time"] == 50.0 and towns["东风镇"]["rank"] == 2
    assert towns["东风镇"]["is_bottom"] and towns["城关街道"]["values"]["on_time"] is None
    bad = client.put("/api/v1/supervision/evaluation/settings", headers=headers,
                     json={"weights": {"on_time": 500}, "bottom_kind": "count",
                           "bottom_value": 1})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "weights.on_time"
    bad = client.put("/api/v1/supervision/evaluation/settings", headers=headers,
                     json={"weights": {"nonsense": 1}, "bottom_kind": "count", "bottom_value": 1})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "weights.nonsense"
    ok = client.put("/api/v1/supervision/evaluation/settings", headers=headers,
                    json={"weights": {"overdue_cases": 5}, "bottom_kind": "percent",
                          "bottom_value": 50})
    assert ok.status_code == 200 and ok.json["weights"]["overdue_cases"] == 5
    assert ok.json["weights"]["on_time"] == 1  # missing weight = default
    body = client.get("/api/v1/supervision/evaluation?period=2026-Q2", headers=headers).json
    assert [t["township"] for t in body["townships"] if t["is_bottom"]] == ["太平乡"]
    bad = client.get("/api/v1/supervision/evaluation?period=20x6", headers=headers)
    assert bad.status_code == 400 and bad.json["errors"][0]["path"] == "period"
    marked = client.post("/api/v1/supervision/evaluation/marks", headers=headers,
                         json={"period": "2026"})
    assert marked.status_code == 201 and marked.json[0]["year"] == 2027


def test_township_users_see_no_evaluation(spring, login, api):
    for username in ("clerk", "approver"):
        client = login(username)
        assert client.get("/supervision/evaluation").status_code == 403
        assert client.get("/supervision/evaluation/xlsx").status_code == 403
        assert client.post("/supervision/evaluation/marks", data={"period": "2026"}
                           ).status_code == 403
        api_client, headers = api(username)
        assert api_client.get("/api/v1/supervision/evaluation",
                              headers=headers).status_code == 403
    assert not db.session.scalars(select(CloseSupervisionMark)).all()


def test_a_pause_before_the_decision_is_not_counted_as_the_register_says(demo):
    """Accepted 1 June, waiting for materials 2–12 June (9 working days paused), approved
    6 July: 24 working days elapsed (端午 19 June off), 15 counted — on time, as the register
    says (unpaused it would be 24 > 20, late)."""
    from server.cases.demo import investigated
    from server.supervision import queries

    case = make_case("220999101201", accepted_on=date(2026, 6, 1), seed=46,
                     creator=demo_user("clerk"))
    walk(case, [("clerk", "request_materials", date(2026, 6, 2), {"missing": "户口簿"}),
                ("clerk", "materials_received", date(2026, 6, 13), {}),
                ("clerk", "start_investigation", date(2026, 6, 15), {}),
                ("clerk", "submit_for_decision", date(2026, 6, 15),
                 investigated("clerk", "approver")),
                ("approver", "approve", date(2026, 7, 6), {})])
    db.session.commit()
    july = queries.register(date(2026, 7, 1), demo_user("supervisor"))
    (row,) = [r for r in july if r.case.id == case.id]
    counts = evaluation.decision_counts([region(DONGFENG).id], date(2026, 7, 1),
                                        date(2026, 7, 31))[(region(DONGFENG).id, date(2026, 7, 1))]
    assert counts.decided == 1 and counts.late == int(row.is_late) == 0
    assert counts.days == 15


def test_bottom_size_by_count_or_share_never_all():
    assert evaluation.bottom_size(("count", 2), 20) == 2
    assert evaluation.bottom_size(("percent", 10), 20) == 2
    assert evaluation.bottom_size(("percent", 10), 21) == 3  # rounded up
    assert evaluation.bottom_size(("count", 1), 1) == 0  # nobody ahead: nobody behind
    assert evaluation.bottom_size(("count", 0), 20) == 0
