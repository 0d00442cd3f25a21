"""Jiuzhu benchmark: one run, all numbers (``make bench`` runs it, then the other scripts and
benchmarks/summary.py; alone: ``.venv/bin/python benchmarks/run.py``).

Generates a county of 40,000 active households in 20 townships into a temporary SQLite
database (bulk inserts through SQLAlchemy Core), then measures, each beside a baseline in the
same run where there is one:

  (a) building all 20 township filings (table XLSX/DOCX + payment roster) and the county
      consolidation, beside the bare reads (one SELECT of every roster row, one GROUP BY) —
      target ≤ 8 s, also at 200,000 households (``--households 200000``, make bench-scale),
      with the process's peak memory < 500 MB;
  (b) archive bundles per second, docx only — target ≥ 5; and with PDF (the same cases, an
      empty PDF cache) — target ≥ 2, beside the docx-only figure as a ratio, with the soffice
      passes per bundle; the first PDF of a document on a page once the converter started at
      boot is up — target < 3 s, beside a cold one-shot soffice;
  (c) generating one document through Jiuzhu's pipeline (operations.generate short of the
      commit) ÷ raw docxtpl on the same template and context: the median of 41 paired rounds
      is the headline (best-of ratio printed beside it) — target ≤ 1.2;
  (d) county supervision: the month's spot-check draws of all 20 townships plus a year's
      township evaluation (every registered figure, ranking) with its SVG charts, over a year
      of decisions (accept → approve → publicity → paying, with the clocks) — target ≤ 2 s
      together, reported beside (a) (its ratio to the filings' time in the same run).

Prints a table (figure, baseline, ratio, target) and writes benchmarks/out/results.json
(results-N.json for another --households), its ``rows`` read by summary.py. Options:
--households N, --townships N, --bundles N, --keep (keep the temporary folder).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
MONTH = date(2026, 3, 1)
COUNTY_CODE = "110999000000"
DEFAULT_HOUSEHOLDS = 40000


def environment(work: Path, database_url: str | None = None) -> None:
    """Point every Jiuzhu setting at the temporary folder before the server is imported (every
    benchmark script's set-up; SQLite in the folder unless ``database_url`` is given)."""
    os.environ.update({
        "JIUZHU_INSTANCE_DIR": str(work / "instance"),
        "JIUZHU_DATABASE_URL": database_url or f"sqlite:///{work / 'bench.db'}",
        "JIUZHU_DATA_DIR": str(work / "data"),
        "JIUZHU_HUEY_SQLITE_PATH": str(work / "huey.db"),
        "JIUZHU_HUEY_IMMEDIATE": "1",
        "JIUZHU_ARCHIVE_PDF": "0",
        "JIUZHU_CHECK_MIGRATIONS": "0",
        "JIUZHU_SECRET_KEY": "bench",
    })
    sys.path.insert(0, str(ROOT))


# -- generator --------------------------------------------------------------------------------

def generate(households: int, townships: int, seed: int = 7) -> dict:
    """Bulk-insert regions, schema versions, cases and members; returns counts and timing."""
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
    regions = [{"id": 1, "code": COUNTY_CODE, "name": "基准县", "level": RegionLevel.county,
                "urban_rural": UrbanRural.rural, "parent_id": None}]
    villages = []
    for t in range(townships):
        tid = len(regions) + 1
        urban = t < 3
        regions.append({"id": tid, "code": f"110999{t + 1:03d}000", "name": f"第{t + 1}乡镇",
                        "level": RegionLevel.township, "parent_id": 1,
                        "urban_rural": UrbanRural.urban if urban else UrbanRural.rural})
        for v in range(5):
            vid = len(regions) + 1
            regions.append({"id": vid, "code": f"110999{t + 1:03d}{v + 201:03d}",
                            "name": f"第{t + 1}乡镇{v + 1}村", "level": RegionLevel.village,
                            "parent_id": tid,
                            "urban_rural": UrbanRural.urban if urban else UrbanRural.rural})
            villages.append((vid, urban))
    conn.execute(insert(Region.__table__), regions)
    schemas = {code: i + 1 for i, code in enumerate(ReliefCode)}
    conn.execute(insert(SchemaVersion.__table__), [
        {"id": sid, "county_id": 1, "relief_type": code, "number": 1,
         "status": SchemaStatus.published, "source": "{}", "definition": {}}
        for code, sid in schemas.items()])
    cases, members = [], []
    member_id = 0
    total = households + households // 10  # plus temporary-aid cases this year
    for n in range(1, total + 1):
        village, urban = villages[n % len(villages)]
        if n > households:
            relief, start, monthly, one_off = ReliefCode.LS, None, 0, rng.randrange(50000, 300000)
            decided = datetime(2026, rng.randrange(1, 4), rng.randrange(1, 28), 3)
        else:
            relief = ReliefCode.TK if n % 5 == 0 else ReliefCode.DB
            start = date(2025 + (n % 7 == 0), (n % 12) + 1 if n % 7 else (n % 3) + 1, 1)
            monthly, one_off = rng.randrange(20000, 150000), 0
            decided = datetime(start.year, start.month, 1) - timedelta(days=10)
        persons = 1 if relief == ReliefCode.TK else rng.randrange(1, 5)
        end = date(2026, 2, 1) if n % 97 == 0 and relief != ReliefCode.LS else None
        born = date(1940 + n % 70, n % 12 + 1, n % 28 + 1)
        applicant_id = make("110999", born, (n * 2 + 1) % 1000)
        cases.append({
            "id": n, "case_number": f"B{n:07d}", "relief_type": relief,
            "schema_version_id": schemas[relief], "state": "paying", "region_id": village,
            "applicant_name": f"户主{n}", "applicant_id_number": applicant_id,
            "answers": {"bank_account": f"62220{n:011d}"},
            "urban_rural": "urban" if urban else "rural", "persons_covered": persons,
            "decided_at": decided, "monthly_amount_fen": monthly, "one_off_amount_fen": one_off,
            "payment_start_month": start, "payment_end_month": end,
            "care_level": ("全自理", "半护理", "全护理")[n % 3] if relief == ReliefCode.TK else None,
            "is_concentrated": relief == ReliefCode.TK and n % 4 == 0,
            "ls_kind": ("emergency", "spending")[n % 2] if relief == ReliefCode.LS else None,
            "accepted_on": decided.date() - timedelta(days=20),
        })
        for p in range(persons):
            member_id += 1
            member_born = born if p == 0 else date(1950 + (n + p * 13) % 70, 6, 1)
            members.append({
                "id": member_id, "case_id": n, "position": p,
                "name": f"户主{n}" if p == 0 else f"成员{n}-{p}",
                "id_number": applicant_id if p == 0 else make("110999", member_born, (n + p) % 1000),
                "sex": "M" if (n + p) % 2 else "F", "birth_date": member_born,
                "is_applicant": p == 0,
                "details": {"disability": "二级"} if (n + p) % 23 == 0 else {},
            })
        if len(cases) >= 5000:
            conn.execute(insert(Case.__table__), cases)
            conn.execute(insert(Member.__table__), members)
            cases, members = [], []
    if cases:
        conn.execute(insert(Case.__table__), cases)
        conn.execute(insert(Member.__table__), members)
    db.session.commit()
    return {"households": households, "townships": townships, "cases": total,
            "members": member_id, "seconds": time.perf_counter() - started}


def generate_decisions(seed: int = 11) -> dict:
    """Each case's history as the workflow writes it: accepted, approved (into publicity) and
    paid a week later, with the total clock (20 working days) and the investigation clock;
    every eleventh decided late (accepted 45 days before), so the figures spread."""
    from sqlalchemy import insert, select

    from server.cases.models import Case, CaseDeadline, CaseEvent
    from server.db import db

    rng = random.Random(seed)
    started = time.perf_counter()
    conn = db.session.connection()
    events, deadlines = [], []
    rows = db.session.execute(select(Case.id, Case.decided_at)).all()
    for case_id, decided_at in rows:
        decided = decided_at.date()
        accepted = decided - timedelta(days=45 if case_id % 11 == 0 else rng.randrange(3, 25))
        events += [
            {"case_id": case_id, "from_state": None, "to_state": "accepted", "action": "accept",
             "effective_on": accepted, "data": {}},
            {"case_id": case_id, "from_state": "decision", "to_state": "publicity",
             "action": "approve", "effective_on": decided, "data": {}},
            {"case_id": case_id, "from_state": "publicity", "to_state": "paying",
             "action": "publicity_end", "effective_on": decided + timedelta(days=7), "data": {}}]
        deadlines += [
            {"case_id": case_id, "kind": "total", "started_on": accepted, "length": 20,
             "unit": "working_days", "due_on": accepted + timedelta(days=28), "done_on": None},
            {"case_id": case_id, "kind": "investigation_start", "started_on": accepted,
             "length": 3, "unit": "working_days", "due_on": accepted + timedelta(days=5),
             "done_on": accepted + timedelta(days=case_id % 7)}]
        if len(events) >= 15000:
            conn.execute(insert(CaseEvent.__table__), events)
            conn.execute(insert(CaseDeadline.__table__), deadlines)
            events, deadlines = [], []
    if events:
        conn.execute(insert(CaseEvent.__table__), events)
        conn.execute(insert(CaseDeadline.__table__), deadlines)
    db.session.commit()
    return {"cases": len(rows), "seconds": time.perf_counter() - started}


# -- measurements -----------------------------------------------------------------------------

def measure_filings() -> dict:
    """(a) All township filings and the county consolidation for one month, beside the bare
    reads they cannot go below: one SELECT of the roster columns of every case fetched by the
    driver and one GROUP BY over them; the process's peak memory after the build."""
    import resource

    from sqlalchemy import func, select

    from server.cases.models import Case
    from server.db import db
    from server.filings.operations import build_county
    from server.regions.models import Region
    from server.regions.queries import region_by_code

    county = region_by_code(COUNTY_CODE)
    conn = db.session.connection()
    started = time.perf_counter()
    cases, regions = Case.__table__.c, Region.__table__.c
    conn.execute(select(cases.applicant_name, cases.applicant_id_number, cases.answers,
                        cases.monthly_amount_fen, regions.name, cases.case_number,
                        cases.relief_type, cases.persons_covered)
                 .where(regions.id == cases.region_id)
                 .order_by(regions.code, cases.case_number)).fetchall()
    conn.execute(select(cases.region_id, cases.relief_type, cases.urban_rural, func.count(),
                        func.sum(cases.persons_covered), func.sum(cases.monthly_amount_fen))
                 .group_by(cases.region_id, cases.relief_type, cases.urban_rural)).fetchall()
    baseline = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    result = build_county(county, MONTH)
    db.session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "baseline_seconds": baseline,
            "townships": len(result["built"]),
            "peak_rss_mb": peak_mb}


