"""Faults of the machine during a request or left behind by a killed process: a Chinese
message (web page and JSON), never a 500, a path or a class name; nothing half-written."""
from __future__ import annotations

import errno
import os
import time

import pytest
from sqlalchemy.exc import OperationalError

from server.cases import queries as case_queries
from server.faults import sweep_stale_tmp


def _locked(*args, **kwargs):
    import sqlite3

    raise OperationalError("SELECT 1", (), sqlite3.OperationalError("database is locked"))


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "/srv/jiuzhu/data/secret/x.docx")


@pytest.mark.parametrize("fault,words", [(_locked, "数据库繁忙"), (_disk_full, "空间已满")])
def test_a_fault_during_a_request_is_a_chinese_503(login, api, monkeypatch, fault, words):
    monkeypatch.setattr(case_queries, "search", fault)
    page = login("clerk").get("/cases/")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and words in text
    assert "/srv" not in text and "OperationalError" not in text and "OSError" not in text
    client, headers = api("clerk")
    response = client.get("/api/v1/cases/", headers=headers)
    assert response.status_code == 503 and words in response.json["message"]
    assert "/srv" not in response.get_data(as_text=True)


def test_worker_start_removes_temporary_files_a_killed_process_left(app, tmp_path):
    from server.extensions import data_dir

    with app.app_context():
        root = data_dir()
    stale = root / "uploads" / "ab" / ".abcdef.pdf.1234.tmp"
    fresh = root / "uploads" / "ab" / ".abcdef.pdf.5678.tmp"
    kept = root / "uploads" / "ab" / "abcdef.pdf"
    for path in (stale, fresh, kept):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1024)
    hours_ago = time.time() - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    os.utime(kept, (hours_ago, hours_ago))
    assert sweep_stale_tmp(root) == 1
    assert not stale.exists() and fresh.exists() and kept.exists()


def test_the_worker_sweeps_on_start(app, monkeypatch):
    from server import worker

    swept = []
    monkeypatch.setattr("server.faults.sweep_stale_tmp", lambda root: swept.append(root) or 0)
    monkeypatch.setattr("server.extensions._app_for_task", lambda: app)
    worker.recover_interrupted()
    assert len(swept) == 1
