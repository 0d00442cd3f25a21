"""Export files for the provincial system: rows in the county's column layout (renamed,
reordered), as XLSX or CSV with Chinese headers; formula-like text stays text (``sheets``)."""
from __future__ import annotations

import io

from ..sheets import append_row, write_csv

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


def table(rows: list[dict], columns: list[tuple[str, str]]) -> list[list]:
    """The header and the rows, each cell the column key's value (empty when absent)."""
    out = [[title for _, title in columns]]
    for row in rows:
        out.append([_cell(row.get(key)) for key, _ in columns])
    return out


def _cell(value):
    return "" if value is None else value


def write(rows: list[dict], columns: list[tuple[str, str]], fmt: str, title: str) -> bytes:
    cells = table(rows, columns)
    if fmt == "csv":
        return write_csv(cells)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for line in cells:
        append_row(sheet, line)
    for index in range(1, len(columns) + 1):
        sheet.cell(1, index).font = Font(bold=True)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
