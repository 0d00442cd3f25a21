"""Importing the current roll: the template, the dry run naming every problem by row and
column in Chinese, the all-or-nothing import, idempotent re-imports, a cut mid-import."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.cases.models import Case
from server.db import db
from server.roll import operations
from server.roll.layout import ROLL

from .conftest import (
    counts,
    csv_file,
    fill_template,
    flat,
    households,
    last_job,
    line_of,
    person_id,
    upload,
)


def _break_check_character(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def test_template_has_a_chinese_header_an_example_and_the_columns_explained(template):
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["在册名单", "填写说明"]
    sheet = book["在册名单"]
    assert [c.value for c in sheet[1]] == [c.title for c in ROLL]
    example = {c.key: v.value for c, v in zip(ROLL, sheet[2])}
    assert example["relief_type"] == "低保" and example["village"] == "东风村"
    notes = [r[0].value for r in book["填写说明"].iter_rows(min_row=2) if r[0].value]
    assert {c.title for c in ROLL} <= set(notes)


def test_the_walk_check_fix_import_reimport(admin, template):
    """30 households, one wrong check character: the dry run names that row and column in
    Chinese and imports nothing; fixed, the import adds 30; again, it adds nothing."""
    groups = households(30)
    bad_line = line_of(groups, 13, 1)
    rows = flat(groups)
    good_id = rows[bad_line - 2]["id_number"]
    rows[bad_line - 2]["id_number"] = _break_check_character(good_id)
    before = counts()

    page = admin.get(upload(admin, fill_template(template, rows)).headers["Location"])
    text = page.get_data(as_text=True)
    job = last_job()
    assert job.is_dry_run and job.status == "done" and job.problem_count == 1
    assert job.problems == [{"row": bad_line, "column": "成员身份证号",
                             "message": "身份证号码校验位错误，请核对是否输错"}]
    assert f"第 {bad_line} 行" in text and "成员身份证号" in text and "校验位错误" in text
    assert counts() == before

    upload(admin, fill_template(template, rows), action="import")  # the real run refuses too
    assert last_job().status == "failed" and "未导入任何数据" in last_job().message
    assert counts() == before

    rows[bad_line - 2]["id_number"] = good_id
    fixed = fill_template(template, rows)
    upload(admin, fixed)
    assert last_job().status == "done" and last_job().problem_count == 0
    assert counts() == before
    upload(admin, fixed, action="import")
    job = last_job()
    assert (job.status, job.added, job.skipped, job.members) == ("done", 30, 0, len(rows)), job.message
    imported = db.session.scalars(select(Case).where(Case.is_imported.is_(True))).all()
    assert len(imported) == 30
    assert counts() == (before[0] + 30, before[1] + len(rows))
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "roll.import"))

    again = upload(admin, fixed, action="import")
    assert again.status_code == 302
    assert (last_job().status, last_job().added, last_job().skipped) == ("done", 0, 30)
    assert counts() == (before[0] + 30, before[1] + len(rows))


def test_imported_cases_are_served_with_their_amount_and_the_standard_of_their_start(
        admin, template):
    from server.standards.queries import current_set

    groups = households(12)
    upload(admin, fill_template(template, flat(groups)), action="import")
    assert last_job().status == "done", last_job().problems
    cases = {c.applicant_id_number: c for c in db.session.scalars(
        select(Case).where(Case.is_imported.is_(True)))}
    for n, group in enumerate(groups):
        case = cases[group[0]["head_id_number"]]
        relief = group[0]["relief_type"]
        assert case.state == ("recognized" if relief == "低保边缘" else "paying")
        expected = int(float(group[0]["monthly_amount"] or 0) * 100 + 0.5)
        assert case.monthly_amount_fen == expected
        assert case.payment_start_month == date(2026, 1 + n % 11, 1)
        county = case.region.county
        assert case.standard_version_id == current_set(county.id, case.payment_start_month).id
        assert len(case.members) == len(group)
        assert case.persons_covered == (1 if relief == "特困" else len(group))
        assert case.events[-1].action == "import"
        if relief == "特困":
            assert case.care_level == "半护理" and not case.is_concentrated
    some = next(iter(cases.values()))
    page = admin.get(f"/cases/{some.id}").get_data(as_text=True)
    assert "导入在册名单" in page and "roll.xlsx" in page


def _one_household(**changes) -> list[dict]:
    rows = flat(households(2))
    rows[0].update(changes)
    return rows


def _problems(admin, rows, name="roll.csv", keys=None):
    upload(admin, csv_file(rows, keys=keys), name=name)
    job = last_job()
    assert job.status == "done" and job.is_dry_run
    return job.problems


VALIDATIONS = [
    ({"village": "不存在村"}, "村（社区）", "没有名为“不存在村”的村（社区）"),
    ({"township": "太平乡", "village": "东风村"}, "村（社区）", "太平乡没有名为“东风村”"),
    ({"monthly_amount": "四百元"}, "月保障金额（元）", "金额不是有效的数字"),
    ({"monthly_amount": ""}, "月保障金额（元）", "请填写大于 0 的月保障金额"),
    ({"start_month": "明年"}, "保障起始月份", "应为月份"),
    ({"start_month": "2025-06"}, "保障起始月份", "2025-06 没有生效的救助标准"),
    ({"relief_type": "救急"}, "救助类别", "未知的救助类别"),
    ({"relief_type": "临时救助"}, "救助类别", "一次性救助"),
    ({"urban_rural": "郊区"}, "城乡类别", "城乡类别应为 城市 或 农村"),
    ({"head_id_number": "22099919900101123"}, "户主身份证号", "应为 18 位"),
    ({"name": ""}, "成员姓名", "请填写成员姓名"),
]


@pytest.mark.parametrize("changes,column,fragment", VALIDATIONS)
def test_each_problem_is_named_by_row_and_column(admin, changes, column, fragment):
    before = counts()
    problems = _problems(admin, _one_household(**changes))
    assert any(p["row"] == 2 and p["column"] == column and fragment in p["message"]
               for p in problems), problems
    assert counts() == before


def test_a_person_in_two_households_is_named(admin):
    rows = flat(households(3))
    rows[-1]["id_number"] = rows[0]["id_number"]
    problems = _problems(admin, rows)
    assert [p for p in problems if p["column"] == "成员身份证号"] == [{
        "row": len(rows) + 1, "column": "成员身份证号",
        "message": f"与第2行是同一人，该人员已在另一户（户主 {rows[0]['id_number'][:6]}"
                   f"********{rows[0]['id_number'][-4:]}）中"}]


def test_household_rows_must_agree_and_hold_the_head(admin):
    groups = households(3)  # household 2 has three members
    rows = flat(groups)
    second = line_of(groups, 2, 1)
    rows[second - 2]["monthly_amount"] = "999.00"
    rows[line_of(groups, 1) - 2]["id_number"] = person_id(99, 5)  # household 1 loses its head
    problems = _problems(admin, rows)
    assert {"row": second, "column": "月保障金额（元）",
            "message": f"与同户第{line_of(groups, 2)}行不一致"} in problems
    assert any(p["row"] == line_of(groups, 1) and p["column"] == "户主身份证号"
               and "没有户主本人" in p["message"] for p in problems)


def test_a_tk_person_needs_a_care_level(admin):
    rows = flat(households(4))  # household 3 is 特困
    rows[-1]["care_level"] = ""
    problems = _problems(admin, rows)
    assert any(p["column"] == "护理等级" and "护理等级应为" in p["message"] for p in problems)


def test_a_missing_required_column_is_named(admin):
    keys = [c.key for c in ROLL if c.key != "start_month"]
    problems = _problems(admin, flat(households(2)), keys=keys)
    assert problems == [{"row": 1, "column": "保障起始月份", "message": "缺少必填列“保障起始月份”"}]


def test_a_person_already_in_an_active_case_is_refused(admin, demo):
    """A member of a case in progress (东风镇's demo cases) cannot be imported again."""
    taken = db.session.scalars(select(Case).where(Case.state == "paying")).first()
    member = taken.members[-1]
    rows = _one_household(id_number=member.id_number, head_id_number=member.id_number,
                          name=member.name)
    problems = _problems(admin, rows)
    assert any(p["row"] == 2 and p["column"] == "成员身份证号"
               and f"已在低保案件 {taken.case_number}（保障中）中" in p["message"]
               for p in problems), problems


def test_a_cut_mid_import_leaves_nothing(admin, template, monkeypatch):
    """The second bulk batch fails: not one case, member, event or case number stays."""
    from server.intake.models import CaseNumberCounter

    monkeypatch.setattr(operations, "BATCH", 5)
    real, calls = operations.write_batch, []

    def cut(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(operations, "write_batch", cut)
    numbers = [(c.relief_type, c.last) for c in db.session.scalars(select(CaseNumberCounter))]
    before = counts()
    upload(admin, fill_template(template, flat(households(20))), action="import")
    job = last_job()
    assert len(calls) == 2
    assert job.status == "failed" and "导入中断，未导入任何数据" in job.message
    assert counts() == before
    assert [(c.relief_type, c.last) for c in db.session.scalars(select(CaseNumberCounter))] == numbers
    monkeypatch.setattr(operations, "write_batch", real)
    upload(admin, fill_template(template, flat(households(20))), action="import")
    assert (last_job().status, last_job().added) == ("done", 20)


@pytest.mark.parametrize("name,data,message", [
    ("roll.txt", b"x", "只能导入 CSV 或 XLSX 文件"),
    ("roll.xlsx", b"not a workbook", "无法读取该 XLSX 文件"),
    ("roll.csv", b"", "请选择要导入的 CSV 或 XLSX 文件"),
])
def test_unreadable_files_are_refused_in_chinese(admin, name, data, message):
    response = upload(admin, data, name=name)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page


def test_the_api_checks_and_imports_alike(api, template):
    """The API's dry run names the row and column; its real run is refused while a problem
    remains and imports once fixed."""
    client, headers = api("admin")
    rows = flat(households(4))
    good = rows[2]["id_number"]
    rows[2]["id_number"] = _break_check_character(good)
    before = counts()

    def post(dry_run: str):
        data = {"file": (io.BytesIO(fill_template(template, rows)), "roll.xlsx"),
                "dry_run": dry_run}
        response = client.post("/api/v1/roll/imports", headers=headers, data=data,
                               content_type="multipart/form-data")
        assert response.status_code == 202
        return client.get(f"/api/v1/roll/imports/{response.json['id']}", headers=headers).json

    checked = post("true")
    assert checked["status"] == "done" and checked["problems"] == [
        {"row": 4, "column": "成员身份证号", "message": "身份证号码校验位错误，请核对是否输错"}]
    assert post("false")["status"] == "failed" and counts() == before
    rows[2]["id_number"] = good
    done = post("false")
    assert (done["status"], done["added"], done["problem_count"]) == ("done", 4, 0)
    refused = client.post("/api/v1/roll/imports", headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"x"), "roll.txt")})
    assert refused.status_code == 422 and refused.json["errors"][0]["path"] == "file"


def test_household_columns_may_be_left_empty_on_later_rows(admin):
    groups = households(3)
    for row in groups[2][1:]:
        row.update(head_name="", bank_account="", urban_rural="", township="")
    assert _problems(admin, flat(groups)) == []


def test_imported_households_count_in_the_monthly_table(admin, template):
    """Imported cases are paid like any other: November's table counts them."""
    from server.filings import stats

    county = "220999"
    before = stats.consolidate(stats.compute(county, date(2026, 11, 1)))["types"]["DB"]["total"]
    groups = households(12)
    upload(admin, fill_template(template, flat(groups)), action="import")
    assert last_job().status == "done"
    after = stats.consolidate(stats.compute(county, date(2026, 11, 1)))["types"]["DB"]["total"]
    db_groups = [g for g in groups if g[0]["relief_type"] == "低保"]
    assert after["households"] - before["households"] == len(db_groups)
    assert after["persons"] - before["persons"] == sum(len(g) for g in db_groups)
    assert after["amount_fen"] - before["amount_fen"] == sum(
        round(float(g[0]["monthly_amount"]) * 100) for g in db_groups)
