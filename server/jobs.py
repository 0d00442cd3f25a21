"""What every background job shares: leases, recovery after a dead worker, error wording.

A task holds a *lease* (its worker's ``host:pid``, kept in Huey's own storage) while it runs.
When a worker starts it asks each room's registered :class:`Recovery` for its unfinished job
rows; a row is orphaned when no task for it is queued or scheduled and no live worker holds
its lease (a dead pid on this host, or no lease at all). The room then re-enqueues it or marks
it failed with a Chinese message, so no page shows "running" forever.

Rooms register from their ``tasks.py`` (a lower layer than the worker entry point).
"""
from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from huey import signals
from huey.constants import EmptyData
from sqlalchemy.exc import OperationalError

from .extensions import huey
from .faults import is_storage_fault

log = logging.getLogger(__name__)
LEASE = "jiuzhu-lease:"
# A Huey signal that ends a task's run, one way or another: the lease is given back.
_ENDED = (signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR, signals.SIGNAL_CANCELED,
          signals.SIGNAL_EXPIRED, signals.SIGNAL_REVOKED, signals.SIGNAL_LOCKED,
          signals.SIGNAL_INTERRUPTED, signals.SIGNAL_TIMEOUT, signals.SIGNAL_RATE_LIMITED)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease_key(task) -> str:
    return f"{LEASE}{task.name}:{task.args[0] if task.args else ''}"


@huey.signal(signals.SIGNAL_EXECUTING)
def _take_lease(signal, task, *args, **kwargs) -> None:
    huey.storage.put_data(_lease_key(task), worker_identity().encode())


@huey.signal(*_ENDED)
def _give_back_lease(signal, task, *args, **kwargs) -> None:
    huey.storage.delete_data(_lease_key(task))


def _alive(identity: str) -> bool:
    """Whether the worker holding a lease still runs (other hosts are assumed alive).

    Recovery runs before this process takes any task, so a lease naming this very pid was
    left by an earlier process that had the same pid (a restarted container).
    """
    host, _, pid = identity.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Recovery:
    """How a room finds its unfinished jobs and repairs the orphaned ones.

    ``task`` is the Huey task whose first argument is the job id; ``unfinished()`` yields the
    ids of rows not finished (queued, running, retrying); ``repair(id)`` re-enqueues the job or
    marks it failed, committing its own changes.
    """

    task: object
    unfinished: Callable[[], Iterable[int]]
    repair: Callable[[int], None]

    @property
    def name(self) -> str:
        """The name Huey gives the task's messages (and its leases)."""
        return self.task.task_class.__name__


RECOVERIES: list[Recovery] = []


def register_recovery(recovery: Recovery) -> Recovery:
    RECOVERIES.append(recovery)
    return recovery


def _waiting_ids() -> dict[str, set]:
    """Job ids per task name that are queued or scheduled (a retry waiting its delay)."""
    waiting: dict[str, set] = {}
    for task in [*huey.pending(), *huey.scheduled()]:
        if task.args:
            waiting.setdefault(task.name, set()).add(task.args[0])
    return waiting


def orphaned(recovery: Recovery, waiting: dict[str, set] | None = None) -> list[int]:
    """The recovery's unfinished job ids that nobody will ever finish."""
    waiting = _waiting_ids() if waiting is None else waiting
    name = recovery.name
    found = []
    for job_id in recovery.unfinished():
        if job_id in waiting.get(name, ()):
            continue
        holder = huey.storage.peek_data(f"{LEASE}{name}:{job_id}")
        if holder is not EmptyData and _alive(bytes(holder).decode()):
            continue
        found.append(job_id)
    return found


SETTLE_SECONDS = 1.0  # far longer than a task spends between leaving the queue and its lease


def recover(settle: float = SETTLE_SECONDS) -> dict[str, list[int]]:
    """Repair every room's orphaned jobs; called once when a worker process starts.

    A job looks orphaned for a moment while another worker has just taken its task from the
    queue (no lease yet), or while the web process has committed its row but not yet queued
    it; so candidates are looked at again after ``settle`` seconds, in a fresh transaction.
    """
    from .db import db

    candidates = {r: orphaned(r) for r in RECOVERIES}
    if not any(candidates.values()):
        return {}
    db.session.rollback()  # end the read snapshot: the second look sees other processes' work
    time.sleep(settle)
    waiting = _waiting_ids()
    repaired = {}
    for recovery, first in candidates.items():
        ids = sorted(set(first) & set(orphaned(recovery, waiting)))
        for job_id in ids:
            huey.storage.delete_data(f"{LEASE}{recovery.name}:{job_id}")
            recovery.repair(job_id)
        if ids:
            repaired[recovery.name] = ids
            log.info("recovered interrupted %s jobs %s", recovery.name, ids)
    return repaired


# -- status and progress words ------------------------------------------------------------------

UNFINISHED = ("queued", "running", "retrying")  # job statuses a second start must wait for
STATUS_LABELS = {"queued": _l("Queued"), "running": _l("Running"),
                 "retrying": _l("Failed, will retry"), "done": _l("Done"), "failed": _l("Failed")}
