"""Case search at county scale: Jiuzhu's search beside bare indexed look-ups, in one run.

    .venv/bin/python benchmarks/search.py                      # SQLite, 100,000 cases
    .venv/bin/python tests/pg_cluster.py -- .venv/bin/python benchmarks/search.py --cases 1000000
                                                              # PostgreSQL (make bench-scale)

Generates the cases (about 2.5 members each, Chinese names, valid ID numbers) with bulk
inserts, runs ANALYZE, then times for each kind of term a clerk types (full name, two-character
name start, full ID number, last four ID digits, case number, village) three things:

  jiuzhu    ``cases.queries.search`` as the case list calls it (scoping, 50 newest, regions);
  baseline  the bare indexed look-up of the same term (one equality/prefix SELECT of ids);
  before    the old shape (every term a ``LIKE '%q%'`` in one OR), on a few terms only.

Reports p50/p95 per kind, the median paired ratio jiuzhu ÷ baseline, and checks the targets:
p95 ≤ 20 ms at 1,000,000 cases on PostgreSQL, ≤ 100 ms at 100,000 on SQLite. Writes
benchmarks/out/search.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from run import environment  # noqa: E402  (benchmarks/ is the script's folder on sys.path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英华明丽军伟芳娜敏静强磊洋艳勇杰娟涛超霞平刚桂兰玉梅红云海峰建国文辉林波鹏斌宇浩凯亮婷雪琳晶欣怡萍燕春志新荣宏德福生才喜顺"
SAMPLES, BEFORE_SAMPLES = 200, 5



def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def generate(cases: int, townships: int = 20, seed: int = 11) -> dict:
    """Regions, one schema version per relief type, ``cases`` cases and their members."""
    from sqlalchemy import insert

    from server.cases.models import Case, Member
    from server.db import db
    from server.idnumber import make
    from server.regions.models import Region, RegionLevel, UrbanRural
    from server.relief import ReliefCode
    from server.schemas.models import SchemaStatus, SchemaVersion

    rng = random.Random(seed)
    started = time.perf_counter()
    conn = db.session.connection()
    regions = [{"id": 1, "code": "110998000000", "name": "检索县", "level": RegionLevel.county,
                "urban_rural": UrbanRural.rural, "parent_id": None}]
    villages = []
    for t in range(townships):
        tid = len(regions) + 1
        regions.append({"id": tid, "code": f"110998{t + 1:03d}000", "name": f"{SURNAMES[t]}家镇",
                        "level": RegionLevel.township, "parent_id": 1,
                        "urban_rural": UrbanRural.rural})
        for v in range(15):
            vid = len(regions) + 1
            regions.append({"id": vid, "code": f"110998{t + 1:03d}{v + 201:03d}",
                            "name": f"{SURNAMES[t]}{GIVEN[v]}村", "level": RegionLevel.village,
                            "parent_id": tid, "urban_rural": UrbanRural.rural})
            villages.append(vid)
    conn.execute(insert(Region.__table__), regions)
    codes = list(ReliefCode)
    conn.execute(insert(SchemaVersion.__table__), [
        {"id": i + 1, "county_id": 1, "relief_type": code, "number": 1,
         "status": SchemaStatus.published, "source": "{}", "definition": {}}
        for i, code in enumerate(codes)])
    batch_cases, batch_members, member_id = [], [], 0
    for n in range(1, cases + 1):
        relief = codes[n % 4]
        born = date(1940 + n % 70, n % 12 + 1, n % 28 + 1)
        applicant = make("110998", born, n % 1000)
        name = _name(rng)
        batch_cases.append({
            "id": n, "case_number": f"110998-{2020 + n % 7}-{relief.value}-{n:07d}",
            "relief_type": relief, "schema_version_id": codes.index(relief) + 1,
            "state": "paying", "region_id": villages[n % len(villages)],
            "applicant_name": name, "applicant_id_number": applicant, "answers": {},
            "accepted_on": date(2026, 1, 1), "created_at": datetime(2026, 1, 1),
            "updated_at": datetime(2026, 1, 1), "persons_covered": 1})
        for p in range(rng.choice((1, 2, 3, 4))):
            member_id += 1
            batch_members.append({
                "id": member_id, "case_id": n, "position": p,
                "name": name if p == 0 else _name(rng),
                "id_number": applicant if p == 0 else make("110998", date(1950 + (n + p) % 70, 6, 1),
                                                           (n * 7 + p) % 1000),
                "is_applicant": p == 0, "details": {}})
        if len(batch_cases) >= 10000:
            _load(conn, Case.__table__, batch_cases)
            _load(conn, Member.__table__, batch_members)
            batch_cases, batch_members = [], []
    if batch_cases:
        _load(conn, Case.__table__, batch_cases)
        _load(conn, Member.__table__, batch_members)
    db.session.commit()
    from server.db import analyze

    analyze()
    return {"cases": cases, "members": member_id, "seconds": time.perf_counter() - started}


def _load(conn, table, rows: list[dict]) -> None:
    """Bulk rows: COPY on PostgreSQL (a million cases in minutes, not tens of minutes),
    executemany INSERT on SQLite; both fill what the models' defaults would."""
    from sqlalchemy import insert

    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    import json as _json

    if table.name == "member":
        for row in rows:
            row["id_number_tail"] = row["id_number"][-4:]
    defaults = {}
    for c in table.columns:
        if c.default is not None and c.default.is_scalar:
            defaults[c.name] = c.default.arg
        elif c.default is not None and c.default.is_callable and c.name != "id_number_tail":
            defaults[c.name] = c.default.arg(None)  # list, dict, utcnow …
    columns = [c.name for c in table.columns if c.name in rows[0] or c.name in defaults]
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            values = []
            for name in columns:
                value = row.get(name, defaults.get(name))
                values.append(_json.dumps(value) if isinstance(value, (dict, list)) else
                              getattr(value, "value", value))
            copy.write_row(values)


