"""`jiuzhu serve` runs a production WSGI server (gunicorn), not the Flask development server;
`make run` (`jiuzhu run`) starts it with the worker and stops both cleanly; benchmarks/load.py
drives simulated clerks against it."""
from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import termios
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


def _instance_env(tmp_path) -> dict[str, str]:
    """The environment of a server on a fresh instance in tmp_path (this worktree's code)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "JIUZHU_INSTANCE_DIR": str(tmp_path / "instance"),
           "JIUZHU_DATABASE_URL": f"sqlite:///{tmp_path / 'jiuzhu.db'}",
           "JIUZHU_HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
           "JIUZHU_DATA_DIR": str(tmp_path / "data"), "JIUZHU_SECRET_KEY": "serve"}
    env.pop("JIUZHU_HUEY_IMMEDIATE", None)
    return env


def _terminate(proc, log, timeout: float = 60) -> int:
    """SIGTERM, and the exit status (the process is killed if it outlives the timeout)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_serve_runs_gunicorn_with_several_workers_and_stops_on_sigterm(tmp_path):
    env = _instance_env(tmp_path)
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
        code = _terminate(proc, log)
    assert code == 0, (tmp_path / "serve.log").read_text()[-2000:]


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:5000", "ftp://127.0.0.1"])
def test_load_test_refuses_servers_off_this_machine(url):
    with pytest.raises(SystemExit):
        load.loopback_only(url)


def test_load_test_accepts_loopback_and_reports_percentiles():
    assert load.loopback_only("http://127.0.0.1:5000") == "http://127.0.0.1:5000/"
    values = [i / 1000 for i in range(1, 101)]
    assert [load.percentile(values, p) for p in (50, 95, 99)] == [0.05, 0.095, 0.099]


def _read_until(fd: int, marker: str, proc, timeout: float) -> str:
    """What the process wrote to its terminal until ``marker`` appeared (or it ended)."""
    out, deadline = b"", time.monotonic() + timeout
    while marker.encode() not in out and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the terminal closed: every process on it ended
                break
            out += chunk
        elif proc.poll() is not None:
            break
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


def _lines(output: str) -> list[str]:
    return [line.replace("^C", "").rstrip() for line in output.splitlines()
            if line.replace("^C", "").strip()]


def _logins() -> list[str]:
    from server.demo import USERS

    return [f"  {username:<11} {name}（" for username, name, *_ in USERS]


def _expect_run_output(lines: list[str], port: int) -> None:
    """Only the URL, the demo logins and how to stop, then the goodbye."""
    assert lines[0] == f"Jiuzhu is running at http://127.0.0.1:{port}/", lines
    assert lines[1] == "Demo logins (password for all: Jiuzhu@2026)"
    logins = _logins()
    assert [line[:len(prefix)] for line, prefix in zip(lines[2:], logins)] == logins
    assert lines[2 + len(logins):] == ["Press Ctrl-C to stop.", "Jiuzhu stopped."], lines


def test_make_run_prints_what_a_user_needs_and_stops_cleanly(tmp_path):
    """Issue 15.8: `make run` under a terminal; Ctrl-C (the terminal's, which reaches make too)
    stops server and worker, make exits 0 without "Interrupt" or "Error"; `jiuzhu run` again on
    the same instance still shows the logins, and SIGTERM stops it with 0 as well."""
    env = _instance_env(tmp_path)
    port = _free_port()
    master, slave = os.openpty()
    # make's own dependencies (the virtualenv, the Debian packages) are there: -o skips them
    proc = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/bin/.installed",
                             "-o", "sysdeps-run", "run", f"PORT={port}"],
                            cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True,  # a session whose terminal is the pty
                            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    try:
        output = _read_until(master, "Press Ctrl-C to stop.", proc, 180)
        assert "Press Ctrl-C to stop." in output, output
        status, server, _ = _get(f"http://127.0.0.1:{port}/login")
        assert status == 200 and "gunicorn" in server.lower()
        os.write(master, b"\x03")  # Ctrl-C: SIGINT to the terminal's foreground group
        code = proc.wait(timeout=60)
        output += _read_until(master, "never", proc, 1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    assert code == 0, output
    _expect_run_output(_lines(output), port)
    with pytest.raises(OSError):
        _get(f"http://127.0.0.1:{port}/login")  # the server is gone with make

    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115 - the child writes into it
    proc = subprocess.Popen([str(JIUZHU), "run", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "Press Ctrl-C" not in (tmp_path / "run.log").read_text():
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "run.log").read_text()
            time.sleep(0.2)
    finally:
        code = _terminate(proc, log)
    assert code == 0
    _expect_run_output(_lines((tmp_path / "run.log").read_text()), port)


def test_run_refuses_a_port_in_use_before_starting_anything(capsys):
    from server.launcher import launch

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert launch("127.0.0.1", port, 1, 1, lambda: None) == 1
    assert f"make run PORT={port + 1}" in capsys.readouterr().err


def test_served_workers_switch_threads_often(monkeypatch):
    """Each worker sets a short GIL switch interval: a request thread back from the database
    holding a row lock others queue for gets on within 0.5 ms, not Python's 5 ms."""
    import sys
    from contextlib import nullcontext
    from types import SimpleNamespace

    import server
    from server.cli import SWITCH_INTERVAL, _gunicorn
    from server.documents import pdf

    app = SimpleNamespace(app_context=nullcontext)
    monkeypatch.setattr(server, "create_app", lambda: app)
    monkeypatch.setattr(pdf, "warm_up", lambda: None)
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        assert _gunicorn("127.0.0.1", _free_port(), 1, 1).load() is app
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    finally:
        sys.setswitchinterval(before)
