"""PDF through LibreOffice headless: one soffice process per batch, a private profile per worker.

Concurrent soffice processes sharing a profile block each other, so each conversion claims a
private ``-env:UserInstallation`` directory (a flock'd slot, reused warm). Every soffice runs
with ``fonts.conf`` as its fontconfig file, which maps the Windows fonts the templates name
(仿宋, 方正小标宋…) to Noto CJK SC (otherwise fontconfig picks the Japanese glyph variants).
A hung soffice is killed with its process group.

Batch work (archive bundles) goes to a warm converter instead where the system Python has the
UNO bindings (python3-uno): one soffice listener per worker process, kept running between
conversions (``uno_worker.py``), restarted when it dies; the one-shot soffice when it is busy
(another thread) or cannot start. A page's PDF stays one-shot (no listener start-up to wait
for). ``SOFFICE_WARM = False`` turns it off.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..jobs import stored_messages

log = logging.getLogger(__name__)

# The fonts the templates name, mapped to Noto CJK SC for soffice (see the file's comments)
FONTS_CONF = Path(__file__).with_name("fonts.conf")


# what the clerk is told (print jobs store these on their rows: registered with jobs)
TOO_MANY = _l("Too many PDF conversions at once; please try again later")
NOT_FOUND = _l("LibreOffice was not found, so no PDF can be made for now: download the Word "
               "file and print it (an administrator can check the SOFFICE setting)")
NOT_STARTED = _l("LibreOffice could not be started, so no PDF can be made for now: download "
                 "the Word file and print it")


def timed_out(seconds: int):
    return _l("LibreOffice did not finish converting within %(seconds)s seconds and was "
              "stopped", seconds=seconds)


def not_converted(count: int):
    return _l("LibreOffice could not convert %(count)s files; try again later or download the "
              "Word files and print them", count=count)


stored_messages(TOO_MANY, NOT_FOUND, NOT_STARTED, timed_out(0), not_converted(0))


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
    raise PdfFailed(TOO_MANY)


def soffice_binary() -> str:
    from .queries import soffice_path

    binary = soffice_path()
    if binary is None:
        log.warning("LibreOffice not found (SOFFICE=%s)", current_app.config.get("SOFFICE"))
        raise PdfUnavailable(NOT_FOUND)
    return binary


def converter_env() -> dict[str, str]:
    """soffice's environment: ours, with the font mapping (whatever profile slot it runs in)."""
    return {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}


def convert(paths: list[Path], outdir: Path, timeout: int | None = None, *,
            warm: bool = False) -> list[Path]:
    """Convert .docx files to PDF in one soffice run; the PDFs in order. ``warm``: batch work
    (archive bundles) uses the warm converters, started on first use and kept for the next.
    Otherwise (a page's PDF, a user waiting) the converter ``warm_up`` started at boot serves
    it when there is one (waiting while it is busy or still starting: never longer than a
    start of its own), and a one-shot soffice when there is none."""
    if not paths:
        return []
    binary = soffice_binary()
    timeout = timeout or current_app.config.get("SOFFICE_TIMEOUT", 120)
    outdir.mkdir(parents=True, exist_ok=True)
    if current_app.config.get("SOFFICE_WARM", True):
        made = (WARM.convert(binary, paths, outdir, timeout) if warm else
                WARM.converters[0].convert(binary, paths, outdir, timeout,
                                           wait=start_timeout(timeout) + 5, start=False))
        if made is not None:
            return made
    return _convert_once(binary, paths, outdir, timeout)


def warm_up(converters: int = 1) -> None:
    """Start ``converters`` warm converters in the background (a server or worker booting), so
    the first PDF a user asks for does not wait for a cold soffice; each is primed with one
    conversion (LibreOffice's first document loads its filters). Needs an app context."""
    if not current_app.config.get("SOFFICE_WARM", True):
        return
    try:
        binary = soffice_binary()
    except PdfUnavailable:
        return
    from .queries import builtin_path

    timeout = current_app.config.get("SOFFICE_TIMEOUT", 120)
    for converter in WARM.converters[:converters]:
        converter.warm_up(binary, timeout, builtin_path("acceptance_slip"))