def _terms(cases: int, rng: random.Random) -> dict[str, list[str]]:
    """For each kind of term, SAMPLES terms taken from random existing rows."""
    from sqlalchemy import select

    from server.cases.models import Case, Member
    from server.db import db
    from server.regions.models import Region, RegionLevel

    ids = [rng.randrange(1, cases + 1) for _ in range(SAMPLES)]
    rows = db.session.execute(select(Case.applicant_name, Case.applicant_id_number,
                                     Case.case_number).where(Case.id.in_(ids))).all()
    members = db.session.scalars(select(Member.id_number).where(Member.case_id.in_(ids))).all()
    villages = db.session.scalars(select(Region.name).where(
        Region.level == RegionLevel.village)).all()
    return {
        "full name": [r[0] for r in rows if len(r[0]) >= 3],
        "name start (2 characters)": [r[0][:2] for r in rows],
        "full ID number": [r[1] for r in rows],
        "ID number, last 4": [m[-4:] for m in members][:SAMPLES],
        "case number": [r[2] for r in rows],
        "village": [rng.choice(villages) for _ in range(SAMPLES)],
    }


def _baseline(kind: str, term: str):
    """The bare indexed look-up a database would do for this kind of term."""
    from sqlalchemy import select

    from server.cases.models import Case, Member
    from server.regions.models import Region

    if kind == "full name":
        return select(Case.id).where(Case.applicant_name == term)
    if kind.startswith("name start"):
        return select(Case.id).where(Case.applicant_name >= term,
                                     Case.applicant_name < term + "\uffff").limit(50)
    if kind == "full ID number":
        return select(Member.case_id).where(Member.id_number == term)
    if kind.startswith("ID number"):
        return select(Member.case_id).where(Member.id_number_tail == term).limit(50)
    if kind == "case number":
        return select(Case.id).where(Case.case_number == term)
    village = select(Region.id).where(Region.name == term).scalar_subquery()
    return select(Case.id).where(Case.region_id == village).order_by(Case.id.desc()).limit(50)


def _before(term: str, user):
    """The search as it was: every path a ``LIKE '%q%'``, one OR over subqueries."""
    from sqlalchemy import or_, select

    from server.cases.models import Case, Member
    from server.db import db
    from server.idnumber import normalize
    from server.regions.queries import scoped

    digits = normalize(term).replace("*", "")
    conditions = [Case.applicant_name.contains(term), Case.case_number.contains(term),
                  Case.id.in_(select(Member.case_id).where(Member.name.contains(term)))]
    if len(digits) >= 4:
        conditions.append(Case.id.in_(select(Member.case_id).where(
            Member.id_number.contains(digits))))
    stmt = scoped(Case, user).where(or_(*conditions)).order_by(Case.id.desc()).limit(50)
    return db.session.scalars(stmt).all()


