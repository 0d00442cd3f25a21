"""Spreadsheets in and out, one way for every room.

Out: text that begins like a formula (``= + - @``, tab, CR) is written as text, never as a
live formula, in every XLSX and CSV export (``append_row``, ``csv_cell``, ``is_formula_like``).
In: an uploaded CSV/XLSX table is read within limits on file size, expanded size, rows and
time (``read_table``), so a 300k-row upload is refused in seconds with a message in the
reader's language (``MESSAGES`` lists them for rooms that store one on a job row, see
``server.jobs.stored``).
"""
from __future__ import annotations

import csv
import io
import time
import warnings
import zipfile
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Whether a spreadsheet program would read this text as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def append_row(ws, values) -> None:
    """``ws.append(values)``, with formula-like text kept as text (quote-prefixed string)."""
    ws.append(list(values))
    row = ws.max_row
    for column, value in enumerate(values, 1):
        if is_formula_like(value):
            cell = ws.cell(row, column)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True


def csv_cell(value) -> str:
    """A CSV field: formula-like text gets a leading apostrophe so it opens as text."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def write_csv(rows) -> bytes:
    """Rows as UTF-8 CSV with a BOM (Excel opens it as Chinese), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- bounded reading --------------------------------------------------------------------------

class SheetError(ValueError):
    """An upload refused while reading; the message (lazy, in the reader's language) is shown
    to the clerk."""


UNKNOWN_ENCODING = _l("The CSV file's encoding is not recognised")
UNREADABLE_XLSX = _l("This XLSX file cannot be read")
MALFORMED_CSV = _l("The CSV file is malformed")
TOO_MANY_ROWS = _l("The file has more than %(rows)s rows: split it and upload the parts")
TOO_LARGE_EXPANDED = _l("The XLSX file expands to more than %(size)s: split it and upload the "
                        "parts")
TOO_LARGE = _l("The file is larger than %(size)s: split it and upload the parts")
TOO_SLOW = _l("Reading the file took more than %(seconds)s seconds: split it and upload the "
              "parts")
MESSAGES = (UNKNOWN_ENCODING, UNREADABLE_XLSX, MALFORMED_CSV, TOO_MANY_ROWS, TOO_LARGE_EXPANDED,
            TOO_LARGE, TOO_SLOW)


def _filled(message, **values):
    """One of the lazy messages above with its values, still lazy."""
    return _l(message._args[0], **values)


@dataclass(frozen=True)
class Limits:
    """How much of an upload is read: bytes as uploaded, bytes expanded (XLSX), rows, time."""

    max_bytes: int = 20 * 1024 * 1024
    max_expanded: int = 32 * 1024 * 1024  # 20 000 plain rows expand to a few MB
    max_rows: int = 20_000  # a township's roster is a few thousand rows
    seconds: float = 20.0


def _size(limit: int) -> str:
    return f"{limit // (1 << 20)} MB" if limit >= 1 << 20 else f"{max(1, limit // 1024)} KB"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(UNKNOWN_ENCODING)


def _too_many_rows(limits: Limits) -> SheetError:
    return SheetError(_filled(TOO_MANY_ROWS, rows=limits.max_rows))


def _xlsx_row_count(data: bytes) -> int:
    """The most ``<row`` elements in any worksheet, counted while streaming the XML."""
    most = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            count, tail = 0, b""
            with z.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    block = tail + chunk
                    count += block.count(b"<row ") + block.count(b"<row>")
                    tail = block[-5:]
                    count -= tail.count(b"<row ") + tail.count(b"<row>")  # counted again next
            count += tail.count(b"<row ") + tail.count(b"<row>")
            most = max(most, count)
    return most


def _xlsx_rows(data: bytes, limits: Limits):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            expanded = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise SheetError(UNREADABLE_XLSX) from None
    if expanded > limits.max_expanded:
        raise SheetError(_filled(TOO_LARGE_EXPANDED, size=_size(limits.max_expanded)))
    if _xlsx_row_count(data) > limits.max_rows:  # a byte scan: far faster than parsing
        raise _too_many_rows(limits)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # banks' files often lack styles: not the clerk's fault
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise SheetError(UNREADABLE_XLSX) from None
    try:  # read-only mode streams the sheet: rows are parsed only as far as they are read
        yield from book.active.iter_rows(values_only=True)
    except Exception:
        raise SheetError(UNREADABLE_XLSX) from None
    finally:
        book.close()


def read_table(filename: str, data: bytes, limits: Limits | None = None) -> list[list]:
    """The rows of a CSV or XLSX upload (first sheet), refused past the limits."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise SheetError(_filled(TOO_LARGE, size=_size(limits.max_bytes)))
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data, limits)
    else:
        rows = csv.reader(io.StringIO(_decode(data)))
    deadline = time.monotonic() + limits.seconds
    table = []
    try:
        for row in rows:
            if len(table) >= limits.max_rows:
                raise _too_many_rows(limits)
            if len(table) % 1000 == 0 and time.monotonic() > deadline:
                raise SheetError(_filled(TOO_SLOW, seconds=f"{limits.seconds:g}"))
            table.append(list(row))
    except csv.Error:
        raise SheetError(MALFORMED_CSV) from None
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return table