def measure_supervision(app, year: int = 2025) -> dict:
    """(d) The month's spot-check draws of every township (committed) and a year's township
    evaluation with its charts, as the county supervisor."""
    from server.auth.operations import create_user
    from server.auth.roles import Role
    from server.db import db
    from server.periods import Period
    from server.regions.queries import region_by_code
    from server.supervision import evaluation, operations, queries

    county = region_by_code(COUNTY_CODE)
    supervisor = create_user("bench-supervisor", "基准县监管员", "Bench-Jiuzhu-2026",
                             Role.county_supervisor, county)
    db.session.commit()
    townships = queries.townships(supervisor)
    started = time.perf_counter()
    draws = operations.draw_all(MONTH, supervisor, townships)
    db.session.commit()
    drawn = time.perf_counter()
    with app.test_request_context():
        result = evaluation.evaluate(Period("year", date(year, 1, 1)), supervisor)
        charts = evaluation.charts(result)
        svg_bytes = sum(len(str(c).encode()) for c in charts)
    done = time.perf_counter()
    decisions = sum(c.decided for c in evaluation.decision_counts(
        [t.id for t in townships], date(year, 1, 1), date(year, 12, 31)).values())
    return {"seconds": done - started, "draws_seconds": drawn - started,
            "evaluation_seconds": done - drawn, "draws": len(draws),
            "checks": sum(len(d.checks) for d in draws), "year": year, "decisions": decisions,
            "metrics": len(result.metrics), "charts": len(charts), "svg_bytes": svg_bytes}


