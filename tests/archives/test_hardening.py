"""Archive numbers that cannot pass for case numbers, lookups by either number, bundles that
never file an empty 卷内目录, and faults (full or read-only disk, corrupt ZIP) said in Chinese
without paths and without leftovers."""
from __future__ import annotations

import errno
import json
import os
import re
import zipfile
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server.archives import bundle, operations, tasks
from server.archives.cli import verify_command
from server.archives.models import ArchiveJob, JobStatus
from server.db import db
from server.documents.models import GeneratedDocument
from server.extensions import data_dir

from ..conftest import region
from .factories import make_case
from .test_bundle import run_job

CASE_NUMBER = re.compile(r"^\d{6}-\d{4}-[A-Z]{2}-\d{6}$")


@pytest.fixture(autouse=True)
def no_pdf(app):
    app.config["ARCHIVE_PDF"] = "0"


def test_default_archive_number_is_visibly_not_a_case_number(demo):
    from server.cases.models import Case

    cases = [make_case() for _ in range(3)]
    for i, case in enumerate(cases, 1):
        case.case_number = f"220999-2026-DB-{900 + i:06d}"
    db.session.flush()
    number = operations.assign_archive_number(cases[2])
    assert number == "220999-2026-DB-A000001"
    assert not CASE_NUMBER.match(number)
    assert number not in set(db.session.scalars(select(Case.case_number)))


def test_pattern_producing_case_numbers_is_refused(demo):
    from server.archives.models import ArchiveSettings

    county = region("220999000000")
    with pytest.raises(operations.ArchiveError, match="案件编号"):
        operations.set_pattern(county, "{county}-{year}-{type}-{seq:06d}")
    # a pattern saved before the rule gives way to the default
    db.session.add(ArchiveSettings(county_id=county.id,
                                   number_pattern="{county}-{year}-{type}-{seq:06d}"))
    db.session.flush()
    assert operations.assign_archive_number(make_case()) == "220999-2026-DB-A000001"


def test_lookup_takes_either_number_and_says_which(login, api, demo):
    case = make_case()
    case.case_number = "220999-2026-DB-000909"
    operations.assign_archive_number(case)
    db.session.commit()
    client = login("clerk")
    for number, word in ((case.archive_number, "档案号"), (case.case_number, "案件编号")):
        response = client.get(f"/archives/lookup?number={number}", follow_redirects=True)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert f"按{word}" in page and case.case_number in page
    web, headers = api("clerk")
    for number, kind in ((case.archive_number, "archive_number"), (case.case_number, "case_number")):
        found = web.get(f"/api/v1/archives/lookup?number={number}", headers=headers)
        assert found.status_code == 200 and found.json["matched"] == kind
        assert found.json["case_id"] == case.id


def test_case_page_links_to_its_archive(login, demo):
    case = make_case()
    db.session.commit()
    client = login("clerk")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/archives/cases/{case.id}"' in page
    operations.assign_archive_number(case)
    db.session.commit()
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.archive_number in page


def test_bundle_generates_missing_procedure_documents_first(demo):
    case = make_case()
    db.session.commit()
    job = run_job(case)
    assert job.status == JobStatus.done, job.error
    kinds = set(db.session.scalars(select(GeneratedDocument.kind)
                                   .where(GeneratedDocument.case_id == case.id)))
    assert {"acceptance_slip", "application"} <= kinds
    folder = data_dir() / job.result["dir"]
    with zipfile.ZipFile(folder / "county.zip") as z:
        inner = json.loads(z.read("manifest.json"))
    documents = [f for f in inner["files"] if f["path"].startswith("documents/")]
    assert documents, "the 卷内目录 lists no procedure document"


def test_bundle_refuses_listing_documents_it_cannot_generate(demo, monkeypatch):
    from server.documents import operations as documents

    case = make_case()
    db.session.commit()

    def refuse(kind, subject, actor=None, options=None):
        raise documents.DocumentError("模板缺少必填字段")

    monkeypatch.setattr(documents, "generate", refuse)
    job = run_job(case)
    assert job.status == JobStatus.failed
    assert "受理回执" in job.error and "社会救助申请书" in job.error
    assert "尚未生成" in job.error and "模板缺少必填字段" in job.error
    bundles = data_dir() / "archives" / "bundles"
    assert not bundles.exists() or not list(bundles.iterdir())