def _convert_once(binary: str, paths: list[Path], outdir: Path, timeout: int) -> list[Path]:
    """One soffice process for the batch (started cold, in a private profile slot)."""
    with _private_profile() as profile:
        command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to",
                   "pdf", "--outdir", str(outdir), *map(str, paths)]
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       start_new_session=True, env=converter_env())
        except OSError as exc:  # the message names server paths: log it, tell the clerk less
            log.warning("cannot start LibreOffice: %s", exc)
            raise PdfUnavailable(NOT_STARTED) from exc
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfFailed(timed_out(timeout)) from None
    results = [outdir / (Path(p).stem + ".pdf") for p in paths]
    missing = [r.name for r in results if not r.exists()]
    if process.returncode != 0 or missing:
        log.warning("LibreOffice failed (exit %s): %s", process.returncode,
                    stderr.decode("utf-8", "replace").strip()[-2000:])
        raise PdfFailed(not_converted(len(missing) or len(paths)))
    return results


# -- the warm converter -----------------------------------------------------------------------

WORKER = Path(__file__).with_name("uno_worker.py")
UNO_PYTHONS = ("/usr/bin/python3", "/usr/local/bin/python3")
RETRY_AFTER = 60  # seconds before trying again to start a converter that would not start


def start_timeout(timeout: int) -> int:
    """Seconds a warm converter may take to start (then it counts as failed)."""
    return min(timeout, 30)


def uno_python() -> str | None:
    """The first system Python that imports ``uno`` (python3-uno), or None."""
    for python in UNO_PYTHONS:
        if os.access(python, os.X_OK) and subprocess.run(
                [python, "-c", "import uno"], capture_output=True).returncode == 0:
            return python
    return None


