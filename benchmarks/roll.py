"""Jiuzhu roll-import benchmark (``.venv/bin/python benchmarks/roll.py``).

Builds a county of 20 townships × 5 villages with its published forms and a standard in a
temporary SQLite database, writes a roll file of 10,000 households (about 25,000 members) in
the import template's layout, then measures in one run:

  (a) the import as a county admin runs it (the job: read the XLSX, check every row, bulk
      insert cases, members and events in one transaction, ANALYZE) — target ≤ 30 s on 2 cores;
  (b) the baseline: a bare bulk insert of the same case and member rows (SQLAlchemy Core
      executemany, no reading, no checks) into the same tables, and the ratio (a) ÷ (b).

Wall-clock and CPU seconds are both printed: on a shared, loaded machine the wall clock
counts the time other processes held the cores.

Prints a table and writes benchmarks/out/roll.json. Options: --households N, --csv (upload a
CSV instead of an XLSX), --keep (keep the temporary folder).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from run import environment  # noqa: E402  (benchmarks/ is the script's folder on sys.path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
COUNTY_CODE = "110999000000"
TOWNSHIPS = 20



def county():
    """Regions, an admin, the shipped forms and a 2026 standard; returns (county, admin)."""
    from server.auth.operations import create_user
    from server.auth.roles import Role
    from server.db import db
    from server.regions.models import Region, RegionLevel, UrbanRural
    from server.schemas.operations import sync_forms
    from server.standards.demo import DEMO_2026
    from server.standards.operations import create_version

    root = Region(code=COUNTY_CODE, name="基准县", level=RegionLevel.county)
    db.session.add(root)
    for t in range(TOWNSHIPS):
        urban = t < 3
        town = Region(code=f"110999{t + 1:03d}000", name=f"第{t + 1}乡镇", parent=root,
                      level=RegionLevel.township,
                      urban_rural=UrbanRural.urban if urban else UrbanRural.rural)
        for v in range(5):
            db.session.add(Region(code=f"110999{t + 1:03d}{v + 201:03d}", name=f"第{t + 1}乡镇{v + 1}村",
                                  parent=town, level=RegionLevel.village,
                                  urban_rural=UrbanRural.urban if urban else UrbanRural.rural))
    db.session.flush()
    admin = create_user("admin", "管理员", "bench-password-1", Role.county_admin, root)
    sync_forms(root, admin)
    create_version(root, DEMO_2026, actor=admin)
    db.session.commit()
    return root, admin


def roll_rows(households: int) -> list[list]:
    """The file's rows: 低保 households of 1–4 members, every fifth a 特困 person."""
    from server.idnumber import make
    from server.roll.layout import ROLL

    keys = [c.key for c in ROLL]
    rows = [[c.title for c in ROLL]]
    for n in range(households):
        t, v = n % TOWNSHIPS, (n // TOWNSHIPS) % 5
        tk = n % 5 == 0
        size = 1 if tk else 2 + (n * 7) % 3
        head = make("110999", date(1930 + n % 60, 1 + n % 12, 1 + n % 28), n % 1000)
        for k in range(size):
            person = head if k == 0 else _member_id(n, k)
            cells = {"relief_type": "特困" if tk else "低保", "township": f"第{t + 1}乡镇",
                     "village": f"第{t + 1}乡镇{v + 1}村", "head_name": f"户主{n}",
                     "head_id_number": head, "name": f"户主{n}" if k == 0 else f"成员{n}-{k}",
                     "id_number": person, "relationship": "本人" if k == 0 else "家庭成员",
                     "monthly_amount": "850.00" if tk else f"{200 + n % 500}.00",
                     "start_month": f"2026-{1 + n % 10:02d}", "bank_account": f"6222{n:015d}",
                     "support_mode": "分散供养" if tk else "", "care_level": "全自理" if tk else ""}
            rows.append([cells.get(key, "") for key in keys])
    return rows


def _member_id(n: int, k: int) -> str:
    """Members' ID numbers from an address code of their own, one per (household, member)."""
    from server.idnumber import make

    address = f"{120000 + (n * 4 + k) // 1000:06d}"
    return make(address, date(1950 + k * 10, 1 + n % 12, 1 + n % 28), (n * 4 + k) % 1000)


def write_file(rows: list[list], fmt: str) -> bytes:
    if fmt == "csv":
        from server.sheets import write_csv

        return write_csv(rows)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("在册名单")
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def measure_import(root, admin, data: bytes, fmt: str) -> dict:
    """The job as the page starts it: upload kept, job row, then the task's whole run."""
    from sqlalchemy import func, select

    from server.cases.models import Case, Member
    from server.db import db
    from server.roll import operations
    from server.roll.models import RollImport

    job = operations.create_import(root, f"roll.{fmt}", data, admin, is_dry_run=False)
    db.session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    operations.run_import(job.id)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    job = db.session.get(RollImport, job.id)
    if job.status != "done":
        raise SystemExit(f"import failed: {job.message} {job.problems[:5]}")
    return {"seconds": seconds, "cpu_seconds": cpu, "households": job.added, "members": job.members,
            "cases_in_db": db.session.scalar(select(func.count(Case.id))),
            "members_in_db": db.session.scalar(select(func.count(Member.id)))}


def measure_baseline(root) -> dict:
    """A bare bulk insert of the same rows: the imported cases and members copied back into
    the tables under new ids and numbers, in one transaction, then rolled back."""
    from sqlalchemy import insert, select

    from server.cases.models import Case, Member
    from server.db import db

    cases = [dict(r._mapping) for r in db.session.execute(select(Case.__table__))]
    members = [dict(r._mapping) for r in db.session.execute(select(Member.__table__))]
    offset = max(c["id"] for c in cases)
    for c in cases:
        c["id"] += offset
        c["case_number"] = "X" + c["case_number"]
    for m in members:
        m["id"] += 10 * offset
        m["case_id"] += offset
    db.session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    db.session.execute(insert(Case.__table__), cases)
    db.session.execute(insert(Member.__table__), members)
    db.session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "cases": len(cases), "members": len(members)}


