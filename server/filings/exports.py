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

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..faults import atomic_write
from ..money import fen_to_yuan
from ..relief import RELIEF_TYPES
from ..sheets import append_row, is_formula_like
from ..standards.models import CareLevel
from .stats import CARE_LEVELS, URBAN_RURAL

PART_NAMES = {"urban": _l("Urban (statistics)"), "rural": _l("Rural (statistics)"),
              "total": _l("Total (statistics)")}
LS_NAMES = {"emergency": _l("Emergency"), "spending": _l("Spending shock"),
            "other": _l("Other (statistics)"), "total": _l("Total (statistics)")}
CARE_NAMES = {**{level.value: level.label for level in CareLevel},
              "其他": _l("Other (statistics)")}


def _type_name(code) -> str:
    """A relief item's short name in the page's language (forms/items.yaml)."""
    relief = RELIEF_TYPES.get(code)
    return relief.short_label if relief else code


@dataclass
class Section:
    """Title, header and row labels are msgids: a page shows them in its language, the
    writers below print them in Chinese."""

    title: str
    header: list[str]
    rows: list[list]


def sections(stats: dict) -> list[Section]:
    """The table of domain.md §8 for one township (or the county's sum)."""
    types = Section(_l("Dibao and tekun payments, urban and rural"),
                    [_l("Relief type (statistics)"), _l("Urban or rural (statistics)"), _l("Households"), _l("Persons (statistics)"),
                     _l("New households this month"), _l("New persons this month"),
                     _l("Households stopped this month"), _l("Persons stopped this month"),
                     _l("Paid this month (yuan)"), _l("Paid so far this year (yuan)")], [])
    for code, parts in stats["types"].items():
        for part in (*URBAN_RURAL, "total"):
            r = parts[part]
            types.rows.append([_type_name(code), PART_NAMES[part], r["households"],
                               r["persons"], r["new_households"], r["new_persons"],
                               r["stopped_households"], r["stopped_persons"], fen_to_yuan(r["amount_fen"]),
                               fen_to_yuan(r["cumulative_fen"])])
    groups = Section(_l("Recipients by group"),
                     [_l("Relief type (statistics)"), _l("Elderly (60 and over)"), _l("Minors (under 18)"),
                      _l("Disabled"), _l("Women")],
                     [[_type_name(code), g["elderly"], g["minors"], g["disabled"],
                       g["women"]] for code, g in stats["groups"].items()])
    tk = stats["tk"]
    tk_rows = [(_l("Support in an institution"), tk["concentrated"]),
               (_l("Support at home"), tk["dispersed"]),
               *((CARE_NAMES.get(level, level), tk["care"][level])
                 for level in (*CARE_LEVELS, "其他")),
               (_l("Total (statistics)"), tk["total"])]
    care = Section(_l("Tekun: form of support and care level"),
                   [_l("Group"), _l("Persons (statistics)"), _l("Amount this month (yuan)")],
                   [[label, r["households"], fen_to_yuan(r["amount_fen"])] for label, r in tk_rows])
    ls = Section(_l("Temporary assistance (statistics)"),
                 [_l("Kind"), _l("Number of cases"), _l("Person-times"), _l("Amount this month (yuan)"),
                  _l("Amount so far this year (yuan)")],
                 [[LS_NAMES[k], r["cases"], r["persons"], fen_to_yuan(r["amount_fen"]),
                   fen_to_yuan(r["cumulative_fen"])] for k, r in stats["ls"].items()])
    return [types, groups, care, ls]


def township_section(per_township: dict[str, dict], names: dict[str, str]) -> Section:
    """The county's overview: one row per township, then the total."""
    section = Section(_l("Summary by township"),
                      [_l("Township"), _l("Dibao households"), _l("Dibao persons"),
                       _l("Dibao amount (yuan)"), _l("Tekun persons"), _l("Tekun amount (yuan)"),
                       _l("Temporary assistance cases"), _l("Temporary assistance amount (yuan)"),
                       _l("Total amount (yuan)")], [])
    totals = [0] * 8
    for code in sorted(per_township):
        s = per_township[code]
        db_, tk, ls = s["types"]["DB"]["total"], s["types"]["TK"]["total"], s["ls"]["total"]
        values = [db_["households"], db_["persons"], db_["amount_fen"], tk["persons"],
                  tk["amount_fen"], ls["cases"], ls["amount_fen"],
                  db_["amount_fen"] + tk["amount_fen"] + ls["amount_fen"]]
        totals = [a + b for a, b in zip(totals, values)]
        section.rows.append([names.get(code, code), *_money_columns(values)])
    section.rows.append([_l("Total (statistics)"), *_money_columns(totals)])
    return section


def _printed(parts: list[Section]) -> list[Section]:
    """The sections with every label as Chinese text (the files go to the county)."""
    def text(value):
        return str(value) if isinstance(value, LazyString) else value

    with force_locale("zh_CN"):
        return [Section(str(p.title), [str(h) for h in p.header],
                        [[text(v) for v in row] for row in p.rows]) for p in parts]


def _money_columns(values: list[int]) -> list:
    money = {2, 4, 6, 7}
    return [fen_to_yuan(v) if i in money else v for i, v in enumerate(values)]


# -- writers ----------------------------------------------------------------------------------

def write_xlsx(path: Path, title: str, parts: list[Section], notes: tuple[str, ...] = ()) -> None:
    """The sections on one sheet; ``notes`` are lines printed under the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    parts = _printed(parts)
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

    parts = _printed(parts)
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
