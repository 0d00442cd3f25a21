"""Every benchmark's latest figures in one table (the end of ``make bench``/``make bench-scale``).

Reads each benchmarks/out/*.json it knows: a file with ``rows`` (run.py's shape, see
``run.row``: measure, value, unit, baseline, ratio, target, ok) is printed as it is; the
search benchmark's files are turned into rows (p95 per kind of term beside the bare indexed
look-up, the median paired ratio). Prints each file's time so a stale one shows; exits 1 when
any figure misses its target.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import OUT, format_rows, row  # noqa: E402


def search_rows(results: dict) -> list[dict]:
    """The search benchmark as rows: Jiuzhu's p95 beside the bare look-up's, per kind."""
    dialect, cases = results["database"], results["generator"]["cases"]
    limit = 20.0 if dialect == "postgresql" else 100.0
    return [row(f"search {kind} ({cases:,}, {dialect})", r["jiuzhu_p95_ms"], "ms",
                f"p95 ≤ {limit:.0f} ms", r["jiuzhu_p95_ms"] <= limit, r["baseline_p95_ms"],
                r["ratio_median_paired"])
            for kind, r in results["search"].items()]


def rows_of(path: Path) -> list[dict] | None:
    results = json.loads(path.read_text())
    if "rows" in results:
        return results["rows"]
    if "search" in results and "generator" in results:
        return search_rows(results)
    return None


def main() -> int:
    ok, printed = True, False
    for path in sorted(OUT.glob("*.json")):
        rows = rows_of(path)
        when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        if rows is None:
            print(f"\n{path.name} ({when}): no rows to show")
            continue
        print(f"\n{path.name} ({when})")
        print("\n".join(format_rows(rows)))
        ok &= all(r["ok"] for r in rows)
        printed = True
    if not printed:
        print(f"no benchmark results in {OUT}")
        return 1
    print("\nratio: the figure ÷ its baseline in the same run (median of paired rounds where "
          "the benchmark pairs them)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