def _bench_cases(count: int):
    from sqlalchemy import select

    from server.cases.models import Case
    from server.db import db

    return list(db.session.scalars(select(Case).where(Case.monthly_amount_fen > 0)
                                   .order_by(Case.id).limit(count)))


def measure_bundles(count: int) -> dict:
    """(b) Archive bundles per second (docx only), two generated documents per case."""
    from server.archives import bundle
    from server.archives.operations import assign_archive_number
    from server.db import db
    from server.documents.operations import generate

    cases = _bench_cases(count)
    for case in cases:
        for kind in ("acceptance_slip", "application"):
            generate(kind, case)
        assign_archive_number(case)
    db.session.commit()
    started = time.perf_counter()
    for case in cases:
        bundle.build(case, pdf=False)
    seconds = time.perf_counter() - started
    return {"bundles": len(cases), "seconds": seconds, "per_second": len(cases) / seconds}


def measure_bundles_pdf(count: int) -> dict | None:
    """(b) with PDF: the same cases bundled again with their PDFs (an empty PDF cache, the
    warm converter started by the first bundle); None without LibreOffice."""
    from server.archives import bundle
    from server.documents.pdf import WARM
    from server.documents.queries import soffice_path

    if soffice_path() is None:
        return None
    from server.documents import pdf

    cases = _bench_cases(count)
    passes, convert = [], pdf.convert
    pdf.convert = lambda *args, **kw: passes.append(1) or convert(*args, **kw)
    try:
        started = time.perf_counter()
        for i, case in enumerate(cases):
            bundle.build(case, pdf=True)
            if i == 0:
                first = time.perf_counter() - started
        seconds = time.perf_counter() - started
    finally:
        pdf.convert = convert
    WARM.stop()
    return {"bundles": len(cases), "seconds": seconds, "per_second": len(cases) / seconds,
            "first_seconds": first, "warm": WARM.python is not None,
            "soffice_passes_per_bundle": len(passes) / len(cases)}


