"""The monthly table as sections (title, header, rows), written as XLSX or DOCX by one
writer each; the payment roster as XLSX. Amounts print in yuan. Text that looks like a formula
is written as text (``sheets``); files are written whole or not at all (``faults``)."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from ..faults import atomic_write
from ..money import fen_to_yuan
from ..relief import RELIEF_TYPES
from ..schemas.roles import LS_KIND_LABELS
from ..sheets import append_row, is_formula_like
from .stats import CARE_LEVELS, URBAN_RURAL

TYPE_NAMES = {getattr(code, "value", code): relief.short_name
              for code, relief in RELIEF_TYPES.items()}  # forms/items.yaml
PART_NAMES = {"urban": "城市", "rural": "农村", "total": "合计"}
LS_NAMES = {**LS_KIND_LABELS, "other": "其他", "total": "合计"}


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list]


def sections(stats: dict) -> list[Section]:
    """The table of domain.md §8 for one township (or the county's sum)."""
    types = Section("城乡低保、特困供养资金发放统计",
                    ["类别", "城乡", "户数", "人数", "本月新增户数", "本月新增人数", "本月停发户数",
                     "本月停发人数", "本月发放金额（元）", "累计发放金额（元）"], [])
    for code, parts in stats["types"].items():
        for part in (*URBAN_RURAL, "total"):
            r = parts[part]
            types.rows.append([TYPE_NAMES.get(code, code), PART_NAMES[part], r["households"],
                               r["persons"], r["new_households"], r["new_persons"],
                               r["stopped_households"], r["stopped_persons"], fen_to_yuan(r["amount_fen"]),
                               fen_to_yuan(r["cumulative_fen"])])
    groups = Section("保障对象分类人数", ["类别", "老年人（60岁及以上）", "未成年人（18岁以下）",
                                   "残疾人", "妇女"],
                     [[TYPE_NAMES.get(code, code), g["elderly"], g["minors"], g["disabled"],
                       g["women"]] for code, g in stats["groups"].items()])
    tk = stats["tk"]
    tk_rows = [("集中供养", tk["concentrated"]), ("分散供养", tk["dispersed"]),
               *((level, tk["care"][level]) for level in (*CARE_LEVELS, "其他")),
               ("合计", tk["total"])]
    care = Section("特困人员供养方式与护理等级", ["分类", "人数", "本月金额（元）"],
                   [[label, r["households"], fen_to_yuan(r["amount_fen"])] for label, r in tk_rows])
    ls = Section("临时救助", ["类型", "件数", "人次", "本月金额（元）", "累计金额（元）"],
                 [[LS_NAMES[k], r["cases"], r["persons"], fen_to_yuan(r["amount_fen"]),
                   fen_to_yuan(r["cumulative_fen"])] for k, r in stats["ls"].items()])
    return [types, groups, care, ls]


def township_section(per_township: dict[str, dict], names: dict[str, str]) -> Section:
    """The county's overview: one row per township, then the total."""
    section = Section("各乡镇（街道）汇总", ["乡镇（街道）", "低保户数", "低保人数", "低保金额（元）",
                                      "特困人数", "特困金额（元）", "临时救助件数",
                                      "临时救助金额（元）", "合计金额（元）"], [])
    totals = [0] * 8
    for code in sorted(per_township):
        s = per_township[code]
        db_, tk, ls = s["types"]["DB"]["total"], s["types"]["TK"]["total"], s["ls"]["total"]
        values = [db_["households"], db_["persons"], db_["amount_fen"], tk["persons"],
                  tk["amount_fen"], ls["cases"], ls["amount_fen"],
                  db_["amount_fen"] + tk["amount_fen"] + ls["amount_fen"]]
        totals = [a + b for a, b in zip(totals, values)]
        section.rows.append([names.get(code, code), *_money_columns(values)])
    section.rows.append(["合计", *_money_columns(totals)])
    return section


def _money_columns(values: list[int]) -> list:
    money = {2, 4, 6, 7}
    return [fen_to_yuan(v) if i in money else v for i, v in enumerate(values)]


# -- writers ----------------------------------------------------------------------------------

def write_xlsx(path: Path, title: str, parts: list[Section], notes: tuple[str, ...] = ()) -> None:
    """The sections on one sheet; ``notes`` are lines printed under the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    for section in parts:
        ws.append([])
        append_row(ws, [section.title])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        append_row(ws, section.header)
        for row in section.rows:
            append_row(ws, row)
    if notes:
        ws.append([])
    for note in notes:
        append_row(ws, [note])
    ws.column_dimensions["A"].width = 18
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())


def write_docx(path: Path, title: str, parts: list[Section], notes: tuple[str, ...] = ()) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    doc = Document()
    page = doc.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = page.page_height, page.page_width
    doc.styles["Normal"].font.size = Pt(9)
    doc.add_heading(title, level=1)
    for section in parts:
        doc.add_heading(section.title, level=2)
        table = doc.add_table(rows=1, cols=len(section.header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, section.header):
            cell.text = text
        for row in section.rows:
            for cell, value in zip(table.add_row().cells, row):
                cell.text = str(value)
    doc.add_paragraph("填报单位（盖章）：            负责人：            填报人：            日期：")
    for note in notes:
        doc.add_paragraph(note)
    buf = io.BytesIO()
    doc.save(buf)
    atomic_write(path, buf.getvalue())


ROSTER_HEADER = ["序号", "村（社区）", "案件编号", "姓名", "身份证号", "救助类别", "保障人数",
                 "发放金额（元）", "账号"]


def write_roster_xlsx(path: Path, title: str, rows) -> tuple[int, int]:
    """The roster as a minimal SpreadsheetML workbook written directly (inline strings), the
    rows (``RosterRow`` or plain tuples in its order) streamed into the zip in chunks: linear
    in the rows, in milliseconds per thousand, the memory of the compressed file only.
    Returns the row count and the total in fen."""
    count = total = 0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in _XLSX_PARTS:
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        sheet = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
        sheet.compress_type = zipfile.ZIP_DEFLATED
        with z.open(sheet, "w") as out:
            chunk = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData>',
                     _xlsx_row(1, [title]), _xlsx_row(2, ROSTER_HEADER)]
            for name, idn, account, amount_fen, village, number, relief, persons in rows:
                count += 1
                total += amount_fen
                line = count + 2
                chunk.append(f'<row r="{line}"><c r="A{line}"><v>{count}</v></c>'
                             f'{_text("B", line, village)}{_text("C", line, number)}'
                             f'{_text("D", line, name)}{_text("E", line, idn)}'
                             f'{_text("F", line, relief)}<c r="G{line}"><v>{persons}</v></c>'
                             f'<c r="H{line}"><v>{fen_to_yuan(amount_fen)}</v></c>'
                             f'{_text("I", line, account)}</row>')
                if len(chunk) >= 2000:
                    out.write("".join(chunk).encode())
                    chunk = []
            chunk.append(_xlsx_row(count + 3, ["合计", "", "", "", "", "", "", fen_to_yuan(total), ""]))
            chunk.append("</sheetData></worksheet>")
            out.write("".join(chunk).encode())
    atomic_write(path, buf.getvalue())
    return count, total


def _text(column: str, line: int, value) -> str:
    """One text cell (nothing for an empty value); formula-like text quote-prefixed (style 1)."""
    if value in ("", None):
        return ""
    text = str(value)
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    style = ' s="1"' if is_formula_like(text) else ""
    return f'<c r="{column}{line}"{style} t="inlineStr"><is><t>{text}</t></is></c>'


_COLUMNS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _xlsx_row(number: int, values: list) -> str:
    cells = []
    for i, value in enumerate(values):
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            cells.append(f'<c r="{_COLUMNS[i]}{number}"><v>{value}</v></c>')
        else:
            cells.append(_text(_COLUMNS[i], number, value))
    return f'<row r="{number}">{"".join(cells)}</row>'


_NS = "http://schemas.openxmlformats.org"
_XLSX_PARTS = (
    ("[Content_Types].xml",
     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
     f'<Types xmlns="{_NS}/package/2006/content-types">'
     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
     '<Default Extension="xml" ContentType="application/xml"/>'
     '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
     '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
     '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
     '</Types>'),
    ("_rels/.rels",
     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
     f'<Relationships xmlns="{_NS}/package/2006/relationships">'
     f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
     '</Relationships>'),
    ("xl/workbook.xml",
     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
     f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{_NS}/officeDocument/2006/relationships">'
     '<sheets><sheet name="发放花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    ("xl/_rels/workbook.xml.rels",
     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
     f'<Relationships xmlns="{_NS}/package/2006/relationships">'
     f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
     f'<Relationship Id="rId2" Type="{_NS}/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
     '</Relationships>'),
    ("xl/styles.xml",  # style 0: plain; style 1: quote-prefixed text (formula-like values)
     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
     f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">'
     '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
     '<fills count="2"><fill><patternFill patternType="none"/></fill>'
     '<fill><patternFill patternType="gray125"/></fill></fills>'
     '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
     '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
     '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
     '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
     '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
     '</styleSheet>'),
)
