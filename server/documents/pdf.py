"""PDF through LibreOffice headless: one soffice process per batch, a private profile per worker.

Concurrent soffice processes sharing a profile block each other, so each conversion claims a
private ``-env:UserInstallation`` directory (a flock'd slot, reused warm). Every soffice runs
with ``fonts.conf`` as its fontconfig file, which maps the Windows fonts the templates name
(仿宋, 方正小标宋…) to Noto CJK SC (otherwise fontconfig picks the Japanese glyph variants).
A hung soffice is killed with its process group.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

# The fonts the templates name, mapped to Noto CJK SC for soffice (see the file's comments)
FONTS_CONF = Path(__file__).with_name("fonts.conf")


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed (or SOFFICE points nowhere): offer the .docx instead."""


class PdfFailed(RuntimeError):
    """soffice ran but did not produce every PDF (or was killed after the timeout)."""


MAX_PROFILES = 32


@contextlib.contextmanager
def _private_profile():
    """A profile directory no other soffice uses meanwhile, in this or another process.

    Slots are claimed with an exclusive flock, so the number of profile directories stays
    bounded by the peak number of concurrent conversions (and they are reused, warm).
    """
    base = Path(tempfile.gettempdir()) / f"jiuzhu-soffice-{os.getuid()}"
    base.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_PROFILES):
        handle = open(base / f"slot{slot}.lock", "w")  # noqa: SIM115 - held while converting
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        try:
            yield base / f"slot{slot}"
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise PdfFailed("同时进行的 PDF 转换过多，请稍后再试")


def soffice_binary() -> str:
    from .queries import soffice_path

    binary = soffice_path()
    if binary is None:
        log.warning("LibreOffice not found (SOFFICE=%s)", current_app.config.get("SOFFICE"))
        raise PdfUnavailable("未找到 LibreOffice，暂不能生成 PDF，请下载 Word 文档打印"
                             "（管理员可检查 SOFFICE 设置）")
    return binary


def converter_env() -> dict[str, str]:
    """soffice's environment: ours, with the font mapping (whatever profile slot it runs in)."""
    return {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}


def convert(paths: list[Path], outdir: Path, timeout: int | None = None) -> list[Path]:
    """Convert .docx files to PDF in one soffice run; returns the PDF paths in order."""
    if not paths:
        return []
    binary = soffice_binary()
    timeout = timeout or current_app.config.get("SOFFICE_TIMEOUT", 120)
    outdir.mkdir(parents=True, exist_ok=True)
    with _private_profile() as profile:
        command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to",
                   "pdf", "--outdir", str(outdir), *map(str, paths)]
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       start_new_session=True, env=converter_env())
        except OSError as exc:  # the message names server paths: log it, tell the clerk less
            log.warning("cannot start LibreOffice: %s", exc)
            raise PdfUnavailable("无法启动 LibreOffice，暂不能生成 PDF，请下载 Word 文档打印") from exc
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfFailed(f"LibreOffice 转换超过 {timeout} 秒未完成，已终止") from None
    results = [outdir / (Path(p).stem + ".pdf") for p in paths]
    missing = [r.name for r in results if not r.exists()]
    if process.returncode != 0 or missing:
        log.warning("LibreOffice failed (exit %s): %s", process.returncode,
                    stderr.decode("utf-8", "replace").strip()[-2000:])
        raise PdfFailed(f"LibreOffice 未能转换 {len(missing) or len(paths)} 个文件，"
                        "请稍后重试或下载 Word 文档打印")
    return results
