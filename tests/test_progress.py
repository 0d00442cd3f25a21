"""Waiting on background work: every job page polls a JSON status (static/js/progress.js),
reloads itself without JavaScript (noscript meta refresh), says what was done, and a second
start while the same job runs is refused."""
from __future__ import annotations

import hashlib
import html
from datetime import date

from sqlalchemy import func, select

from server.archives.models import ArchiveJob, JobStatus
from server.db import db
from server.filings.operations import filing_for
from server.roll.models import RollImport

from .conftest import region

TOWNSHIP = "220999101000"
MONTH = date(2026, 3, 1)
NOSCRIPT_REFRESH = '<noscript><meta http-equiv="refresh"'


def _polls(page: str, url: str) -> bool:
    return f'data-progress-url="{url}"' in html.unescape(page) and "js/progress.js" in page


def test_filing_build_page_polls_and_says_what_was_built(login, demo):
    clerk = login("clerk")
    filing = filing_for(region(TOWNSHIP), MONTH)
    filing.build_status = "running"
    db.session.commit()
    url = f"/filings/{filing.id}/build-status"
    page = clerk.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert _polls(page, url) and NOSCRIPT_REFRESH in page
    status = clerk.get(url).json
    assert (status["status_label"], status["progress"], status["is_finished"]) == ("进行中", 50,
                                                                                 False)
    index = clerk.get("/filings/?month=2026-03").get_data(as_text=True)
    assert _polls(index, url) and NOSCRIPT_REFRESH in index
    # a second build while this one runs: refused in Chinese, nothing queued
    again = clerk.post("/filings/build", data={"township_id": filing.region_id,
                                               "month": "2026-03"}, follow_redirects=True)
    assert "正在生成" in again.get_data(as_text=True)
    db.session.expire_all()
    assert filing.build_status == "running"
    # done: the page says what it built and stops refreshing
    filing.build_status = ""
    db.session.commit()
    assert clerk.post("/filings/build", data={"township_id": filing.region_id,
                                              "month": "2026-03"}).status_code == 302
    db.session.expire_all()
    status = clerk.get(url).json
    assert status["is_finished"] and status["progress"] == 100
    assert status["message"].startswith(f"已生成报表和花名册：{filing.roster_count} 户")
    page = clerk.get(f"/filings/{filing.id}").get_data(as_text=True)
    assert "data-progress-done" in page and NOSCRIPT_REFRESH not in page
    assert 'data-once' in clerk.get("/filings/?month=2026-03").get_data(as_text=True)


def test_archive_batch_polls_and_refuses_a_second_start(login, demo):
    clerk = login("clerk")
    township = region(TOWNSHIP)
    job = ArchiveJob(kind="batch", region_id=township.id, month=MONTH, status=JobStatus.running,
                     progress=30, message="3/10")
    db.session.add(job)
    db.session.commit()
    page = clerk.get("/archives/").get_data(as_text=True)
    assert _polls(page, f"/archives/jobs/{job.id}") and NOSCRIPT_REFRESH in page
    assert 'id="start-batch" data-once' in page
    status = clerk.get(f"/archives/jobs/{job.id}").json
    assert (status["status_label"], status["progress"], status["message"]) == ("进行中", 30,
                                                                             "3/10")
    again = clerk.post("/archives/batch", data={"township_id": township.id, "month": "2026-03"},
                       follow_redirects=True)
    assert "正在生成" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ArchiveJob.id))) == 1
    job.status = JobStatus.done
    db.session.commit()
    clerk.post("/archives/batch", data={"township_id": township.id, "month": "2026-03"})
    db.session.expire_all()
    newest = db.session.scalars(select(ArchiveJob).order_by(ArchiveJob.id.desc())).first()
    assert newest.id != job.id and newest.is_finished
    assert clerk.get(f"/archives/jobs/{newest.id}").json["message"].startswith(("已归档", "本月没有"))


def test_roll_import_polls_and_refuses_the_same_file_twice(login, demo):
    admin = login("admin")
    data = "户主姓名\n".encode()
    job = RollImport(region_id=region("220999000000").id, filename="roll.csv",
                     sha256=hashlib.sha256(data).hexdigest(), path="roll/x.csv", is_dry_run=False,
                     status="running", progress=50, message="正在导入 12 户")
    db.session.add(job)
    db.session.commit()
    url = f"/roll/imports/{job.id}/status"
    page = admin.get(f"/roll/imports/{job.id}").get_data(as_text=True)
    assert _polls(page, url) and NOSCRIPT_REFRESH in page
    status = admin.get(url).json
    assert (status["status_label"], status["progress"], status["message"]) == (
        "进行中", 50, "正在导入 12 户")
    assert admin.get("/roll/").get_data(as_text=True).count("data-once") == 2
    from io import BytesIO

    again = admin.post("/roll/imports", data={"action": "import", "file": (BytesIO(data), "r.csv")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "同一文件正在处理" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RollImport.id))) == 1
    job.status, job.message = "done", "已导入 12 户"
    db.session.commit()
    assert admin.get(url).json["is_finished"]
    assert NOSCRIPT_REFRESH not in admin.get(f"/roll/imports/{job.id}").get_data(as_text=True)


def test_base_page_loads_the_one_progress_script(login, demo):
    page = login("clerk").get("/").get_data(as_text=True)
    assert page.count("js/progress.js") == 1
