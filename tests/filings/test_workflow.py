"""Filing workflow: reconcile with the bank's roster, explain, submit (locks), reopen (audited),
county review and consolidation, reminders, scoping."""
from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.db import db
from server.filings import operations, queries, roster
from server.filings.models import Filing, FilingStatus, Reminder
from server.filings.reminders import due_reminders

from ..archives.factories import make_case
from ..conftest import region

MARCH = date(2026, 3, 1)


def cases():
    rows = [make_case(start=MARCH, name="张三", monthly_fen=60000, answers={"bank_account": "6222000011112222"}),
            make_case(start=MARCH, name="李四", monthly_fen=45050),
            make_case(relief_type="LS", start=None, one_off_fen=100000, name="王五",
                      ls_kind="emergency", decided_at=datetime(2026, 3, 3))]
    db.session.commit()
    return rows


def bank_csv(rows, changes=None) -> bytes:
    changes = changes or {}
    lines = ["姓名,身份证号,账号,金额"]
    for r in rows:
        name, idn, amount = changes.get(r.applicant_name, (r.applicant_name, r.applicant_id_number,
                                                           None))
        fen = amount if amount is not None else (r.one_off_amount_fen or r.monthly_amount_fen)
        account = (r.answers or {}).get("bank_account", "")
        lines.append(f"{name},{idn},{account},{fen / 100:.2f}")
    return "\n".join(lines).encode("utf-8-sig")


def test_differences_cover_every_kind(demo):
    expected = [roster.RosterRow("甲", "1", "", 100), roster.RosterRow("乙", "2", "", 200),
                roster.RosterRow("丙", "3", "", 300), roster.RosterRow("丁", "4", "", 400)]
    actual = [roster.RosterRow("甲", "1", "", 150), roster.RosterRow("乙乙", "2", "", 200),
              roster.RosterRow("丙", "33", "", 300), roster.RosterRow("戊", "5", "", 500)]
    kinds = {(d["kind"], d["name"]) for d in roster.differences(expected, actual)}
    assert kinds == {("amount", "甲"), ("name", "乙"), ("id_number", "丙"), ("missing", "丁"),
                     ("extra", "戊")}


def test_xlsx_upload_and_bad_files(demo):
    wb = Workbook()
    wb.active.append(["姓名", "身份证号码", "银行账号", "发放金额"])
    wb.active.append(["甲", "110", "6222", 12.5])
    buf = io.BytesIO()
    wb.save(buf)
    rows = roster.parse_bank_roster("bank.xlsx", buf.getvalue())
    assert rows == [roster.RosterRow("甲", "110", "6222", 1250)]
    for name, data in (("a.csv", b""), ("a.csv", "姓名,金额\n甲,1".encode()),
                       ("a.csv", "姓名,身份证号,账号,金额\n甲,1,2,abc".encode()),
                       ("a.xlsx", b"not a workbook")):
        try:
            roster.parse_bank_roster(name, data)
        except roster.RosterError:
            continue
        raise AssertionError(f"{name} accepted")


def test_reconcile_explain_submit_lock_reopen(login, demo):
    rows = cases()
    clerk = login("clerk")
    township = region("220999101000")
    assert clerk.post("/filings/build", data={"township_id": township.id,
                                              "month": "2026-03"}).status_code == 302
    filing = db.session.scalars(select(Filing)).one()
    assert filing.check_failures == [] and filing.roster_count == 3
    # cannot submit before reconciling
    clerk.post(f"/filings/{filing.id}/submit", data={"confirm": "1"})
    db.session.expire_all()
    assert filing.status == FilingStatus.draft
    data = bank_csv(rows, {"李四": ("李四", rows[1].applicant_id_number, 45000)})
    clerk.post(f"/filings/{filing.id}/reconcile", data={"roster": (io.BytesIO(data), "bank.csv")},
               content_type="multipart/form-data")
    db.session.expire_all()
    assert [(d.kind, d.name) for d in filing.differences] == [("amount", "李四")]
    clerk.post(f"/filings/{filing.id}/submit", data={"confirm": "1"})
    db.session.expire_all()
    assert filing.status == FilingStatus.draft
    difference = filing.differences[0]
    clerk.post(f"/filings/differences/{difference.id}/explain", data={"note": "银行扣除手续费0.50元"})
    asked = clerk.post(f"/filings/{filing.id}/submit")  # no confirm: a page saying what happens
    assert asked.status_code == 200 and "本月随即锁定" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert filing.status == FilingStatus.draft
    clerk.post(f"/filings/{filing.id}/submit", data={"confirm": "1"})
    db.session.expire_all()
    assert filing.status == FilingStatus.submitted and queries.is_month_locked(rows[0].region, MARCH)
    # locked: no rebuild, no upload
    clerk.post(f"/filings/{filing.id}/reconcile", data={"roster": (io.BytesIO(data), "bank.csv")},
               content_type="multipart/form-data")
    assert clerk.post(f"/filings/{filing.id}/reopen", data={"reason": "x"}).status_code == 403
    approver = login("approver")
    approver.post(f"/filings/{filing.id}/reopen", data={"reason": ""})
    db.session.expire_all()
    assert filing.status == FilingStatus.submitted
    approver.post(f"/filings/{filing.id}/reopen", data={"reason": "补录一户停发"})
    db.session.expire_all()
    assert filing.status == FilingStatus.draft and filing.reopen_count == 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "filing.reopen")).one()
    assert event.details["reason"] == "补录一户停发" and event.actor_name == "approver"