class WarmConverter:
    """One long-lived soffice (through ``uno_worker.py``) per process, shared by every
    conversion of a batch; it holds a profile slot while it lives."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.binary = None
        self.slot = None
        self.python = False  # not looked up yet
        self.failed_at = {}
        self.closing = False
        self.starting = False  # by ``warm_up``, in a background thread

    def convert(self, binary: str, paths: list[Path], outdir: Path, timeout: int, *,
                wait: float = 0, start: bool = True):
        """The PDFs, or None when the warm converter is unavailable or stays busy longer than
        ``wait`` seconds (use soffice). ``start``: start it when it is not running. While it
        starts at boot (``warm_up``), waiting for it beats starting another soffice."""
        if self.starting:
            wait = max(wait, start_timeout(timeout) + 5)
        if not (self.lock.acquire(timeout=wait) if wait else self.lock.acquire(blocking=False)):
            return None
        try:
            if self._alive(binary) or (start and self._start(binary, timeout)):
                return self._convert(paths, outdir, timeout)
            return None
        finally:
            self.lock.release()

    def warm_up(self, binary: str, timeout: int, primer: Path) -> None:
        """Start and prime the converter in a background thread (holding it meanwhile, so a
        page that asks waits for it rather than for a cold soffice of its own)."""
        if self._alive(binary) or not self.lock.acquire(blocking=False):
            return
        self.starting = True

        def start():
            try:
                if self._start(binary, timeout):
                    with tempfile.TemporaryDirectory() as work:
                        sample = Path(work) / "warm-up.docx"
                        sample.write_bytes(primer.read_bytes())
                        self._convert([sample], Path(work), timeout)
            except (PdfFailed, OSError) as exc:
                log.warning("warming LibreOffice up failed: %s", exc)
            finally:
                self.starting = False
                self.lock.release()

        threading.Thread(target=start, name="soffice-warm-up", daemon=True).start()

    def _convert(self, paths: list[Path], outdir: Path, timeout: int):
        reply = self._ask({"inputs": [str(p) for p in paths], "outdir": str(outdir)}, timeout)
        if reply is None:  # hung or died: killed (restarted next time); fail like soffice
            raise PdfFailed(timed_out(timeout))
        if "error" in reply:
            log.warning("warm converter failed, falling back to soffice: %s",
                        reply["error"][-2000:])
            return None
        return [Path(p) for p in reply["pdfs"]]

    def _failed_lately(self, binary: str) -> bool:
        return time.monotonic() - self.failed_at.get(binary, -RETRY_AFTER) < RETRY_AFTER

    def _alive(self, binary: str) -> bool:
        return self.process is not None and self.process.poll() is None and self.binary == binary

    def _start(self, binary: str, timeout: int) -> bool:
        self.stop()
        if self._failed_lately(binary):
            return False
        if self.python is False:
            self.python = uno_python()
        if self.python is None:
            return False
        self.slot = _private_profile()
        profile = self.slot.__enter__()
        self.binary = binary
        self.process = subprocess.Popen(
            [self.python, str(WORKER), binary, profile.as_uri(), f"jiuzhu-{uuid.uuid4().hex}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**converter_env(), "JIUZHU_WARM_START_TIMEOUT": str(start_timeout(timeout))})
        ready = self._read(start_timeout(timeout) + 5)
        if not (ready or {}).get("ready"):
            if not self.closing:  # else killed by the process ending: nothing to report
                log.warning("warm LibreOffice did not start; using one soffice per batch")
            self.failed_at[binary] = time.monotonic()
            self.stop()
            return False
        return True

    def _ask(self, request: dict, timeout: int):
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except OSError:
            self.stop()
            return None
        reply = self._read(timeout)
        if reply is None:
            self.stop()
        return reply

    def _read(self, timeout: float):
        """One JSON line from the worker within the timeout, else None."""
        fd, line, deadline = self.process.stdout.fileno(), b"", time.monotonic() + timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            try:
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    return None
                chunk = os.read(fd, 65536)
            except (OSError, ValueError):  # closed by ``shutdown`` meanwhile
                return None
            if not chunk:
                return None
            line += chunk
        return json.loads(line)

    def shutdown(self) -> None:
        """The process is ending: end the converter, even one still starting in another
        thread (which then cleans up after it, quietly)."""
        self.closing = True
        if self.lock.acquire(blocking=False):
            try:
                self.stop()
            finally:
                self.lock.release()
        elif (process := self.process) is not None:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)

    def stop(self) -> None:
        """End the worker and its soffice (the whole process group) and free the slot."""
        if self.process is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
            self.process = None
        if self.slot is not None:
            self.slot.__exit__(None, None, None)
            self.slot = None


class WarmPool:
    """One warm converter per core (``SOFFICE_WARM_PROCESSES``): a batch's documents are
    split between them, so the conversions of a bundle run side by side."""

    def __init__(self, size: int):
        self.converters = [WarmConverter() for _ in range(max(1, size))]

    @property
    def python(self):
        return self.converters[0].python

    def convert(self, binary: str, paths: list[Path], outdir: Path, timeout: int):
        """The PDFs in order, or None when any share could not be converted warm."""
        shares = [(c, paths[i::len(self.converters)]) for i, c in enumerate(self.converters)]
        shares = [(c, share) for c, share in shares if share]
        if len(shares) == 1:
            made = [shares[0][0].convert(binary, shares[0][1], outdir, timeout)]
        else:
            with ThreadPoolExecutor(len(shares)) as pool:
                made = list(pool.map(lambda cs: cs[0].convert(binary, cs[1], outdir, timeout),
                                     shares))
        if any(m is None for m in made):
            return None
        by_input = {str(p): pdf for (_, share), pdfs in zip(shares, made)
                    for p, pdf in zip(share, pdfs)}
        return [by_input[str(p)] for p in paths]

    def stop(self) -> None:
        for converter in self.converters:
            converter.stop()

    def shutdown(self) -> None:
        for converter in self.converters:
            converter.shutdown()


WARM = WarmPool(int(os.environ.get("JIUZHU_SOFFICE_WARM_PROCESSES", 0) or
                    min(2, os.cpu_count() or 1)))
atexit.register(WARM.shutdown)
