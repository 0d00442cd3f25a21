"""Roll files as a county admin fills them: the downloaded template with its example row
replaced by generated households of the demo county."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.cases.models import Case, Member
from server.db import db
from server.idnumber import make
from server.roll.layout import ROLL

VILLAGES = [("东风镇", "东风村"), ("东风镇", "红旗村"), ("太平乡", "太平村"), ("太平乡", "长胜村"),
            ("城关街道", "和平社区")]
KEYS = [c.key for c in ROLL]


def person_id(n: int, k: int) -> str:
    """Distinct valid ID numbers, clear of the demo cases' (sequences below 200)."""
    return make("220999", date(1941 + n % 40, 1 + n % 12, 1 + k), 600 + (n * 3 + k) % 400)


def households(count: int = 30) -> list[list[dict]]:
    """``count`` households: mostly 低保 (1–3 members), every 7th 特困, every 11th 低保边缘."""
    out = []
    for n in range(count):
        township, village = VILLAGES[n % len(VILLAGES)]
        if n % 7 == 3:
            relief, size, amount = "特困", 1, "850.00"
        elif n % 11 == 5:
            relief, size, amount = "低保边缘", 2, ""
        else:
            relief, size, amount = "低保", 1 + n % 3, f"{300 + n * 10}.50"
        head = person_id(n, 0)
        rows = []
        for k in range(size):
            rows.append({
                "relief_type": relief, "township": township, "village": village,
                "urban_rural": "城市" if township == "城关街道" else "农村",
                "head_name": f"户主{n}", "head_id_number": head,
                "name": f"户主{n}" if k == 0 else f"成员{n}-{k}", "id_number": person_id(n, k),
                "relationship": "本人" if k == 0 else ("配偶" if k == 1 else "子女"),
                "monthly_amount": amount, "start_month": f"2026-{1 + n % 11:02d}",
                "bank_account": f"62220200{n:011d}" if relief != "低保边缘" else "",
                "support_mode": "分散供养" if relief == "特困" else "",
                "care_level": "半护理" if relief == "特困" else ""})
        out.append(rows)
    return out


def flat(groups) -> list[dict]:
    return [row for group in groups for row in group]


def line_of(groups, household: int, member: int = 0) -> int:
    """The file's row number (header = 1) of a member of a household."""
    return 2 + sum(len(g) for g in groups[:household]) + member


def fill_template(template: bytes, rows: list[dict]) -> bytes:
    """The template with the example row replaced by ``rows`` (IDs as text)."""
    book = load_workbook(io.BytesIO(template))
    sheet = book["在册名单"]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(key, "") for key in KEYS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def csv_file(rows: list[dict], keys=None, titles=None) -> bytes:
    keys = keys or KEYS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(titles or [c.title for c in ROLL if c.key in keys])
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    return out.getvalue().encode("utf-8")


def upload(client, data: bytes, name: str = "roll.xlsx", action: str = "check"):
    return client.post("/roll/imports", data={"file": (io.BytesIO(data), name), "action": action},
                       content_type="multipart/form-data")


def last_job():
    from server.roll.models import RollImport

    db.session.expire_all()
    return db.session.scalars(select(RollImport).order_by(RollImport.id.desc())).first()


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Case.id))),
            db.session.scalar(select(func.count(Member.id))))


def roll_snapshot() -> dict:
    """Every active served case as comparable facts (households, members, amounts, places)."""
    from server.cases.workflows import SERVED_STATES

    db.session.expire_all()
    out = {}
    for case in db.session.scalars(select(Case).where(Case.state.in_(SERVED_STATES))):
        out[(case.relief_type, case.applicant_id_number)] = {
            "village": case.region.code, "amount": case.monthly_amount_fen,
            "start": case.payment_start_month, "urban_rural": case.urban_rural,
            "persons": case.persons_covered, "care": case.care_level,
            "concentrated": case.is_concentrated,
            "bank": (case.answers or {}).get("bank_account", ""),
            "members": sorted((m.id_number, m.name, m.relationship_ if m.id_number != case.applicant_id_number else "本人")
                              for m in case.members)}
    return out


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def template(admin) -> bytes:
    response = admin.get("/roll/template.xlsx")
    assert response.status_code == 200
    return response.data