def report(results: dict) -> bool:
    imp, base = results["import"], results["baseline"]
    ratio = imp["seconds"] / base["seconds"]
    results["ratio"] = ratio
    results["ratio_cpu"] = imp["cpu_seconds"] / base["cpu_seconds"]
    rows = [
        (f"(a) import {imp['households']:,} households / {imp['members']:,} members",
         f"{imp['seconds']:.1f} s", "≤ 30 s", imp["seconds"] <= 30),
        ("    its CPU time (this process)", f"{imp['cpu_seconds']:.1f} s", "—", True),
        ("(b) bare bulk insert of the same rows", f"{base['seconds']:.2f} s", "—", True),
        ("(a) ÷ (b), wall clock", f"{ratio:.1f}", "—", True),
        ("(a) ÷ (b), CPU time", f"{results['ratio_cpu']:.1f}", "—", True),
    ]
    print(f"\nJiuzhu roll import — {results['format'].upper()} file of "
          f"{results['file_bytes'] / 1e6:.1f} MB, {os.cpu_count()} CPUs")
    print(f"{'measure':<52}{'value':>10}  {'target':<8}result")
    for name, value, target, ok in rows:
        print(f"{name:<52}{value:>10}  {target:<8}{'pass' if ok else 'FAIL'}")
    results["checks"] = {name: ok for name, _, _, ok in rows}
    return all(ok for *_, ok in rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10000)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="jiuzhu-roll-bench-"))
    environment(work)
    fmt = "csv" if args.csv else "xlsx"
    try:
        from server import create_app
        from server.db import db
        from server.models import metadata

        app = create_app({"CHECK_MIGRATIONS": False})
        with app.app_context():
            metadata.create_all(db.engine)
            root, admin = county()
            data = write_file(roll_rows(args.households), fmt)
            results = {"format": fmt, "file_bytes": len(data)}
            results["import"] = measure_import(root, admin, data, fmt)
            print(f"import: {results['import']}", flush=True)
            results["baseline"] = measure_baseline(root)
            print(f"baseline: {results['baseline']}", flush=True)
        ok = report(results)
        results["cpus"] = os.cpu_count()
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "roll.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(f"\nwritten {OUT / 'roll.json'}")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
