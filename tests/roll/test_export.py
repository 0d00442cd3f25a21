"""Exports for the provincial system: the full roll in the import's layout (a round trip into
an empty instance gives the same roll), the month's changes, the county's column mapping."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from server.audit.models import AuditEvent
from server.cases.models import Case
from server.cases.operations import transition
from server.db import db
from server.demo import demo_user
from server.roll.layout import CHANGES, ROLL

from .conftest import fill_template, flat, households, last_job, roll_snapshot, upload

NOVEMBER = "2026-11"


def _import(admin, template, count=30):
    upload(admin, fill_template(template, flat(households(count))), action="import")
    job = last_job()
    assert job.status == "done" and job.added == count, (job.message, job.problems[:3])


def _table(data: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return [row for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _export(client, fmt="xlsx", layout="roll", **args):
    response = client.get("/roll/export", query_string={"month": NOVEMBER, "layout": layout,
                                                        "format": fmt, **args})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_november_exported_and_imported_into_an_empty_instance_is_the_same_roll(
        admin, template, fmt):
    """30 imported households and the demo's case paid through the workflow: exported for
    November, every case removed, the file imported again: households, members, relief
    types, amounts, villages and start months are the same."""
    _import(admin, template)
    roll = roll_snapshot()
    assert len(roll) == 31  # the demo's 张建国 household is paid from November too
    exported = _export(admin, fmt)
    header = _table(exported, fmt)[0]
    assert header == [c.title for c in ROLL]
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "roll.export"))

    db.session.execute(delete(Case))  # an empty instance: the county, forms and standards only
    db.session.commit()
    assert roll_snapshot() == {}
    upload(admin, exported, name=f"省级导出.{fmt}", action="import")
    job = last_job()
    assert job.status == "done" and job.added == 31, (job.message, job.problems[:3])
    assert roll_snapshot() == roll


def test_the_roll_of_a_month_leaves_out_later_starts_and_earlier_stops(admin, template):
    _import(admin, template)
    rows = _table(_export(admin, "csv", month="2026-03"), "csv")[1:]
    heads = {r[5] for r in rows}
    starts = {r[10] for r in rows}
    assert starts and max(starts) <= "2026-03"
    groups = households(30)
    assert {g[0]["head_id_number"] for g in groups if g[0]["start_month"] <= "2026-03"} == heads


def test_the_changes_of_november(admin, login, template):
    """New (first paid month), stopped (last paid month October), amount and member changes
    recorded in November; a township sees its own only."""
    _import(admin, template)
    groups = households(30)
    by_head = {c.applicant_id_number: c for c in db.session.scalars(
        select(Case).where(Case.is_imported.is_(True)))}
    clerk, clerk2 = demo_user("clerk"), demo_user("clerk2")
    lowered = by_head[groups[0][0]["head_id_number"]]  # 东风村
    transition(lowered, "decrease", clerk, {"amount": "200.00", "reason": "家庭收入增加"},
               effective_on=date(2026, 11, 5))
    stopped = by_head[groups[1][0]["head_id_number"]]  # 红旗村
    transition(stopped, "stop", clerk, {"reason": "家庭收入超过标准"}, effective_on=date(2026, 10, 20))
    bereaved = by_head[groups[2][0]["head_id_number"]]  # 太平村
    member = bereaved.members[-1]
    transition(bereaved, "member_death", clerk2, {"member": member.id, "died_on": "2026-11-03"},
               effective_on=date(2026, 11, 6))
    db.session.commit()

    table = _table(_export(admin, "xlsx", layout="changes"), "xlsx")
    assert table[0] == [c.title for c in CHANGES]
    found = {(r[0], r[5]) for r in table[1:]}
    new = {("新增", g[0]["head_id_number"]) for g in groups if g[0]["start_month"] == NOVEMBER}
    assert new and new <= found
    assert ("停发", stopped.applicant_id_number) in found
    assert ("金额调整", lowered.applicant_id_number) in found
    assert ("成员变动", bereaved.applicant_id_number) in found
    amount = next(r for r in table[1:] if r[0] == "金额调整")
    assert [Decimal(v) for v in amount[8:10]] == [Decimal("300.50"), Decimal("200")]
    death = next(r for r in table[1:] if r[0] == "成员变动")
    assert member.name in death[11]

    own = _table(_export(login("clerk"), "csv", layout="changes"), "csv")[1:]
    assert {r[2] for r in own} == {"东风镇"}
    assert ("成员变动", bereaved.applicant_id_number) not in {(r[0], r[5]) for r in own}


def test_the_county_renames_and_reorders_columns_and_the_file_still_imports(
        admin, api, template):
    client, headers = api("admin")
    refused = client.put("/api/v1/roll/mapping", headers=headers, json={
        "layout": "roll", "columns": [{"column": "户主身份证号", "title": "户主证件号码"},
                                      {"column": "不存在的列", "title": "x"}]})
    assert refused.status_code == 422
    assert refused.json["errors"] == [{"path": "columns", "message": "未知的列“不存在的列”"}]

    page = admin.post("/roll/mapping", data={"layout": "roll", "columns": "身份证 = 号码"})
    assert page.status_code == 400 and "未知的列“身份证”" in page.get_data(as_text=True)

    titles = {c.key: c.title for c in ROLL}
    order = ["head_id_number", "relief_type", "village", "township", "urban_rural", "head_name",
             "id_number", "name", "relationship", "monthly_amount", "start_month",
             "bank_account", "support_mode", "care_level"]
    lines = [f"{titles[k]} = {'户主证件号码' if k == 'head_id_number' else titles[k]}"
             for k in order]
    saved = admin.post("/roll/mapping", data={"layout": "roll", "columns": "\n".join(lines)})
    assert saved.status_code == 302
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "roll.mapping"))
    got = client.get("/api/v1/roll/mapping", headers=headers, query_string={"layout": "roll"})
    assert [c["key"] for c in got.json["columns"]] == order
    assert got.json["columns"][0]["title"] == "户主证件号码"

    _import(admin, template, count=6)
    roll = roll_snapshot()
    exported = _export(admin, "xlsx")
    assert _table(exported, "xlsx")[0][:3] == ["户主证件号码", "救助类别", "村（社区）"]
    db.session.execute(delete(Case))
    db.session.commit()
    upload(admin, exported, name="renamed.xlsx", action="import")
    assert last_job().status == "done", last_job().problems[:3]
    assert roll_snapshot() == roll


def test_export_bad_arguments_are_clear_errors(admin, api):
    assert admin.get("/roll/export", query_string={"month": "2026-13"}).status_code == 400
    assert admin.get("/roll/export", query_string={"month": NOVEMBER,
                                                   "layout": "x"}).status_code == 404
    client, headers = api("admin")
    response = client.get("/api/v1/roll/exports", headers=headers,
                          query_string={"month": "11/2026"})
    assert response.status_code == 422 and response.json["errors"][0]["path"] == "month"
