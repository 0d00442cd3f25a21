"""Run a command against a throwaway PostgreSQL 15 cluster.

    python tests/pg_cluster.py -- pytest -q

Starts ``initdb``/``pg_ctl`` on a temporary directory and a free port, sets
``JIUZHU_TEST_DATABASE_URL`` for the command, then stops the cluster and removes it.
As root the server runs as the ``postgres`` system user (PostgreSQL refuses root).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile


def _bin(name: str) -> str:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found: install PostgreSQL 15 (apt-get install postgresql-15)")
    return found if isinstance(found, str) else found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        sys.exit(__doc__)
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = tempfile.mkdtemp(prefix="jiuzhu-pg-")
    data = os.path.join(base, "data")
    if as_user:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o700)
    port = _free_port()
    subprocess.run(as_user + [_bin("initdb"), "-D", data, "-U", "jiuzhu", "--auth=trust",
                              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_user + [_bin("pg_ctl"), "-D", data, "-l", os.path.join(base, "log"), "-w",
                              "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
                              "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        subprocess.run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "jiuzhu",
                        "jiuzhu_test"], check=True)
        env = dict(os.environ, JIUZHU_TEST_DATABASE_URL=(
            f"postgresql+psycopg://jiuzhu@127.0.0.1:{port}/jiuzhu_test"))
        print(f"PostgreSQL cluster on port {port}: {' '.join(argv)}", flush=True)
        return subprocess.run(argv, env=env).returncode
    finally:
        subprocess.run(as_user + [_bin("pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
