"""PDF through LibreOffice, the print pack task, and the paths without (or with a hung) soffice."""
from __future__ import annotations

import io
import subprocess
import time

import pytest
from pypdf import PdfReader

from server.db import db
from server.documents import operations
from server.documents.models import PrintJob
from server.documents.pdf import PdfFailed, PdfUnavailable, convert
from server.relief import ReliefCode

from .conftest import docx_text


@pytest.mark.pdf
def test_pdf_conversion_contains_the_applicant(cases, tmp_path):
    case = cases[ReliefCode.DB]
    document = operations.generate("application", case)
    pdf = operations.ensure_pdf(document)
    db.session.commit()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert case.applicant_name in text and "社会救助申请书" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    assert document.pdf_path and operations.ensure_pdf(document) == pdf  # cached


@pytest.mark.pdf
def test_acceptance_print_pack_is_one_merged_pdf(login, cases):
    case = cases[ReliefCode.DB]
    client = login("clerk")
    response = client.post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    status = client.get(job_url + "/status").json
    assert status["status"] == "done" and status["progress"] == 100 and status["result_type"] == "pdf"
    pdf = client.get(status["download_url"])
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages)
    for title in ("受理回执", "一次性告知书", "社会救助申请书", "核对授权书", "承诺书"):
        assert title in text
    assert len(reader.pages) >= 5
    page = client.get(job_url).get_data(as_text=True)
    assert "data-progress-url" in page and 'id="job-download"' in page


def test_without_soffice_the_pack_is_a_docx_zip_and_the_page_says_why(app, login, cases):
    app.config["SOFFICE"] = "/nonexistent/soffice"
    case = cases[ReliefCode.DB]
    client = login("clerk")
    page = client.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    assert 'id="pdf-missing"' in page and "soffice" in page
    client.post(f"/documents/cases/{case.id}/generate", data={"kind": "application"})
    document = operations.generate("application", case)
    db.session.commit()
    response = client.get(f"/documents/{document.id}/pdf")
    assert response.status_code == 302
    assert client.get(f"/documents/{document.id}/docx").status_code == 200
    response = client.post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"})
    status = client.get(response.headers["Location"] + "/status").json
    assert status["status"] == "done" and status["result_type"] == "zip"
    assert "LibreOffice" in status["error"]
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(client.get(status["download_url"]).data))
    assert len(archive.namelist()) == 5
    with pytest.raises(PdfUnavailable):
        convert([operations.document_file(document)], app.config["DATA_DIR"] and
                operations.document_file(document).parent)


def test_a_hung_soffice_is_killed_and_reported(app, tmp_path, cases):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 60 &\nsleep 60\n")
    fake.chmod(0o755)
    app.config.update(SOFFICE=str(fake), SOFFICE_TIMEOUT=1)
    source = tmp_path / "a.docx"
    source.write_bytes(operations.render_kind("application", cases[ReliefCode.DB]))
    started = time.monotonic()
    with pytest.raises(PdfFailed, match="超过 1 秒"):
        convert([source], tmp_path / "out")
    assert time.monotonic() - started < 10
    leftover = subprocess.run(["pgrep", "-f", str(fake)], capture_output=True, text=True).stdout
    assert not leftover.strip()  # the whole process group is gone


def test_print_job_failure_is_reported(app, cases, user):
    app.config["SOFFICE"] = "/nonexistent/soffice"
    case = cases[ReliefCode.DB]
    job = operations.create_print_job(case, "acceptance", user("clerk"))
    job.kinds = ["no_such_kind"]
    db.session.commit()
    from server.documents.tasks import build_print_pack

    build_print_pack(job.id)
    job = db.session.get(PrintJob, job.id)
    assert job.status == "failed" and job.error and job.progress == 100
    assert docx_text  # the module helper stays importable for other tests


@pytest.mark.pdf
def test_the_first_pdf_on_a_page_is_served_within_3_seconds_from_a_cold_app(
        app, login, cases, monkeypatch):
    """The web process starts its converter when it boots (``pdf.warm_up``, as `jiuzhu serve`
    does), so no PDF a clerk asks for waits for a cold soffice of its own (2–5 s on a loaded
    machine): a click while the server is still booting waits for that converter, and the
    link says the PDF is being made while it comes."""
    from server.documents import pdf

    pdf.WARM.stop()  # a cold app: no converter running yet
    case = cases[ReliefCode.DB]
    client = login("clerk")
    documents = [operations.generate(kind, case)
                 for kind in ("application", "commitment", "authorization")]
    db.session.commit()

    def no_cold_start(*args):
        raise AssertionError("a cold soffice was started for a page's PDF")

    monkeypatch.setattr(pdf, "_convert_once", no_cold_start)
    booted = time.perf_counter()
    pdf.warm_up()  # what the web server and the worker do when they start
    page = client.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    assert f'href="/documents/{documents[0].id}/pdf" data-busy=' in page  # "正在生成 PDF…"
    times = []
    for document in documents:
        started = time.perf_counter()
        response = client.get(f"/documents/{document.id}/pdf")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        if len(times) == 1:
            up = time.perf_counter() - booted
    print(f"boot to the first PDF served {up:.2f} s; "
          f"PDF requests {', '.join(f'{t:.2f}' for t in times)} s")
    assert max(times[1:]) < 3.0  # the first PDF of a document once the server is up
    pdf.WARM.stop()
