"""Archive numbers, dual-copy bundles (deterministic, atomic), verify."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

import pytest

from server.archives import bundle, operations, tasks
from server.archives.models import ArchiveJob, JobStatus
from server.archives.verify import verify
from server.db import db
from server.extensions import data_dir

from .factories import make_case


@pytest.fixture
def no_pdf(app):
    app.config["ARCHIVE_PDF"] = "0"


def scan(case, name="idcard.png"):
    """A PNG scan stored the way intake stores it, referenced from a group row of the answers
    (plus a forged reference that points outside the data directory)."""
    from PIL import Image

    from server.intake.operations import store_uploads
    from server.schemas.engine import Result
    from server.schemas.fields import stored_name

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    store_uploads(Result(uploads={digest: data}))
    value = {"name": name, "kind": "png", "content_type": "image/png", "size": len(data),
             "sha256": digest}
    case.answers = {**case.answers, "proofs": [{"scan": value}],
                    "bogus": {"kind": "pdf", "sha256": "../../../../etc/passwd"}}
    return data_dir() / stored_name(value)


def run_job(case):
    job = operations.create_job(region_id=case.region_id, case=case)
    db.session.commit()
    tasks.enqueue(job)
    db.session.expire_all()
    return db.session.get(ArchiveJob, job.id)


def test_archive_numbers_follow_pattern_and_are_assigned_once(demo):
    first, second = make_case(), make_case()
    assert operations.assign_archive_number(first) == "220999-2026-DB-A000001"
    assert operations.assign_archive_number(first) == "220999-2026-DB-A000001"
    assert operations.assign_archive_number(second) == "220999-2026-DB-A000002"
    tk = make_case(relief_type="TK")
    assert operations.assign_archive_number(tk) == "220999-2026-TK-A000001"


def test_pattern_is_configurable_and_validated(demo):
    from ..conftest import region

    county = region("220999000000")
    operations.set_pattern(county, "JZ{year}{type}{seq:04d}")
    assert operations.assign_archive_number(make_case()) == "JZ2026DB0001"
    for bad in ("{county}-{year}", "{nope}-{seq}", "{seq"):
        with pytest.raises(operations.ArchiveError):
            operations.set_pattern(county, bad)


def test_bundle_has_two_copies_manifest_and_verifies(demo, no_pdf):
    case = make_case()
    scan(case)
    job = run_job(case)
    assert job.status == JobStatus.done, job.error
    folder = data_dir() / job.result["dir"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["copies"]) == {"county", "township"}
    for key, label in (("county", "县级存档"), ("township", "乡镇存档")):
        with zipfile.ZipFile(folder / f"{key}.zip") as z:
            names = z.namelist()
            assert "manifest.json" in names and any(n.startswith("scans/") for n in names)
            assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
            inner = json.loads(z.read("manifest.json"))
        assert inner["copy_label"] == label
        assert inner["files"][0]["kind"] == "archive_cover"
    assert verify(folder) == []
    assert not list((data_dir() / "archives" / ".tmp").iterdir())


def test_rebuild_is_identical(demo, no_pdf):
    case = make_case()
    first = run_job(case)
    before = (data_dir() / first.result["dir"] / "manifest.json").read_bytes()
    zip_before = (data_dir() / first.result["dir"] / "county.zip").read_bytes()
    second = run_job(case)
    assert second.result["manifest_sha256"] == first.result["manifest_sha256"]
    assert (data_dir() / second.result["dir"] / "manifest.json").read_bytes() == before
    assert (data_dir() / second.result["dir"] / "county.zip").read_bytes() == zip_before


def test_verify_reports_changed_missing_extra(demo, no_pdf, app):
    from click.testing import CliRunner

    from server.archives.cli import verify_command

    case = make_case()
    folder = data_dir() / run_job(case).result["dir"]
    runner = CliRunner()
    assert runner.invoke(verify_command, [str(folder)]).exit_code == 0
    # tamper with one copy: change a file inside, add one, drop one
    path = folder / "county.zip"
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    first = next(n for n in entries if n.startswith("front/"))
    entries[first] += b"x"
    dropped = next(n for n in entries if n.startswith("front/") and n != first)
    del entries[dropped]
    entries["extra.txt"] = b"hello"
    with zipfile.ZipFile(path, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    (folder / "township.pdf").write_bytes(b"stray")
    problems = {(d.path, d.problem) for d in verify(folder)}
    assert (first, "changed") in problems and (dropped, "missing") in problems
    assert ("extra.txt", "extra") in problems and ("township.pdf", "extra") in problems
    assert ("county.zip", "changed") in problems
    result = runner.invoke(verify_command, [str(path)])
    assert result.exit_code == 1 and "changed" in result.output
    assert runner.invoke(verify_command, [str(folder / "nothing")]).exit_code == 1


def test_failed_build_shows_error_and_leaves_no_bundle(demo, no_pdf, monkeypatch):
    case = make_case()

    def boom(case, kind, options):
        raise ValueError("模板缺少字段")

    monkeypatch.setattr(bundle.sources, "render_archive_document", boom)
    job = run_job(case)
    assert job.status == JobStatus.failed and "模板缺少字段" in job.error
    assert not bundle.bundle_dir(case.archive_number).exists()


def test_transient_error_is_retried_then_marked(demo, no_pdf, monkeypatch):
    case = make_case()

    def busy(*a, **k):
        raise bundle.sources.TransientError("LibreOffice 繁忙")

    monkeypatch.setattr(bundle.sources, "render_archive_document", busy)
    job = run_job(case)
    assert job.status == JobStatus.retrying and "繁忙" in job.error


def test_batch_bundles_cases_decided_in_month(demo, no_pdf):
    from ..conftest import region

    march = [make_case(), make_case(village_code="220999101202")]
    make_case(decided_at=datetime(2026, 2, 27))  # February
    make_case(village_code="220999201201")  # another township
    job = operations.create_job(region_id=region("220999101000").id,
                                month=datetime(2026, 3, 1).date())
    db.session.commit()
    tasks.enqueue(job)
    db.session.expire_all()
    job = db.session.get(ArchiveJob, job.id)
    assert job.status == JobStatus.done, job.error
    assert sorted(job.result["bundled"]) == sorted(c.archive_number for c in march)


def test_stale_tmp_from_killed_build_is_removed(demo, no_pdf):
    case = make_case()
    operations.assign_archive_number(case)
    tmp = data_dir() / "archives" / ".tmp" / f"{bundle.safe_name(case.archive_number)}-dead"
    tmp.mkdir(parents=True)
    (tmp / "county.zip").write_bytes(b"partial")
    run_job(case)
    assert not tmp.exists()


def test_each_front_document_is_rendered_once_for_both_copies(demo, no_pdf, monkeypatch):
    """The cover's second copy swaps the marking; the inventory, not printing it, is reused."""
    case = make_case()
    operations.assign_archive_number(case)
    rendered = []
    render = bundle.sources.render_archive_document

    def counting(case, kind, options):
        rendered.append((kind, options["copy"]))
        return render(case, kind, options)

    monkeypatch.setattr(bundle.sources, "render_archive_document", counting)
    result = bundle.build(case, pdf=False)
    assert rendered == [("archive_cover", "county"), ("file_inventory", "county")]
    front = {}
    for key, copy in result["files"].items():
        with zipfile.ZipFile(data_dir() / copy["zip"]) as z:
            names = sorted(n for n in z.namelist() if n.startswith("front/"))
            front[key] = [z.read(n) for n in names]
    label = bundle.COPY_BY_KEY
    for key, (cover, _inventory) in front.items():
        xml = zipfile.ZipFile(io.BytesIO(cover)).read("word/document.xml").decode()
        assert label[key].label in xml
    assert front["county"][1] == front["township"][1]
    assert bundle.sources.same_for_copies(case, "file_inventory", {"entries": []},
                                          ["county", "township"])
    assert not bundle.sources.same_for_copies(case, "archive_cover", {}, ["county", "township"])
