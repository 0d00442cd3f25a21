"""`jiuzhu serve` runs a production WSGI server (gunicorn), not the Flask development server;
benchmarks/load.py drives simulated clerks against it."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
JIUZHU = ROOT / ".venv" / "bin" / "jiuzhu"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("Server", ""), response.read()


def test_serve_runs_gunicorn_with_several_workers_and_stops_on_sigterm(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "JIUZHU_INSTANCE_DIR": str(tmp_path / "instance"),
           "JIUZHU_DATABASE_URL": f"sqlite:///{tmp_path / 'jiuzhu.db'}",
           "JIUZHU_HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
           "JIUZHU_DATA_DIR": str(tmp_path / "data"), "JIUZHU_SECRET_KEY": "serve"}
    env.pop("JIUZHU_HUEY_IMMEDIATE", None)
    upgraded = subprocess.run([str(JIUZHU), "db", "upgrade"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    demo = subprocess.run([str(JIUZHU), "demo-data"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr[-2000:]
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 - the child writes into it
    proc = subprocess.Popen([str(JIUZHU), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "2", "--threads", "4"],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, server, _ = _get(base + "/login")
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "server did not answer within 60 s"
                time.sleep(0.2)
        assert status == 200 and "gunicorn" in server.lower()
        with ThreadPoolExecutor(16) as pool:  # many clerks at once: every one answered
            results = list(pool.map(lambda _: _get(base + "/login")[0], range(48)))
        assert results == [200] * 48
        log.seek(0)
        assert "Booting worker" in log.read()
        # one clerk's day for a few seconds: logs in, reads, takes in cases, moves them on
        out = tmp_path / "load.json"
        assert load.main(["--url", base, "--clerks", "1", "--seconds", "4",
                          "--json", str(out)]) == 0
        result = json.loads(out.read_text())
        assert result["errors"] == 0
        assert {"login", "home", "case list", "case page", "search", "intake submit",
                "transition"} <= set(result["actions"])
        assert result["actions"]["intake submit"]["requests"] >= 1
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()[-2000:]


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:5000", "ftp://127.0.0.1"])
def test_load_test_refuses_servers_off_this_machine(url):
    with pytest.raises(SystemExit):
        load.loopback_only(url)


def test_load_test_accepts_loopback_and_reports_percentiles():
    assert load.loopback_only("http://127.0.0.1:5000") == "http://127.0.0.1:5000/"
    values = [i / 1000 for i in range(1, 101)]
    assert [load.percentile(values, p) for p in (50, 95, 99)] == [0.05, 0.095, 0.099]