def measure_page_pdf() -> dict | None:
    """(b) The first PDF of a document on a page: a cold one-shot soffice (what a page waited
    for before) beside the converter the server starts at boot (``pdf.warm_up``), timed once
    it is up; None without LibreOffice."""
    from flask import current_app

    from server.db import db
    from server.documents import pdf
    from server.documents.operations import ensure_pdf, generate
    from server.documents.queries import soffice_path

    if soffice_path() is None:
        return None
    case = _bench_cases(1)[0]
    cold_doc, warm_doc = generate("commitment", case), generate("authorization", case)
    db.session.commit()
    pdf.WARM.stop()
    current_app.config["SOFFICE_WARM"] = False
    try:
        started = time.perf_counter()
        ensure_pdf(cold_doc)
        cold = time.perf_counter() - started
    finally:
        current_app.config["SOFFICE_WARM"] = True
    started = time.perf_counter()
    pdf.warm_up()
    converter = pdf.WARM.converters[0]
    time.sleep(0.01)  # the boot thread holds the converter while it starts
    with converter.lock:
        boot = time.perf_counter() - started
    started = time.perf_counter()
    ensure_pdf(warm_doc)
    warm = time.perf_counter() - started
    db.session.commit()
    pdf.WARM.stop()
    return {"cold_seconds": cold, "warm_seconds": warm, "boot_seconds": boot,
            "warm_used": converter.python is not None}


def pipeline_render(case, kind: str):
    """What a user's "generate" request runs, short of the commit: county template lookup,
    context, sandboxed render, stable output, provenance hashes, content-addressed file, the
    document row and its audit record flushed."""
    from server.documents.operations import generate

    return generate(kind, case)


def raw_environment():
    """A plain (unsandboxed) Jinja environment with the filters the templates call."""
    from jinja2 import Environment

    from server.documents.rendering import make_environment

    env = Environment(autoescape=True)
    env.filters.update({name: getattr(f, "__wrapped__", f)  # without the sandbox's guards
                        for name, f in make_environment().filters.items()
                        if not name.startswith("jiuzhu_")})
    return env


