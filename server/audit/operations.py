"""Writing to the audit trail. Every operation that changes data records an event here.

The chain is anchored outside its table: hashes are HMACs under ``AUDIT_KEY`` (a file apart
from the database), and after each commit that appended events the head (last id and hash,
itself MAC'd) is written to a checkpoint file in the data directory. ``verify`` then also
catches a cut-off tail, an emptied table and an edit followed by re-hashing.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from ..db import db, lock_for_write, lock_names, utcnow
from .models import AuditEvent

log = logging.getLogger(__name__)

CHECKPOINT_FILE = "audit_head.json"
APPENDED = "jiuzhu_audit_appended"
HEAD = "jiuzhu_audit_head"
CHAIN_LOCK = 727275  # lock_names namespace of the chain head, for writers side by side


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


def _client_address() -> str:
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def _current_actor():
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return None


def record(action: str, obj=None, *, details: dict | None = None, actor=None,
           actor_name: str | None = None, region_id: int | None = None) -> AuditEvent:
    """Append an event to the hash chain (in the caller's transaction)."""
    session = db.session
    actor = actor or _current_actor()
    lock_for_write(session)  # so each event links to the true predecessor
    # writers side by side (intake) queue here for the head, as late as they can: the last
    # lock they take, held only through what is left of the transaction
    lock_names(CHAIN_LOCK, ("head",), session)
    session.flush()
    prev = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if region_id is None and obj is not None:
        region_id = getattr(obj, "region_id", None)
    if region_id is None and actor is not None:
        region_id = actor.region_id
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor_name or (actor.username if actor is not None else "system"),
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        region_id=region_id,
        created_at=utcnow(),
        details=details or {},
        client_address=_client_address(),
        prev_hash=prev or "",
    )
    event.hash = event.compute_hash(audit_key())
    session.add(event)
    session.flush()
    session.info[APPENDED] = event
    return event


# -- the checkpoint file ------------------------------------------------------------------------

def _checkpoint_path() -> Path:
    return Path(current_app.config["DATA_DIR"]) / CHECKPOINT_FILE


def _checkpoint_mac(event_id: int, event_hash: str) -> str:
    return hmac.new(audit_key(), f"{event_id}:{event_hash}".encode(), hashlib.sha256).hexdigest()


def read_checkpoint() -> dict | None:
    """The checkpoint as written (``mac_ok`` says whether it was made with our key)."""
    path = _checkpoint_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        event_id, event_hash = int(data["id"]), str(data["hash"])
    except (ValueError, KeyError, TypeError):
        return {"id": 0, "hash": "", "mac_ok": False}
    ok = hmac.compare_digest(str(data.get("mac", "")), _checkpoint_mac(event_id, event_hash))
    return {"id": event_id, "hash": event_hash, "mac_ok": ok}


def write_checkpoint(head) -> None:
    """Move the checkpoint forward to ``head`` (id, hash), never back, atomically.

    A file lock keeps two processes from writing an older head over a newer one.
    """
    path = _checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_checkpoint()
        if current is not None and current["mac_ok"] and current["id"] >= head[0]:
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"id": head[0], "hash": head[1],
                                   "mac": _checkpoint_mac(head[0], head[1]),
                                   "written_at": utcnow().isoformat(timespec="seconds")}),
                       encoding="utf-8")
        os.replace(tmp, path)


@sa_event.listens_for(db.session, "before_commit")
def _head_before_commit(session):
    """Still under the write lock: the newest event is this transaction's true head (an
    event of a rolled-back savepoint is not: then the head is read back)."""
    last = session.info.pop(APPENDED, None)
    if last is not None:
        session.flush()
        if sa_inspect(last).persistent:
            session.info[HEAD] = (last.id, last.hash)
            return
        session.info[HEAD] = tuple(session.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).one())


@sa_event.listens_for(db.session, "after_commit")
def _checkpoint_after_commit(session):
    head = session.info.pop(HEAD, None)
    if head is None or not has_app_context():
        return
    try:
        write_checkpoint(head)
    except OSError:  # the events are committed; the next commit moves the checkpoint on
        log.exception("could not write the audit checkpoint")
        with contextlib.suppress(OSError):
            _checkpoint_path().with_suffix(".tmp").unlink()


# -- verifying ----------------------------------------------------------------------------------

def verify_chain() -> tuple[int, AuditEvent | None]:
    """Walk the chain in order. Returns (events checked, first broken event or None).

    Events from before the chain was keyed (plain SHA-256) are accepted only as a prefix:
    after the first keyed event every event must carry a valid HMAC.
    """
    key, keyed = audit_key(), False
    prev_hash, count = "", 0
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(500):
        if event.prev_hash != prev_hash:
            return count, event
        if hmac.compare_digest(event.compute_hash(key), event.hash):
            keyed = True
        elif keyed or event.compute_hash() != event.hash:
            return count, event
        prev_hash, count = event.hash, count + 1
    return count, None


@dataclass
class Verdict:
    count: int
    problem: str = ""  # empty when intact
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify() -> Verdict:
    """The chain walk plus its anchor: the table must still reach the checkpointed head."""
    count, broken = verify_chain()
    if broken is not None:
        return Verdict(count, f"审计链在第 {broken.id} 条事件处断裂 / audit chain broken at event "
                              f"{broken.id} ({broken.action}, {broken.created_at:%Y-%m-%d %H:%M:%S})"
                              f" after {count} good events")
    checkpoint = read_checkpoint()
    last = db.session.execute(select(AuditEvent.id, AuditEvent.hash)
                              .order_by(AuditEvent.id.desc()).limit(1)).first()
    if checkpoint is None:
        if last is None:
            return Verdict(0)
        keyed = hmac.compare_digest(
            db.session.get(AuditEvent, last.id).compute_hash(audit_key()), last.hash)
        if keyed:
            return Verdict(count, f"审计链检查点文件缺失 / audit checkpoint missing: "
                                  f"{_checkpoint_path()}")
        return Verdict(count, note="旧版本的审计事件，下一条事件起写入检查点 / events from "
                                   "before the keyed chain; the checkpoint starts with the next")
    if not checkpoint["mac_ok"]:
        return Verdict(count, "审计链检查点无效（被改动或密钥不符）/ audit checkpoint invalid "
                              "(edited, or another AUDIT_KEY)")
    if last is None:
        return Verdict(count, f"审计表已被清空，检查点记录到第 {checkpoint['id']} 条 / audit table "
                              f"empty, the checkpoint records event {checkpoint['id']}")
    if last.id < checkpoint["id"]:
        return Verdict(count, f"审计链末尾被截断：最后一条为第 {last.id} 条，检查点为第 "
                              f"{checkpoint['id']} 条 / audit chain cut short: it ends at event "
                              f"{last.id}, the checkpoint records event {checkpoint['id']}")
    anchored = db.session.get(AuditEvent, checkpoint["id"])
    if anchored is None or anchored.hash != checkpoint["hash"]:
        return Verdict(count, f"第 {checkpoint['id']} 条事件与检查点不符（已被改写）/ event "
                              f"{checkpoint['id']} differs from the checkpoint (re-hashed)")
    return Verdict(count)