def _timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def _rows(stmt):
    from server.db import db

    return db.session.execute(stmt).all()


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(cases: int) -> dict:
    from server.auth.models import User
    from server.auth.roles import Role
    from server.cases import queries
    from server.db import db
    from server.regions.models import Region

    county = db.session.get(Region, 1)
    user = User(username="bench", display_name="bench", role=Role.county_admin, region=county,
                password_hash="")
    db.session.add(user)
    db.session.commit()
    rng = random.Random(5)
    out = {}
    for kind, terms in _terms(cases, rng).items():
        ours, base, ratios = [], [], []
        for term in terms:
            queries.search(term, user=user)  # warm the statement cache and pages once
            a = _timed(queries.search, term, "", "", 1, user)
            b = _timed(_rows, _baseline(kind, term))
            ours.append(a)
            base.append(b)
            ratios.append(a / b if b else 1.0)
            found = queries.search(term, user=user)
            assert found, f"{kind} {term!r} found nothing"
            db.session.expunge_all()
        before = [_timed(_before, t, user) for t in terms[:BEFORE_SAMPLES]]
        out[kind] = {"terms": len(terms), "jiuzhu_p50_ms": statistics.median(ours),
                     "jiuzhu_p95_ms": _p95(ours), "baseline_p50_ms": statistics.median(base),
                     "baseline_p95_ms": _p95(base), "ratio_median_paired": statistics.median(ratios),
                     "before_p50_ms": statistics.median(before)}
        print(f"{kind}: {out[kind]}", flush=True)
    return out


def report(results: dict) -> bool:
    dialect, cases = results["database"], results["generator"]["cases"]
    limit = 20.0 if dialect == "postgresql" else 100.0
    print(f"\nCase search — {cases:,} cases, {results['generator']['members']:,} members, "
          f"{dialect}, {os.cpu_count()} CPUs (target p95 ≤ {limit:.0f} ms)")
    print(f"{'term':<28}{'jiuzhu p50/p95 ms':>20}{'baseline p50/p95':>20}{'ratio':>8}"
          f"{'before p50':>12}  result")
    ok_all = True
    for kind, r in results["search"].items():
        ok = r["jiuzhu_p95_ms"] <= limit
        ok_all &= ok
        print(f"{kind:<28}{r['jiuzhu_p50_ms']:>9.1f} /{r['jiuzhu_p95_ms']:>7.1f}"
              f"{r['baseline_p50_ms']:>11.1f} /{r['baseline_p95_ms']:>7.1f}"
              f"{r['ratio_median_paired']:>8.1f}{r['before_p50_ms']:>10.0f} ms  "
              f"{'pass' if ok else 'FAIL'}")
    print("ratio: median of paired jiuzhu ÷ baseline; jiuzhu also loads 50 cases with their "
          "villages and applies region scoping, the baseline returns ids only")
    return ok_all


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None,
                        help="default 100,000 on SQLite, 1,000,000 on PostgreSQL")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("JIUZHU_TEST_DATABASE_URL")  # set by tests/pg_cluster.py
    cases = args.cases or (1_000_000 if pg_url else 100_000)
    work = Path(tempfile.mkdtemp(prefix="jiuzhu-search-"))
    environment(work, pg_url)
    try:
        from server import create_app
        from server.db import db
        from server.models import metadata

        app = create_app({"CHECK_MIGRATIONS": False})
        with app.app_context():
            metadata.drop_all(db.engine)
            metadata.create_all(db.engine)
            results = {"database": db.engine.dialect.name, "generator": generate(cases)}
            print(f"generated: {results['generator']}", flush=True)
            results["search"] = measure(cases)
        ok = report(results)
        OUT.mkdir(parents=True, exist_ok=True)
        name = "search-postgresql.json" if pg_url else "search-sqlite.json"
        (OUT / name).write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(f"\nwritten {OUT / name}")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
