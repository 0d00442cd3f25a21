"""Intake under load, side by side with a plain Flask + WTForms form (issue 13, point 1).

    .venv/bin/python benchmarks/intake.py [--clients 20] [--seconds 20] [--rounds 3]
    .venv/bin/python tests/pg_cluster.py -- .venv/bin/python benchmarks/intake.py   # PostgreSQL

Starts, on loopback, Jiuzhu (``jiuzhu serve``: gunicorn, 2 workers x 4 threads) on a fresh
migrated demo database and the baseline (``benchmarks/intake_baseline.py``: ~30 fields, one
insert) under the same gunicorn settings, then for each round drives one and then the other
with ``--clients`` concurrent clients posting fresh households (the 低保 form, three members,
new valid ID numbers) for ``--seconds``. Only the submitting POSTs are timed; each client logs
in and fetches its form (CSRF token, villages) once, before the clock starts. Reports
throughput and p95 of both, the ratios per round and their median (the headline), and
writes ``benchmarks/out/intake-*.json``. Targets: throughput ratio >= 0.5 and p95 ratio <= 2. Exits 1 when a POST failed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.load import (  # noqa: E402 - after the path is set
    CSRF,
    DEMO_PASSWORD,
    DEMO_USERS,
    OPTION,
    VILLAGE_SELECT,
    Clerk,
    IdNumbers,
    Stats,
    percentile,
)

OUT = ROOT / "benchmarks" / "out"
GUNICORN = ["--workers", "2", "--threads", "4"]  # the `jiuzhu serve` defaults
TARGET_THROUGHPUT, TARGET_P95 = 0.5, 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited ({process.returncode}) before answering {url}")
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still busy starting
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Poster(Clerk):
    """A client that fetches its form once and then submits households until the deadline."""

    form_path = "/intake/new?type=DB"
    login_first = True

    def prepare(self) -> bool:
        """Log in and fetch the form (CSRF token, villages): before the clock starts."""
        try:
            if self.login_first and not self.login():
                return False
            page = self.request("form", "GET", self.form_path)
        except TimeoutError:
            return False
        token = page is not None and CSRF.search(page.text)
        villages = page is not None and VILLAGE_SELECT.search(page.text)
        self.choices = OPTION.findall(villages.group(1)) if villages else []
        if not token or not self.choices:
            self.wrong_page("form", "no CSRF token or village choices on the form")
            return False
        self.token = token.group(1)
        return True

    def run(self) -> None:
        try:
            for n in range(10 ** 9):
                self.request("submit", "POST", self.form_path, expect=(302,),
                             data=self.household(self.token, self.choices[n % len(self.choices)]))
        except TimeoutError:  # the deadline or the request budget is reached
            pass


class BaselinePoster(Poster):
    form_path = "/"
    login_first = False


def _all(work, clients: int, timeout: float) -> None:
    """``work(i)`` in ``clients`` threads at once, until all are done."""
    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def drive(base: str, poster: type[Poster], clients: int, seconds: float) -> dict:
    """``clients`` concurrent posters for ``seconds``: submits per second and their p95."""
    stats, ids = Stats(), IdNumbers()
    posters = [poster(base, DEMO_USERS[i % len(DEMO_USERS)], DEMO_PASSWORD, stats, ids,
                      time.monotonic() + 300, 10 ** 6, 60.0) for i in range(clients)]
    ready: list = [False] * clients

    def prepare(i):
        ready[i] = posters[i].prepare()

    _all(prepare, clients, 300)  # logins and forms are not what is measured
    started = time.monotonic()
    for p in posters:
        p.deadline = started + seconds
    _all(lambda i: ready[i] and posters[i].run(), clients, seconds + 70)
    elapsed = time.monotonic() - started
    submits = stats.latency.get("submit", [])
    return {"submits": len(submits), "per_second": round(len(submits) / elapsed, 1),
            "p50_ms": round(1000 * percentile(submits, 50)),
            "p95_ms": round(1000 * percentile(submits, 95)),
            "errors": sum(stats.errors.values()), "errors_by_kind": dict(stats.errors),
            "error_examples": stats.examples}


def _jiuzhu_env(work: Path, database_url: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "JIUZHU_DATABASE_URL": database_url,
            "JIUZHU_INSTANCE_DIR": str(work / "instance"), "JIUZHU_DATA_DIR": str(work / "data"),
            "JIUZHU_SECRET_KEY": "bench-intake", "JIUZHU_HUEY_IMMEDIATE": "1"}


def _jiuzhu(*args: str, env: dict, **kwargs):
    command = [sys.executable, "-c", "from server.cli import main; main()", *args]
    return (subprocess.Popen if kwargs.pop("background", False) else subprocess.run)(
        command, cwd=ROOT, env=env, **kwargs)


def start_servers(work: Path, pg_url: str | None) -> tuple[dict, list]:
    """Jiuzhu (migrated, demo county loaded) and the baseline; returns their URLs."""
    env = _jiuzhu_env(work, pg_url or f"sqlite:///{work / 'jiuzhu.db'}")
    for step in (("db", "upgrade"), ("demo-data",)):
        done = _jiuzhu(*step, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"jiuzhu {' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    ports = {"jiuzhu": _free_port(), "baseline": _free_port()}
    processes = [_jiuzhu("serve", "--host", "127.0.0.1", "--port", str(ports["jiuzhu"]),
                         *GUNICORN, "--quiet", env=env, background=True)]
    baseline_env = {**os.environ, "PYTHONPATH": str(ROOT),
                    "BASELINE_DATABASE_URL": pg_url or f"sqlite:///{work / 'baseline.db'}"}
    processes.append(subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{ports['baseline']}",
         *GUNICORN, "--worker-class", "gthread", "--timeout", "120", "--log-level", "warning",
         "benchmarks.intake_baseline:app"], cwd=ROOT, env=baseline_env))
    urls = {name: f"http://127.0.0.1:{port}/" for name, port in ports.items()}
    try:
        for name, process in zip(urls, processes):
            _wait(urls[name] + ("login" if name == "jiuzhu" else ""), process)
    except BaseException:  # one did not come up: leave no server behind
        for process in processes:
            _stop(process)
        raise
    return urls, processes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3, help="paired runs (median reported)")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("JIUZHU_TEST_DATABASE_URL")  # set by tests/pg_cluster.py
    work = Path(tempfile.mkdtemp(prefix="jiuzhu-intake-"))
    processes: list = []
    try:
        urls, processes = start_servers(work, pg_url)
        rounds = []
        for n in range(args.rounds):
            pair = {"baseline": drive(urls["baseline"], BaselinePoster, args.clients,
                                      args.seconds),
                    "jiuzhu": drive(urls["jiuzhu"], Poster, args.clients, args.seconds)}
            pair["throughput_ratio"] = round(pair["jiuzhu"]["per_second"]
                                             / max(pair["baseline"]["per_second"], 1e-9), 3)
            pair["p95_ratio"] = round(pair["jiuzhu"]["p95_ms"]
                                      / max(pair["baseline"]["p95_ms"], 1), 3)
            rounds.append(pair)
            print(f"round {n + 1}: jiuzhu {pair['jiuzhu']['per_second']}/s p95 "
                  f"{pair['jiuzhu']['p95_ms']} ms ({pair['jiuzhu']['errors']} errors) | baseline "
                  f"{pair['baseline']['per_second']}/s p95 {pair['baseline']['p95_ms']} ms | "
                  f"ratios {pair['throughput_ratio']}x throughput, {pair['p95_ratio']}x p95",
                  flush=True)
        result = {"database": "postgresql" if pg_url else "sqlite", "clients": args.clients,
                  "seconds": args.seconds, "rounds": rounds,
                  "median_throughput_ratio": statistics.median(
                      r["throughput_ratio"] for r in rounds),
                  "median_p95_ratio": statistics.median(r["p95_ratio"] for r in rounds)}
        ok = (result["median_throughput_ratio"] >= TARGET_THROUGHPUT
              and result["median_p95_ratio"] <= TARGET_P95)
        print(f"{result['database']}: median paired ratio {result['median_throughput_ratio']}x "
              f"throughput (target >= {TARGET_THROUGHPUT}), {result['median_p95_ratio']}x p95 "
              f"(target <= {TARGET_P95}): {'met' if ok else 'NOT met'}")
        for pair in rounds:
            for name in ("jiuzhu", "baseline"):
                for kind, count in pair[name]["errors_by_kind"].items():
                    print(f"  {name} error {kind}: {count} e.g. "
                          f"{pair[name]['error_examples'].get(kind, '')[:160]}")
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"intake-{result['database']}.json").write_text(
            json.dumps(result, indent=2, ensure_ascii=False))
        failed = any(pair[name]["errors"] for pair in rounds for name in ("jiuzhu", "baseline"))
        return 1 if failed else 0
    finally:
        for process in processes:
            _stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