def raw_render(template: bytes, context: dict, env) -> bytes:
    """Plain docxtpl on the same template and context, saved to bytes."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def measure_render(kind: str = "acceptance_slip", rounds: int = 41) -> dict:
    """(c) Pipeline time ÷ raw docxtpl time, best of N each (timeit's convention: slower runs
    are other processes or a garbage collection interfering). Each round times both back to
    back, the order alternating; the median of the rounds' ratios and the first pipeline
    render (compiling the template) are reported too."""
    import gc

    from server.db import db
    from server.documents import rendering
    from server.documents.queries import template_for
    from server.documents.registry import KINDS

    case = _bench_cases(1)[0]
    _, template = template_for(kind, case.region.county)
    context = KINDS[kind].build_context(case, {})
    env = raw_environment()
    rendering.environment.cache_clear()
    rendering.DocumentTemplate.patched.clear()
    t = time.perf_counter()
    pipeline_render(case, kind)
    cold = time.perf_counter() - t
    raw_render(template, context, env)  # warm up
    gc.collect()

    def timed(run) -> float:
        t = time.perf_counter()
        run()
        return time.perf_counter() - t

    pipe, raw = [], []
    for n in range(rounds):
        runs = [(pipe, lambda: pipeline_render(case, kind)),
                (raw, lambda: raw_render(template, context, env))]
        for times, run in runs if n % 2 else runs[::-1]:
            times.append(timed(run))
    db.session.rollback()  # the benchmark's document rows are not kept
    ratios = [p / r for p, r in zip(pipe, raw)]
    return {"kind": kind, "rounds": rounds, "pipeline_ms": statistics.median(pipe) * 1000,
            "raw_ms": statistics.median(raw) * 1000, "pipeline_first_ms": cold * 1000,
            "pipeline_best_ms": min(pipe) * 1000, "raw_best_ms": min(raw) * 1000,
            "ratio": min(pipe) / min(raw), "ratio_median_paired": statistics.median(ratios)}


# -- report -----------------------------------------------------------------------------------

def row(measure: str, value: float, unit: str, target: str, ok: bool, baseline=None,
        ratio=None, note: str = "") -> dict:
    """One line of the report (and of benchmarks/summary.py's table): the figure, its baseline
    in the same run and their ratio where there is one, the target and whether it is met."""
    return {"measure": measure, "value": value, "unit": unit, "baseline": baseline,
            "ratio": ratio, "target": target, "ok": bool(ok), "note": note}


def report_rows(results: dict) -> list[dict]:
    gen, fil, sup = results["generator"], results["filings"], results["supervision"]
    render, bundles = results["render"], results["bundles"]
    townships = gen["townships"]
    return [
        row("generate county", gen["seconds"], "s", "< 60 s", gen["seconds"] < 60,
            note=f"{gen['households']:,} households, {gen['members']:,} members"),
        row(f"(a) {townships} filings + consolidation", fil["seconds"], "s", "≤ 8 s",
            fil["seconds"] <= 8, fil["baseline_seconds"], fil["seconds"] / fil["baseline_seconds"],
            "baseline: the bare SELECT of every roster row and one GROUP BY; "
            f"CPU time of the build {fil.get('cpu_seconds', 0):.2f} s (one process)"),
        row("(a) peak memory of the process", fil["peak_rss_mb"], "MB", "< 500 MB",
            fil["peak_rss_mb"] < 500),
        row("(b) archive bundles (docx)", bundles["per_second"], "/s", "≥ 5 /s",
            bundles["per_second"] >= 5),
        *([row("(b) archive bundles with PDF", pdf["per_second"], "/s", "≥ 2 /s",
               pdf["per_second"] >= 2, bundles["per_second"],
               pdf["per_second"] / bundles["per_second"],
               "baseline: the docx-only bundles of (b); empty PDF cache, warm converters; "
               f"{pdf.get('soffice_passes_per_bundle', 0):.2f} soffice passes per bundle")]
          if (pdf := results.get("bundles_pdf")) else []),
        *([row("(b) first PDF on a page", page["warm_seconds"], "s", "< 3 s",
               page["warm_seconds"] < 3, page["cold_seconds"],
               page["warm_seconds"] / page["cold_seconds"],
               "baseline: a cold one-shot soffice; the converter started at boot was up "
               f"{page['boot_seconds']:.1f} s after")]
          if (page := results.get("page_pdf")) else []),
        row("(c) one document: pipeline ÷ raw docxtpl", render["pipeline_ms"], "ms",
            "ratio ≤ 1.2", render["ratio_median_paired"] <= 1.2, render["raw_ms"],
            render["ratio_median_paired"],
            f"median of {render['rounds']} paired rounds (best-of ratio "
            f"{render['ratio']:.2f}; first render {render['pipeline_first_ms']:.0f} ms)"),
        row(f"(d) {townships} draws + year evaluation", sup["seconds"], "s", "≤ 2 s",
            sup["seconds"] <= 2, fil["seconds"], sup["seconds"] / fil["seconds"],
            "baseline: (a) in the same run"),
    ]


def format_rows(rows: list[dict]) -> list[str]:
    """The rows as aligned text lines (shared with benchmarks/summary.py)."""
    def number(value, unit=""):
        if value is None:
            return "—"
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
        return f"{text} {unit}".strip()

    wide = max([len("measure"), *(len(r["measure"]) for r in rows)]) + 2
    aim = max([len("target"), *(len(r["target"]) for r in rows)]) + 2
    lines = [f"{'measure':<{wide}}{'value':>13}{'baseline':>13}{'ratio':>8}  {'target':<{aim}}result"]
    for r in rows:
        lines.append(f"{r['measure']:<{wide}}{number(r['value'], r['unit']):>13}"
                     f"{number(r['baseline'], r['unit']):>13}{number(r['ratio']):>8}  "
                     f"{r['target']:<{aim}}{'pass' if r['ok'] else 'FAIL'}")
    return lines


def report(results: dict) -> bool:
    rows = report_rows(results)
    print(f"\nJiuzhu benchmark — {results['generator']['households']:,} households, "
          f"{results['generator']['townships']} townships, {os.cpu_count()} CPUs, "
          f"load average {results['load_average']:.1f}")
    print("\n".join(format_rows(rows)))
    for r in rows:
        if r["note"]:
            print(f"  {r['measure']}: {r['note']}")
    sup = results["supervision"]
    print(f"(d) draws {sup['draws_seconds']:.2f} s ({sup['draws']} townships, {sup['checks']} "
          f"checks), evaluation of {sup['year']} {sup['evaluation_seconds']:.2f} s "
          f"({sup['decisions']} decisions, {sup['metrics']} figures, {sup['charts']} charts, "
          f"{sup['svg_bytes'] // 1024} KB SVG)")
    results["rows"] = rows
    results["checks"] = {r["measure"]: r["ok"] for r in rows}
    return all(r["ok"] for r in rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--bundles", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="jiuzhu-bench-"))
    environment(work)
    try:
        from server import create_app
        from server.db import db
        from server.models import metadata

        app = create_app({"CHECK_MIGRATIONS": False})
        with app.app_context():
            metadata.create_all(db.engine)
            results = {"generator": generate(args.households, args.townships)}
            print(f"generated: {results['generator']}", flush=True)
            results["filings"] = measure_filings()
            print(f"filings: {results['filings']}", flush=True)
            results["bundles"] = measure_bundles(args.bundles)
            print(f"bundles: {results['bundles']}", flush=True)
            results["bundles_pdf"] = measure_bundles_pdf(args.bundles)
            print(f"bundles with PDF: {results['bundles_pdf']}", flush=True)
            results["page_pdf"] = measure_page_pdf()
            print(f"first PDF on a page: {results['page_pdf']}", flush=True)
            results["render"] = measure_render()
            results["decisions"] = generate_decisions()
            print(f"decisions: {results['decisions']}", flush=True)
            results["supervision"] = measure_supervision(app)
            results["load_average"] = os.getloadavg()[0]
            print(f"supervision: {results['supervision']}", flush=True)
        ok = report(results)
        results["cpus"] = os.cpu_count()
        OUT.mkdir(parents=True, exist_ok=True)
        name = "results.json" if args.households == DEFAULT_HOUSEHOLDS else \
            f"results-{args.households}.json"
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
