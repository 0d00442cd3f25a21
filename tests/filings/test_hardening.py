"""Filings under hostile input and faults: masked IDs in the reconciliation table, bounded
roster uploads with Chinese row/column errors, formula-safe exports, a full or read-only disk
said in Chinese without leftovers, and the audit chain head printed on the monthly filing."""
from __future__ import annotations

import errno
import io
import os
import time
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server import faults, sheets
from server.audit.models import AuditEvent
from server.db import db
from server.extensions import data_dir
from server.filings import operations, roster, tasks
from server.filings.models import Filing
from server.idnumber import mask

from ..archives.factories import make_case
from ..conftest import region
from .test_workflow import MARCH, bank_csv, cases


def _filing(rows=None):
    filing = operations.filing_for(region("220999101000"), MARCH)
    operations.build(filing)
    db.session.commit()
    return filing


def _upload(client, filing, data: bytes, name="bank.csv"):
    return client.post(f"/filings/{filing.id}/reconcile",
                       data={"roster": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_reconciliation_table_masks_id_numbers(login, demo):
    rows = cases()
    filing = _filing()
    wrong = rows[0].applicant_id_number[:-4] + "0000"
    data = bank_csv(rows, {"张三": ("张三", wrong, None), "李四": ("李四", rows[1].applicant_id_number,
                                                               45000)})
    response = _upload(login("clerk"), filing, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="differences"' in page
    for number in (rows[0].applicant_id_number, rows[1].applicant_id_number, wrong):
        assert number not in page
        assert mask(number) in page


@pytest.mark.parametrize("amount", ["NaN", "1e999999", "inf", "-Infinity", "1e30"])
def test_bad_roster_amounts_name_row_and_column(login, demo, amount):
    lines = "姓名,身份证号,账号,发放金额\n甲,110,6222,12.50\n乙,120,6223," + amount + "\n"
    with pytest.raises(roster.RosterError) as caught:
        roster.parse_bank_roster("bank.csv", lines.encode())
    assert "第3行" in str(caught.value) and "发放金额" in str(caught.value)
    cases()
    page = _upload(login("clerk"), _filing(), lines.encode()).get_data(as_text=True)
    assert "第3行" in page


def _big_xlsx(rows: int) -> bytes:
    """A roster workbook of ``rows`` rows, written as raw SpreadsheetML (fast to make)."""
    body = ['<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>身份证号</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>账号</t></is></c>'
            '<c r="D1" t="inlineStr"><is><t>金额</t></is></c></row>']
    body += [f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>户{i}</t></is></c>'
             f'<c r="B{i}"><v>{i}</v></c><c r="C{i}"><v>{i}</v></c><c r="D{i}"><v>100</v></c></row>'
             for i in range(2, rows + 2)]
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
             '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + "".join(body) + "</sheetData></worksheet>")
    buf = io.BytesIO()
    from server.filings.exports import _XLSX_PARTS

    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (*_XLSX_PARTS, ("xl/worksheets/sheet1.xml", sheet)):
            z.writestr(name, data)
    return buf.getvalue()


def test_huge_roster_is_refused_in_seconds(login, demo):
    data = _big_xlsx(300_000)
    started = time.monotonic()
    with pytest.raises(roster.RosterError, match="请拆分后再上传"):
        roster.parse_bank_roster("bank.xlsx", data)
    assert time.monotonic() - started < 15
    started = time.monotonic()
    with pytest.raises(roster.RosterError, match="超过 20000 行"):  # small on disk, many rows
        roster.parse_bank_roster("bank.xlsx", _big_xlsx(25_000))
    assert time.monotonic() - started < 15
    csv_data = ("姓名,身份证号,账号,金额\n" + "甲,1,2,3\n" * 300_000).encode()
    with pytest.raises(roster.RosterError, match="行"):
        roster.parse_bank_roster("bank.csv", csv_data)
    cases()
    started = time.monotonic()
    page = _upload(login("clerk"), _filing(), data, "bank.xlsx").get_data(as_text=True)
    assert time.monotonic() - started < 15 and "请拆分后再上传" in page


def test_roster_size_and_time_budget(app, demo):
    data = "姓名,身份证号,账号,金额\n甲,1,2,3\n".encode()
    app.config["ROSTER_MAX_BYTES"] = 10
    with pytest.raises(roster.RosterError, match="超过 1 KB"):
        roster.parse_bank_roster("bank.csv", data)
    app.config["ROSTER_MAX_BYTES"] = 1 << 20
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b" " * (40 << 20))
    started = time.monotonic()
    with pytest.raises(roster.RosterError, match="解压后超过"):
        roster.parse_bank_roster("bank.xlsx", bomb.getvalue())
    assert time.monotonic() - started < 5
    app.config["ROSTER_SECONDS"] = 0
    with pytest.raises(roster.RosterError, match="秒"):
        roster.parse_bank_roster("bank.csv", data)


def test_formula_like_text_is_written_as_text_in_every_export(demo):
    township = region("220999101000")
    township.name = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    village = region("220999101201")
    village.name = "@SUM(A1:A9)"
    make_case(name="+1+2", monthly_fen=50000, start=MARCH)
    db.session.commit()
    result = operations.build_county(region("220999000000"), MARCH)
    db.session.commit()
    filing = db.session.scalars(select(Filing).where(Filing.region_id == township.id)).one()
    paths = [data_dir() / result["consolidation"],
             *(data_dir() / filing.files[k] for k in ("statistics_xlsx", "roster_xlsx"))]
    risky = ("=", "+", "-", "@")
    seen = set()
    for path in paths:
        book = load_workbook(path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith(risky):
                        assert cell.data_type == "s", (path.name, cell.coordinate, cell.value)
                        assert cell.quotePrefix, (path.name, cell.coordinate, cell.value)
                        seen.add((path.name, cell.value[0]))
        with zipfile.ZipFile(path) as z:
            assert "<f>" not in "".join(z.read(n).decode() for n in z.namelist()
                                        if n.startswith("xl/worksheets/"))
    assert ("consolidated.xlsx", "=") in seen and ("roster.xlsx", "@") in seen
    assert ("roster.xlsx", "+") in seen
    assert sheets.write_csv([["=1+2", "-3", "ok"]]).decode("utf-8-sig").startswith(
        "'=1+2,'-3,ok")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_full_or_read_only_disk_fails_build_in_chinese_without_leftovers(login, demo,
                                                                         monkeypatch, code):
    cases()
    filing = operations.filing_for(region("220999101000"), MARCH)
    db.session.commit()
    real_replace = os.replace

    def refuse(src, dst):
        raise OSError(code, os.strerror(code), str(dst))

    monkeypatch.setattr(faults.os, "replace", refuse)
    tasks.build_filing(filing.id)
    db.session.expire_all()
    filing = db.session.get(Filing, filing.id)
    assert filing.build_status == "failed"
    assert "数据目录" in filing.build_error and str(data_dir()) not in filing.build_error
    assert "Errno" not in filing.build_error and "OSError" not in filing.build_error
    folder = data_dir() / "filings"
    assert not [p for p in folder.rglob("*") if p.is_file()]  # no .tmp, no half file
    page = login("clerk").get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "数据目录" in page and str(data_dir()) not in page
    monkeypatch.setattr(faults.os, "replace", real_replace)
    tasks.build_filing(filing.id)
    db.session.expire_all()
    assert db.session.get(Filing, filing.id).build_status == "done"


def test_monthly_filing_prints_the_audit_chain_head(demo):
    cases()
    head = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    filing = _filing()
    line = f"审计链头: #{head.id} {head.hash[:16]}"
    book = load_workbook(data_dir() / filing.files["statistics_xlsx"])
    texts = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert line in texts
    from docx import Document

    doc = Document(str(data_dir() / filing.files["statistics_docx"]))
    assert any(line in p.text for p in doc.paragraphs)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "filing.build")).one()
    assert event.details["chain_head"] == {"id": head.id, "hash": head.hash}


def test_consolidated_download_on_full_disk_says_so(login, demo, monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(faults.os, "replace", full)
    response = login("supervisor").get("/filings/consolidated?month=2026-03&format=xlsx",
                                       follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "空间已满" in page and str(data_dir()) not in page