def test_county_review_and_consolidation(login, demo):
    rows = cases()
    township = region("220999101000")
    filing = operations.filing_for(township, MARCH)
    operations.build(filing)
    operations.reconcile(filing, "bank.csv", bank_csv(rows))
    operations.submit(filing)
    db.session.commit()
    supervisor = login("supervisor")
    home = supervisor.get("/").get_data(as_text=True)
    assert "东风镇 2026-03" in home
    supervisor.post(f"/filings/{filing.id}/review", data={"decision": "return", "comment": ""})
    db.session.expire_all()
    assert filing.status == FilingStatus.submitted
    supervisor.post(f"/filings/{filing.id}/review", data={"decision": "return", "comment": "请补充说明"})
    db.session.expire_all()
    assert filing.status == FilingStatus.returned and filing.review_comment == "请补充说明"
    clerk = login("clerk")
    assert "请补充说明" in clerk.get(f"/filings/{filing.id}").get_data(as_text=True)
    clerk.post(f"/filings/{filing.id}/submit", data={"confirm": "1"})
    supervisor.post(f"/filings/{filing.id}/review", data={"decision": "accept"})
    db.session.expire_all()
    assert filing.status == FilingStatus.accepted
    page = supervisor.get("/filings/consolidated?month=2026-03").get_data(as_text=True)
    assert "东风镇" in page and "太平乡" in page  # 太平乡 listed as not filed
    assert "2050.50" in page  # 600 + 450.50 + 1000 (LS)
    xlsx = supervisor.get("/filings/consolidated?month=2026-03&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    xlsx.close()
    assert clerk.get("/filings/consolidated?month=2026-03").status_code == 403


def test_other_township_cannot_see_or_act(login, demo):
    cases()
    filing = operations.filing_for(region("220999101000"), MARCH)
    operations.build(filing)
    db.session.commit()
    other = login("clerk2")
    assert other.get(f"/filings/{filing.id}").status_code == 404
    assert other.post("/filings/build", data={"township_id": filing.region_id,
                                              "month": "2026-03"}).status_code == 404
    page = other.get("/filings/?month=2026-03").get_data(as_text=True)
    assert "东风镇" not in page and "太平乡" in page


def test_reminders_and_late_flags(login, demo):
    assert due_reminders(date(2026, 3, 12)) == 3  # adjust reminder for each township
    assert due_reminders(date(2026, 3, 12)) == 0  # once
    assert due_reminders(date(2026, 3, 18)) == 3  # filing reminder
    filing = operations.filing_for(region("220999101000"), MARCH)
    filing.status = FilingStatus.submitted
    db.session.commit()
    assert due_reminders(date(2026, 3, 21)) == 2  # late: the two that did not file
    kinds = {(r.region.name, r.kind) for r in db.session.scalars(select(Reminder))}
    assert ("太平乡", "late") in kinds and ("东风镇", "late") not in kinds
    db.session.commit()
    assert "备案已逾期" in login("clerk2").get("/").get_data(as_text=True)
    assert "备案已逾期" in login("supervisor").get("/").get_data(as_text=True)


def test_settings_change_reminder_days(login, demo):
    admin = login("admin")
    assert admin.post("/filings/settings", data={"adjust_day": 25, "filing_day": 20,
                                                 "remind_days": 3}).status_code == 400
    assert admin.post("/filings/settings", data={"adjust_day": 10, "filing_day": 25,
                                                 "remind_days": 2}).status_code == 302
    assert due_reminders(date(2026, 3, 12)) == 0
    assert due_reminders(date(2026, 3, 23)) == 3
    assert login("clerk").get("/filings/settings").status_code == 403


def test_demo_step_builds_last_month(demo, app):
    from server.filings.demo import demo_filing

    assert demo_filing() is None  # skipped under tests
    filing = demo_filing(force=True)
    assert filing.built_at is not None and filing.region.name == "东风镇"


def test_downloads(login, demo):
    cases()
    filing = operations.filing_for(region("220999101000"), MARCH)
    operations.build(filing)
    db.session.commit()
    clerk = login("clerk")
    for key in ("statistics_xlsx", "statistics_docx", "roster_xlsx"):
        response = clerk.get(f"/filings/{filing.id}/download?file={key}")
        assert response.status_code == 200 and response.data[:2] == b"PK"
        response.close()
    assert clerk.get(f"/filings/{filing.id}/download?file=../x").status_code == 404
