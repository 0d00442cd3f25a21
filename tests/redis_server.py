"""A throwaway ``redis-server`` (Debian package ``redis-server``) for the worker tests.

    python tests/redis_server.py -- pytest tests/test_worker_e2e.py -q

Starts ``redis-server`` on a free loopback port in a temporary directory with persistence
off, sets ``JIUZHU_TEST_REDIS_URL`` for the command, then stops the server and removes the
directory. The tests use :func:`running` directly when that variable is not set, so a plain
``pytest`` run starts and stops its own server too.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)
    if not found:
        sys.exit("redis-server not found: install it (apt-get install redis-server, or make sysdeps)")
    return found


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def running(timeout: float = 10.0):
    """Yield the URL of a fresh redis-server; stop it and remove its directory afterwards."""
    base = tempfile.mkdtemp(prefix="jiuzhu-redis-")
    port = _free_port()
    process = subprocess.Popen(
        [_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", base, "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--logfile", os.path.join(base, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while not _ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = open(os.path.join(base, "log"), errors="replace").read()[-2000:]
                raise RuntimeError(f"redis-server did not start on port {port}: {log}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        sys.exit(__doc__)
    with running() as url:
        print(f"redis-server on {url}: {' '.join(argv)}", flush=True)
        return subprocess.run(argv, env=dict(os.environ, JIUZHU_TEST_REDIS_URL=url)).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
