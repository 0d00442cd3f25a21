"""Faults of the machine (disk full, read-only data directory, database busy), said to the user
in Chinese without paths or tracebacks, and file writes that leave nothing half-written.

Jobs store ``user_message(exc)`` where the user reads it and log the technical text.
"""
from __future__ import annotations

import errno
import os
import re
import sqlite3
import time
import uuid
from pathlib import Path

# The disk or directory needs an administrator: retrying the same write does not help.
# ENOTDIR/EISDIR/EEXIST: a file sits where a folder must be (mkdir with exist_ok raises EEXIST).
LAYOUT_ERRNOS = {errno.ENOTDIR, errno.EISDIR, errno.EEXIST}
STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM,
                  getattr(errno, "EDQUOT", errno.ENOSPC)} | LAYOUT_ERRNOS
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PATH = re.compile(r"(^|[\s'\"(])(/|[A-Za-z]:\\)[^\s]*")


class UserFacing(Exception):
    """Marker base: the exception's text is already a message meant for the user."""


def is_storage_fault(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def user_message(exc: BaseException) -> str:
    """What the user is told about a failed job: Chinese, no path, no class name."""
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return "数据目录空间已满，文件未能保存。请联系管理员清理磁盘后重试。"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "数据目录不可写（只读或没有权限），文件未能保存。请联系管理员处理后重试。"
        if exc.errno in LAYOUT_ERRNOS:
            return "数据目录中的文件夹结构异常，文件未能保存。请联系管理员处理后重试。"
        return "读写数据文件失败，文件未能保存。请稍后重试；如仍失败请联系管理员。"
    if isinstance(exc, (OperationalError, sqlite3.OperationalError)):  # also Huey's queue
        text = str(getattr(exc, "orig", exc)).lower()
        if "locked" in text or "busy" in text:
            return "数据库繁忙（正被其他操作占用），将自动重试。"
        return "数据库暂时无法访问，将自动重试；如持续出现请联系管理员。"
    if isinstance(exc, UserFacing) or _reads_as_chinese(str(exc)):
        return str(exc)[:1000]
    return "处理失败，错误详情已记入服务器日志。请联系管理员。"


def _reads_as_chinese(text: str) -> bool:
    """A refusal another room wrote for the user (Chinese, no file path in it)."""
    return bool(_CJK.search(text)) and not _PATH.search(text)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary sibling renamed into place, removed
    again when anything fails (a full or read-only disk leaves no ``.tmp`` behind)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


STALE_TMP_SECONDS = 3600  # no write of ours takes an hour: an older .tmp was left by a kill


def sweep_stale_tmp(root: Path, older_than: float = STALE_TMP_SECONDS) -> int:
    """Remove the ``*.tmp`` files a killed process left under ``root`` (a web process killed
    in the middle of an upload cannot run its own clean-up); returns how many went."""
    removed, cutoff = 0, time.time() - older_than
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            try:
                if name.endswith(".tmp") and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # gone already, or not ours to remove: the next start tries again
    return removed
