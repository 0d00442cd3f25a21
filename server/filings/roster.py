"""The payment roster (发放花名册) of a township's month, the bank's roster as uploaded, and
the differences between them."""
from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import groupby
from typing import Iterator, NamedTuple

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, or_, select, type_coerce

from ..cases.models import Case
from ..db import db
from ..idnumber import normalize
from ..money import MoneyError, fen_text, yuan_to_fen
from ..regions.models import Region
from ..sheets import Limits, SheetError, read_table
from .periods import utc_bounds
from .stats import MONTHLY, ONE_OFF, _paid_in


class RosterError(ValueError):
    """An unreadable upload; the message is Chinese, shown to the clerk."""


class RosterRow(NamedTuple):
    """One roster line; a plain tuple, so the writer takes query rows and these alike."""
    name: str
    id_number: str
    account: str
    amount_fen: int
    village: str = ""
    case_number: str = ""
    relief_type: str = ""
    persons: int = 0


def expected_rows(township: Region, month: date) -> list[RosterRow]:
    """Who must be paid what this month: DB/TK paid months and LS decided in the month."""
    return [RosterRow(*row) for row in stream_rows(township.prefix, month)]


def stream_rows(prefix: str, month: date) -> Iterator[tuple]:
    """The roster under ``prefix`` as plain tuples in ``RosterRow``'s order, by village and case
    number: a township of any size is written without holding it in memory."""
    for _, row in _stream(prefix, month):
        yield row


def stream_by_township(prefix: str, month: date) -> Iterator[tuple[str, Iterator[tuple]]]:
    """Every township's roster under ``prefix`` from one scan of the cases, in code order:
    (township prefix, its rows); consume each township's rows before taking the next."""
    rows = _stream(prefix, month)
    for township, group in groupby(rows, key=lambda item: item[0][:9]):
        yield township, (row for _, row in group)


def _stream(prefix: str, month: date, batch: int = 5000) -> Iterator[tuple[str, tuple]]:
    """(village code, roster tuple) fetched in batches through Core: no ORM rows, a
    server-side cursor on PostgreSQL."""
    start, end = utc_bounds(month)
    monthly = and_(Case.relief_type.in_(MONTHLY), _paid_in(month))
    one_off = and_(Case.relief_type.in_(ONE_OFF), Case.decided_at >= start,
                   Case.decided_at < end, Case.one_off_amount_fen > 0)
    amount = case((Case.relief_type.in_(ONE_OFF), Case.one_off_amount_fen),
                  else_=Case.amount_in(month))
    stmt = (select(Case.applicant_name, Case.applicant_id_number,
                   Case.answers["bank_account"].as_string(), amount, Region.name,
                   Case.case_number, type_coerce(Case.relief_type, String),  # the stored code
                   Case.persons_covered, Region.code)
            .where(Case.region_id == Region.id,
                   Region.code.startswith(prefix, autoescape=True), or_(monthly, one_off))
            .order_by(Region.code, Case.case_number))
    # options on the statement, not the connection: they would stay on it for every later one
    result = db.session.connection().execute(
        stmt, execution_options={"stream_results": True, "yield_per": batch})
    for name, idn, account, amt, village, number, relief, persons, code in result:
        yield code, (name, normalize(idn), account or "", int(amt or 0), village, number, relief,
                     persons or 0)


# -- the bank's roster ---------------------------------------------------------------------------

HEADERS = {
    "name": ("姓名", "户主姓名", "户主", "收款人", "name"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "id_number", "id"),
    "account": ("账号", "银行账号", "卡号", "银行卡号", "account"),
    "amount": ("金额", "发放金额", "实发金额", "amount"),
}


def _limits() -> Limits:
    """Row, size and time limits of an upload (settings ROSTER_MAX_ROWS, ROSTER_MAX_BYTES,
    ROSTER_SECONDS), so a huge roster is refused in seconds instead of holding a thread."""
    config, default = (current_app.config if has_app_context() else {}), Limits()
    return Limits(max_bytes=int(config.get("ROSTER_MAX_BYTES", default.max_bytes)),
                  max_expanded=default.max_expanded,
                  max_rows=int(config.get("ROSTER_MAX_ROWS", default.max_rows)),
                  seconds=float(config.get("ROSTER_SECONDS", default.seconds)))


def _table(filename: str, data: bytes) -> list[list]:
    try:
        return read_table(filename, data, _limits())
    except SheetError as exc:
        raise RosterError(str(exc)) from None