# Progress messages tasks store in English (msgids); the UI shows them in the user's language.
PROGRESS_LABELS = {
    "collecting": _l("Collecting the case's documents"),
    "converting documents": _l("Converting documents to PDF"),
    "converting cover and inventory": _l("Converting the cover and the file inventory to PDF"),
    "requeued after an interrupted worker": _l("Queued again after the worker stopped"),
}
_WRITTEN = re.compile(r"^(?P<copy>.+) written$")


def status_label(status) -> str:
    """A job status (string or enum) in the user's language."""
    value = getattr(status, "value", status) or ""
    return str(STATUS_LABELS.get(value, value))


def status_json(status, progress: int, message: str = "", error: str = "", **extra) -> dict:
    """A job's state as static/js/progress.js polls it, in the user's language; ``extra``
    adds the room's fields (``result_url``: the link shown when done, else the page reloads)."""
    value = getattr(status, "value", status) or ""
    return {"status": value, "status_label": status_label(value), "progress": progress,
            "message": progress_label(message), "error": progress_label(error or ""),
            "is_finished": value in ("done", "failed"), **extra}


def progress_label(message: str, patterns: list | None = None) -> str:
    """A stored progress message in the user's language; unknown ones (Chinese already,
    counts such as "3/10") as they are."""
    from flask_babel import gettext as _

    message = message or ""
    if message in PROGRESS_LABELS:
        return str(PROGRESS_LABELS[message])
    written = _WRITTEN.match(message)
    if written:
        return _("%(copy)s written", **_read_back({"copy": written.group("copy")}))
    for msgid, pattern in patterns if patterns is not None else _stored_patterns():
        found = pattern.fullmatch(message)
        if found:
            return _(msgid, **_read_back(found.groupdict()))
    return message


def progress_labels(messages: Iterable[str]) -> list[str]:
    """Many stored messages (a job's problem list) in the user's language, read alike."""
    patterns = _stored_patterns()
    return [progress_label(m, patterns) for m in messages]


VALUE_LABELS: dict[str, Callable[[str], str]] = {}  # placeholder name -> reader's words


def stored_values(**labels: Callable[[str], str]) -> None:
    """Register, per placeholder name, how a value stored in the office's language (data such
    as a document's title) is shown in the reader's: ``label(stored) -> str``."""
    VALUE_LABELS.update(labels)


def _read_back(values: dict[str, str]) -> dict[str, str]:
    return {name: VALUE_LABELS[name](value) if name in VALUE_LABELS else value
            for name, value in values.items()}


STORED_MESSAGES: list[str] = []  # msgids a room stores with ``stored()`` (progress, outcomes)


def stored_messages(*msgids) -> None:
    """Register messages a room stores on job rows in the office's language, so that
    ``progress_label`` shows them in the reader's: ``%(name)s`` values are read back."""
    STORED_MESSAGES.extend(_msgid(m) for m in msgids)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _stored_patterns() -> list[tuple[str, re.Pattern]]:
    """(msgid, pattern of its office-language text with the values as named groups)."""
    from flask import current_app
    from flask_babel import force_locale, get_translations

    out = []
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        translations = get_translations()
        for msgid in STORED_MESSAGES:
            text = translations.gettext(msgid)
            parts = _PLACEHOLDER.split(text)
            # a value is a count, a name or (last) a reason: inside a sentence it holds no
            # Chinese punctuation, so one message's pattern does not swallow another's
            regex = "".join(re.escape(part.replace("%%", "%")) if i % 2 == 0
                            else f"(?P<{part}>.+)" if i == len(parts) - 2 and not parts[-1]
                            else f"(?P<{part}>[^，。；：]+?)" for i, part in enumerate(parts))
            out.append((msgid, re.compile(regex, re.S)))
    return out


# -- error wording -----------------------------------------------------------------------------

INTERRUPTED = _l("The background worker stopped while this job was running; it was not "
                 "finished. Please start it again.")


def _office_language():
    from flask import current_app
    from flask_babel import force_locale

    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN"))


def stored(message, **values) -> str:
    """A message as stored on a job row: in the office's language (zh_CN), whoever reads it
    (a msgid registered with ``stored_messages`` is shown back in the reader's language)."""
    from flask_babel import gettext as _

    with _office_language():
        return _(_msgid(message), **values) if values else str(message)


def stored_error(exc: BaseException) -> str:
    """``faults.user_message(exc)`` as stored on a job row: in the office's language, also
    when the job runs inside an English request (Huey's immediate mode)."""
    from .faults import user_message

    with _office_language():
        return user_message(exc)


def _msgid(message) -> str:
    """The msgid of a lazy string (``_l("…")``), or the text itself."""
    return str(getattr(message, "_args", (message,))[0])


stored_messages(INTERRUPTED)


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: a locked or unreachable database, a busy file system; not a
    full or read-only data directory, which needs an administrator."""
    return isinstance(exc, (OperationalError, OSError)) and not is_storage_fault(exc)