def test_batch_says_how_many_cases_it_bundled(demo):
    make_case(), make_case(village_code="220999101202")
    job = operations.create_job(region_id=region("220999101000").id,
                                month=datetime(2026, 3, 1).date())
    db.session.commit()
    tasks.enqueue(job)
    db.session.expire_all()
    job = db.session.get(ArchiveJob, job.id)
    assert job.status == JobStatus.done and job.result["count"] == 2
    assert "2" in job.message and "件" in job.message
    empty = operations.create_job(region_id=region("220999101000").id,
                                  month=datetime(2025, 1, 1).date())
    db.session.commit()
    tasks.enqueue(empty)
    db.session.expire_all()
    empty = db.session.get(ArchiveJob, empty.id)
    assert empty.status == JobStatus.done and "没有" in empty.message


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_full_or_read_only_data_dir_fails_job_in_chinese_and_leaves_nothing(
        demo, monkeypatch, login, code):
    case = make_case()
    operations.assign_archive_number(case)
    db.session.commit()
    real_write = bundle._write_zip

    def half_written(target, entries, manifest):
        target.write_bytes(b"PK partial")
        raise OSError(code, os.strerror(code), str(target))

    monkeypatch.setattr(bundle, "_write_zip", half_written)
    job = run_job(case)
    assert job.status == JobStatus.failed  # an administrator must act; no blind retry
    assert "数据目录" in job.error and str(data_dir()) not in job.error
    assert "OSError" not in job.error and "Errno" not in job.error
    tmp = data_dir() / "archives" / ".tmp"
    assert not list(tmp.iterdir())
    assert not bundle.bundle_dir(case.archive_number).exists()
    client = login("clerk")
    for url in (f"/archives/cases/{case.id}", "/archives/", "/"):
        page = client.get(url).get_data(as_text=True)
        assert str(data_dir()) not in page and "OSError" not in page
    assert str(data_dir()) not in json.dumps(client.get(f"/archives/jobs/{job.id}").json)
    monkeypatch.setattr(bundle, "_write_zip", real_write)
    assert run_job(case).status == JobStatus.done


def test_failed_replace_keeps_the_previous_bundle(demo, monkeypatch):
    case = make_case()
    first = run_job(case)
    assert first.status == JobStatus.done
    final = bundle.bundle_dir(case.archive_number)
    before = (final / "manifest.json").read_bytes()
    real_replace = os.replace
    case.case_number = "220999-2026-DB-000998"  # another manifest: the bundle is replaced
    db.session.commit()

    def failing(src, dst):
        if str(dst) == str(final) and "-old-" not in str(src):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(bundle.os, "replace", failing)
    assert run_job(case).status == JobStatus.failed
    assert (final / "manifest.json").read_bytes() == before
    assert not list((data_dir() / "archives" / ".tmp").iterdir())


def test_verify_on_corrupt_zip_prints_one_line_and_fails(demo, tmp_path):
    case = make_case()
    folder = data_dir() / run_job(case).result["dir"]
    runner = CliRunner()
    damaged = tmp_path / "county.zip"
    data = bytearray((folder / "county.zip").read_bytes())
    for i in range(40, len(data) // 2):  # garble entry data, keep the central directory
        data[i] ^= 0x5A
    damaged.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(bytes(data[: len(data) // 3]))
    for path in (damaged, truncated):
        result = runner.invoke(verify_command, [str(path)])
        assert result.exit_code != 0
        assert "Traceback" not in result.output and result.exception is None or \
            isinstance(result.exception, SystemExit)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert lines and all("Traceback" not in line for line in lines)
        assert any("无法读取" in line or "unreadable" in line for line in lines)


def test_queue_on_read_only_data_dir_fails_job_with_message_not_500(login, monkeypatch, demo):
    import sqlite3

    case = make_case()
    db.session.commit()

    def read_only(job_id):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setitem(tasks.TASKS, "case", read_only)
    client = login("clerk")
    response = client.post(f"/archives/cases/{case.id}/bundle", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "数据库" in page and "readonly" not in page
    job = db.session.scalars(select(ArchiveJob)).one()
    assert job.status == JobStatus.failed and "readonly" not in job.error


def test_case_page_stays_up_when_the_archive_folder_cannot_be_made(login, demo):
    case = make_case()
    operations.assign_archive_number(case)
    db.session.commit()
    root = data_dir() / "archives"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    root.write_bytes(b"")  # a file where the folder should be: every mkdir below fails
    client = login("clerk")
    assert client.get(f"/archives/cases/{case.id}").status_code == 200
    client.post(f"/archives/cases/{case.id}/bundle")
    job = db.session.scalars(select(ArchiveJob)).one()
    db.session.refresh(job)
    assert job.status == JobStatus.failed and job.error
    assert str(data_dir()) not in job.error and "Errno" not in job.error
    root.unlink()


def test_bundle_generates_the_documents_of_each_step_the_case_went_through(demo):
    from datetime import date

    from server.cases.models import CaseEvent

    case = make_case(state="refused", refusal_reason="家庭收入高于标准")
    case.events.append(CaseEvent(from_state="decision", to_state="refused", action="refuse",
                                 effective_on=date(2026, 3, 10)))
    db.session.commit()
    job = run_job(case)
    assert job.status == JobStatus.done, job.error
    kinds = set(db.session.scalars(select(GeneratedDocument.kind)
                                   .where(GeneratedDocument.case_id == case.id)))
    assert {"decision_form", "refusal_notice", "acceptance_slip"} <= kinds
    assert "confirmation_notice" not in kinds  # not a step this case went through
