"""Settings from the environment with safe defaults; Huey storage follows the settings."""
from __future__ import annotations

import os
import subprocess
import sys


def _run(code: str, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("JIUZHU_") and k != "REDIS_URL"}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_defaults_live_under_instance(tmp_path):
    inst = tmp_path / "inst"
    out = _run("from server import config; c = config.from_environment(); "
               "print(c['DATABASE_URL'], c['DATA_DIR'], c['HUEY_SQLITE_PATH'])",
               JIUZHU_INSTANCE_DIR=str(inst))
    db_url, data_dir, huey_path = out.split()
    assert db_url == f"sqlite:///{inst}/jiuzhu.db"
    assert data_dir == f"{inst}/data" and huey_path == f"{inst}/huey.db"


def test_huey_is_sqlite_by_default_and_redis_when_configured(tmp_path):
    code = "from server.extensions import huey; print(type(huey).__name__)"
    assert _run(code, JIUZHU_INSTANCE_DIR=str(tmp_path)) == "SqliteHuey"
    assert _run(code, JIUZHU_INSTANCE_DIR=str(tmp_path),
                REDIS_URL="redis://127.0.0.1:6399/0") == "RedisHuey"


def test_environment_overrides(tmp_path):
    out = _run("from server import config; c = config.from_environment(); "
               "print(c['DATABASE_URL'], c['SECRET_KEY'], c['MAX_CONTENT_LENGTH'])",
               JIUZHU_INSTANCE_DIR=str(tmp_path), JIUZHU_DATABASE_URL="postgresql://x/y",
               JIUZHU_SECRET_KEY="from-env", JIUZHU_MAX_UPLOAD_MB="5")
    assert out.split() == ["postgresql://x/y", "from-env", str(5 * 1024 * 1024)]