def _amount(value, line: int, column: str) -> int:
    """The row's amount in fen by the one money rule, or a refusal naming the row and column."""
    try:
        fen = yuan_to_fen(value)
    except MoneyError as exc:
        text = str(value if value is not None else "").strip()[:40]
        raise RosterError(_l("Row %(line)s, column “%(column)s”: the amount cannot be read or is "
                               "out of range: %(text)s (%(reason)s)", line=line,
                               column=column, text=text, reason=str(exc))) from None
    if fen is None:
        raise RosterError(_l("Row %(line)s, column “%(column)s”: the amount is missing",
                               line=line, column=column))
    return fen


def parse_bank_roster(filename: str, data: bytes) -> list[RosterRow]:
    """Rows of a CSV or XLSX with a header row naming name, ID number, account, amount."""
    table = [(line, row) for line, row in enumerate(_table(filename, data), 1)
             if any(str(c or "").strip() for c in row)]
    if not table:
        raise RosterError(_l("The file is empty"))
    titles = [str(c or "").strip() for c in table[0][1]]
    header = [t.lower() for t in titles]
    columns = {}
    for field, names in HEADERS.items():
        found = next((i for i, h in enumerate(header) if h in names), None)
        if found is None:
            raise RosterError(_l("Missing column: %(column)s", column=names[0]))
        columns[field] = found
    rows = []
    for line, raw in table[1:]:
        cell = {f: raw[i] if i < len(raw) else None for f, i in columns.items()}
        rows.append(RosterRow(str(cell["name"] or "").strip(), normalize(str(cell["id_number"] or "")),
                              str(cell["account"] or "").strip(),
                              _amount(cell["amount"], line, titles[columns["amount"]])))
    return rows


# -- differences ------------------------------------------------------------------------------

def differences(expected: list[RosterRow], actual: list[RosterRow]) -> list[dict]:
    """Every difference: missing (not paid), extra (paid, not due), amount, name, id_number,
    account. A wrong ID with the right name pairs a missing row with an extra one."""
    ours = {r.id_number: r for r in expected}
    theirs, out = {}, []
    for row in actual:
        if row.id_number in theirs:
            out.append({"kind": "extra", "id_number": row.id_number, "name": row.name,
                        "expected": "", "actual": f"重复 {fen_text(row.amount_fen)}"})
        else:
            theirs[row.id_number] = row
    for idn in ours.keys() & theirs.keys():
        mine, bank = ours[idn], theirs[idn]
        if mine.amount_fen != bank.amount_fen:
            out.append({"kind": "amount", "id_number": idn, "name": mine.name,
                        "expected": fen_text(mine.amount_fen), "actual": fen_text(bank.amount_fen)})
        if mine.name != bank.name:
            out.append({"kind": "name", "id_number": idn, "name": mine.name,
                        "expected": mine.name, "actual": bank.name})
        if mine.account and bank.account and mine.account != bank.account:
            out.append({"kind": "account", "id_number": idn, "name": mine.name,
                        "expected": mine.account, "actual": bank.account})
    missing = [ours[i] for i in ours.keys() - theirs.keys()]
    extra = [theirs[i] for i in theirs.keys() - ours.keys()]
    names_missing = Counter(r.name for r in missing)
    names_extra = Counter(r.name for r in extra)
    paired = {n for n in names_missing if names_missing[n] == 1 and names_extra.get(n) == 1}
    for mine in missing:
        if mine.name in paired:
            bank = next(r for r in extra if r.name == mine.name)
            out.append({"kind": "id_number", "id_number": mine.id_number, "name": mine.name,
                        "expected": mine.id_number, "actual": bank.id_number})
            if mine.amount_fen != bank.amount_fen:
                out.append({"kind": "amount", "id_number": mine.id_number, "name": mine.name,
                            "expected": fen_text(mine.amount_fen), "actual": fen_text(bank.amount_fen)})
        else:
            out.append({"kind": "missing", "id_number": mine.id_number, "name": mine.name,
                        "expected": fen_text(mine.amount_fen), "actual": ""})
    out.extend({"kind": "extra", "id_number": r.id_number, "name": r.name, "expected": "",
                "actual": fen_text(r.amount_fen)} for r in extra if r.name not in paired)
    return sorted(out, key=lambda d: (d["id_number"], d["kind"]))
