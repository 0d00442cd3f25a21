"""Backups of a whole instance: the database, the data directory and the keys, with a
manifest of SHA-256 hashes; restoring one into an empty instance; the optional nightly backup.

A backup folder holds ``manifest.json``, the database (``database.sqlite3`` from SQLite's
online backup API, or ``database.pgdump`` from ``pg_dump --format=custom``), ``data/`` (the
data directory) and ``keys/`` (the secret and audit keys, mode 0600). It is written to a
hidden sibling folder and renamed at the end, so a folder with a manifest is always complete.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from huey import crontab
from sqlalchemy import inspect, make_url, text

from .db import db
from .extensions import app_periodic_task

MANIFEST = "manifest.json"
FORMAT = "jiuzhu-backup/1"
KEYS = {"secret_key": ("SECRET_KEY", "JIUZHU_SECRET_KEY"),
        "audit_key": ("AUDIT_KEY", "JIUZHU_AUDIT_KEY")}
CHECKPOINT = "audit_head.json"  # server/audit/operations.py: CHECKPOINT_FILE
CHUNK = 1 << 20


class BackupError(Exception):
    """A refusal or failure, said in one line (Chinese / English) for the operator."""


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the backup folder, with "/"
    size: int
    sha256: str


# -- helpers -------------------------------------------------------------------------------------

def _copy_hashed(src: Path, dst: Path) -> tuple[int, str]:
    """Copy ``src`` to ``dst``; (size, SHA-256) of what was copied (one read: a file replaced
    meanwhile is recorded as copied)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _hash(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _write_private(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def _data_files(root: Path):
    """Files of the data directory worth keeping: not ``*.tmp`` files nor the contents of
    ``.tmp`` folders (writes and bundles in progress)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".tmp" and not d.endswith(".tmp"))
        for name in sorted(files):
            if not name.endswith(".tmp"):
                yield Path(folder) / name


def _pg_bin(name: str) -> str:
    """A PostgreSQL client binary: on PATH, else the newest Debian one."""
    found = shutil.which(name)
    if found:
        return found
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not versions:
        raise BackupError(f"找不到 {name}，请安装 PostgreSQL 客户端 / {name} not found: "
                          "install the PostgreSQL client (postgresql-client)")
    return max(versions, key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
               else 0)


def _pg_args(url: str) -> tuple[str, dict]:
    """A libpq connection URI without the password (which goes in PGPASSWORD, not argv)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    conninfo = parsed.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise BackupError(f"{Path(args[0]).name} 失败 / failed: {tail[0]}")


def _revision() -> str | None:
    from .migrate import state

    return state(current_app)[0]


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jiuzhu")
    except PackageNotFoundError:
        return ""


# -- backup --------------------------------------------------------------------------------------

def _dump_database(url: str, folder: Path) -> str:
    """Write a consistent snapshot of the database into ``folder``; returns its file name."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database).absolute()
        name = "database.sqlite3"
        if not path.is_file():
            raise BackupError(f"找不到数据库文件 / no database file: {path}")
        source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
        target = sqlite3.connect(folder / name)
        try:
            source.backup(target)  # one step: a snapshot while writers go on (WAL)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        except sqlite3.Error as exc:
            raise BackupError(f"数据库备份失败 / database backup failed: {exc}") from exc
        finally:
            target.close()
            source.close()
        return name
    name = "database.pgdump"
    conninfo, env = _pg_args(url)
    _run([_pg_bin("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          "--file", str(folder / name), "--dbname", conninfo], env)
    return name


def create(target: Path) -> Path:
    """Back up this app's instance into the new folder ``target``; returns it.

    Order matters for a consistent whole while the instance is busy: the audit checkpoint is
    read first (so it is never ahead of the database), then the database snapshot, then the
    other files (so every file the snapshot refers to is there; newer files are harmless).
    """
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"备份目录已存在且不是空的 / backup folder exists and is not empty: "
                          f"{target}")
    data = Path(current_app.config["DATA_DIR"]).absolute()
    if target == data or target.is_relative_to(data):
        raise BackupError(f"备份目录不能在数据目录之内 / the backup folder must be outside the data "
                          f"directory {data}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(mode=0o700)
    try:
        config = current_app.config
        entries: list[Entry] = []

        def add(rel: str, hashed: tuple[int, str]) -> None:
            entries.append(Entry(rel, *hashed))

        checkpoint = data / CHECKPOINT
        if checkpoint.exists():
            add(f"data/{CHECKPOINT}", _copy_hashed(checkpoint, tmp / "data" / CHECKPOINT))
        name = _dump_database(config["DATABASE_URL"], tmp)
        add(name, _hash(tmp / name))
        for path in _data_files(data):
            rel = path.relative_to(data).as_posix()
            if rel == CHECKPOINT:
                continue
            try:
                add(f"data/{rel}", _copy_hashed(path, tmp / "data" / rel))
            except FileNotFoundError:
                continue  # removed while we walked: not part of the snapshot
        for key, (setting, _env) in KEYS.items():
            _write_private(tmp / "keys" / key, config[setting])
            add(f"keys/{key}", _hash(tmp / "keys" / key))
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "app_version": _app_version(),
            "migration_revision": _revision(),
            "database": {"dialect": make_url(config["DATABASE_URL"]).get_backend_name(),
                         "file": name},
            "files": [e.__dict__ for e in entries],
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                    encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# -- verify --------------------------------------------------------------------------------------

def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), list):
            raise ValueError(manifest.get("format"))
        for item in manifest["files"]:
            if not (isinstance(item["path"], str) and isinstance(item["size"], int)
                    and isinstance(item["sha256"], str)):
                raise ValueError(item)
        manifest["database"]["file"], manifest["database"]["dialect"]  # noqa: B018 - present
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as exc:
        raise BackupError(f"不是完整的备份（无法读取 {MANIFEST}）/ not a complete backup: "
                          f"cannot read {path} ({type(exc).__name__})") from exc
    return manifest


def verify(folder: Path) -> dict:
    """Re-hash every file against the manifest; raises ``BackupError`` at the first
    difference (missing, extra, changed). Returns the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    listed = set()
    for item in manifest["files"]:
        rel = item["path"]
        if not rel or rel.startswith("/") or ".." in rel.split("/") or "\\" in rel:
            raise BackupError(f"清单中的路径无效 / bad path in the manifest: {rel!r}")
        listed.add(rel)
        path = folder / rel
        if not path.is_file():
            raise BackupError(f"备份缺少文件 / missing from the backup: {rel}")
        if _hash(path) != (item["size"], item["sha256"]):
            raise BackupError(f"备份文件已被改动 / changed since the backup: {rel}")
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in listed:
            raise BackupError(f"备份中多出文件 / not in the manifest: {rel}")
    return manifest


# -- restore -------------------------------------------------------------------------------------

# rows every fresh instance holds (`jiuzhu db upgrade` seeds them): not a sign of use
SEEDED_ROWS = {"relief_item": "NOT is_shipped"}


def _database_rows() -> str | None:
    """The first table of this app's database that holds rows (alembic's own and the seeded
    rows aside)."""
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table == "alembic_version":
                continue
            where = f" WHERE {SEEDED_ROWS[table]}" if table in SEEDED_ROWS else ""
            if conn.execute(text(f'SELECT 1 FROM "{table}"{where} LIMIT 1')).first() is not None:
                return table
    return None


def _check_empty(data: Path) -> None:
    table = _database_rows()
    files = next(iter(_data_files(data)), None) if data.exists() else None
    if table or files:
        what = f"table {table}" if table else f"file {files}"
        raise BackupError(f"目标实例不是空的（{what}），不能恢复到这里；请使用新的实例目录和空数据库 / "
                          f"the target instance is not empty ({what}): restore into a new "
                          "instance directory and an empty database")


def _check_keys(folder: Path) -> None:
    """An audit key given in the environment wins over the restored file: it must match."""
    given = os.environ.get(KEYS["audit_key"][1])
    if given and given != (folder / "keys" / "audit_key").read_text().strip():
        raise BackupError("环境变量 JIUZHU_AUDIT_KEY 与备份中的密钥不同，审计链将无法校验；请取消设置或设为备份中的值 / "
                          "JIUZHU_AUDIT_KEY differs from the backup's key: unset it or set it "
                          "to keys/audit_key of the backup")


def _check_revision(revision: str | None) -> None:
    from alembic.script import ScriptDirectory

    from .migrate import alembic_config

    if revision is not None:  # alembic raises on a revision this code does not know
        ScriptDirectory.from_config(alembic_config(current_app.config["DATABASE_URL"])
                                    ).get_revision(revision)


def _restore_database(url: str, dump: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"{dump.absolute().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(path, timeout=30)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            source.close()
        return
    conninfo, env = _pg_args(url)
    _run([_pg_bin("pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists",
          "--single-transaction", "--exit-on-error", "--dbname", conninfo, str(dump)], env)


def restore(folder: Path) -> dict:
    """Restore the backup ``folder`` into this app's instance, which must be empty.

    Nothing is touched until the backup verified and the target proved empty; the data
    files are copied before the database is replaced, which is one transaction.
    """
    folder = Path(folder)
    try:
        manifest = verify(folder)
    except BackupError as exc:
        raise BackupError(f"备份无法恢复 / cannot restore: {exc}") from exc
    config = current_app.config
    data = Path(config["DATA_DIR"])
    try:
        _check_revision(manifest.get("migration_revision"))
    except Exception as exc:  # alembic: an unknown revision
        raise BackupError(f"备份来自更新的版本，请先升级程序 / the backup is from a newer version "
                          f"(migration {manifest.get('migration_revision')}): upgrade first"
                          ) from exc
    _check_keys(folder)
    _check_empty(data)
    dialect = make_url(config["DATABASE_URL"]).get_backend_name()
    if dialect != manifest["database"]["dialect"]:
        raise BackupError(f"备份的数据库类型为 {manifest['database']['dialect']}，目标为 {dialect} / "
                          f"the backup holds a {manifest['database']['dialect']} database, "
                          f"the target is {dialect}")
    # the files go to a hidden folder inside the data directory first (a full disk fails
    # before the database changed; the data directory may be a mount point, never renamed)
    staging = data / f".restore-{uuid.uuid4().hex[:8]}.tmp"
    try:
        for item in manifest["files"]:
            if item["path"].startswith("data/"):
                dst = staging / item["path"][len("data/"):]
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / item["path"], dst)
        _restore_database(config["DATABASE_URL"], folder / manifest["database"]["file"])
        if staging.exists():
            for entry in staging.iterdir():
                if (data / entry.name).is_dir():  # an empty folder the instance made
                    shutil.rmtree(data / entry.name)
                os.replace(entry, data / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    instance = Path(config["INSTANCE_DIR"])
    for key in KEYS:
        _write_private(instance / key, (folder / "keys" / key).read_text())
    return manifest


# -- nightly -------------------------------------------------------------------------------------

SNAPSHOT_PREFIX = "jiuzhu-"


def snapshot(root: Path, keep: int) -> Path:
    """A new dated backup under ``root``, then only the newest ``keep`` (if > 0) are kept."""
    root = Path(root)
    name = SNAPSHOT_PREFIX + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    made = create(root / name)
    if keep > 0:
        complete = sorted(p for p in root.glob(SNAPSHOT_PREFIX + "*")
                          if (p / MANIFEST).is_file())
        for old in complete[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    return made


@app_periodic_task(crontab(hour="18", minute="30"))  # 02:30 China time (Huey schedules in UTC)
def nightly_backup() -> str | None:
    """The nightly backup into ``JIUZHU_BACKUP_DIR``; off while that is unset."""
    root = current_app.config.get("BACKUP_DIR")
    if not root:
        return None
    return str(snapshot(Path(root), int(current_app.config.get("BACKUP_KEEP") or 0)))
