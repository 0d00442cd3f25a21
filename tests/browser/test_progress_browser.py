"""In the browser: a job page updates itself to done without a reload; a double click on a
button that starts work starts one job. One live server for the module (each test makes its
own kind of job)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.archives.models import ArchiveJob
from server.documents.models import PrintJob
from server.extensions import huey
from server.regions.models import Region

TOWNSHIP = "220999101000"


pytestmark = pytest.mark.browser


def test_print_pack_page_updates_itself_to_done(open_as, module_live_server):
    live_server = module_live_server
    with live_server.context() as session:
        township = session.scalars(select(Region).where(Region.code == TOWNSHIP)).one()
        job = PrintJob(region_id=township.id, step="acceptance", kinds=["application"],
                       status="running", progress=65, message="正在转换为 PDF")
        session.add(job)
        session.commit()
        job_id = job.id
    page = open_as("clerk")
    page.goto(f"/documents/jobs/{job_id}")
    assert "进行中" in page.inner_text("[data-progress-status]")
    assert page.locator("#job-download").is_hidden()
    page.evaluate("window.notReloaded = true")
    with live_server.context() as session:
        job = session.get(PrintJob, job_id)
        job.status, job.progress, job.message = "done", 100, "已生成 1 份文书，打印包为PDF"
        job.result_path, job.result_type = "packs/none.pdf", "pdf"
        session.commit()
    page.locator("[data-progress-status]", has_text="已完成").wait_for()  # polled, in place
    assert "已生成 1 份文书" in page.inner_text("[data-progress-status]")
    assert page.evaluate("window.notReloaded") is True  # updated in place, not reloaded
    assert page.locator("#job-download").is_visible()
    assert page.get_attribute("#job-download-link", "href") == f"/documents/jobs/{job_id}/download"


@pytest.fixture
def jobs_run_in_request(monkeypatch):
    """Queued tasks run at once (no worker in browser tests, no task left in a queue)."""
    monkeypatch.setattr(huey, "immediate", True)


def test_double_click_starts_one_batch(open_as, module_live_server, jobs_run_in_request):
    live_server = module_live_server
    page = open_as("clerk")
    page.goto("/archives/")
    page.fill("input[name=month]", "2020-01")  # no decided cases: the batch finishes at once
    held = []  # the start request is held while the clerk presses again
    page.route("**/archives/batch", lambda route: held.append(route))
    box = page.locator("#start-batch").bounding_box()
    page.click("#start-batch", no_wait_after=True)
    page.wait_for_timeout(200)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # impatient
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    page.locator("main", has_text="本月没有已决定的案件").wait_for()
    with live_server.context() as session:
        assert session.scalar(select(func.count(ArchiveJob.id))) == 1
    assert "本月没有已决定的案件" in page.inner_text("main")


def test_a_pdf_link_says_the_pdf_is_being_made_while_it_comes(page, browser_login, live_server):
    from server.documents.operations import generate

    from ..archives.factories import make_case

    with live_server.context() as session:
        case = make_case()
        document = generate("application", case)
        session.commit()
        case_id, document_id = case.id, document.id
    browser_login("clerk")
    page.goto(f"/documents/cases/{case_id}")
    # the PDF is slow to come: the navigation is held back (after progress.js saw the click)
    page.evaluate("window.addEventListener('click', e => e.preventDefault())")
    page.click(f'a[href="/documents/{document_id}/pdf"]')
    note = page.locator(".busy-note")
    note.wait_for()
    assert "正在生成 PDF" in note.inner_text()
    assert page.get_attribute(f'a[href="/documents/{document_id}/pdf"]', "aria-busy") == "true"
