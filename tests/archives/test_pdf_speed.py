"""Bundles with PDF, fast: trimmed templates print the same pages, unchanged documents reuse
their PDFs, the warm converter is shared by a batch and restarted when it dies."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from server.archives import bundle
from server.archives.operations import assign_archive_number
from server.db import db
from server.documents import operations, pdf
from server.documents.queries import builtin_path
from server.extensions import data_dir

from .factories import make_case

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "doc_templates"))
import build as template_build  # noqa: E402 - doc_templates/build.py, not a package

BUNDLE_KINDS = {"acceptance_slip": {}, "application": {}, "household_survey": {},
                "decision_form": {}, "archive_cover": {"copy": "county"},
                "file_inventory": {"copy": "county", "entries": [
                    {"title": "社会救助申请书", "pages": "1-2", "note": "共2页"}]}}


@pytest.fixture
def with_pdf(app):
    app.config["ARCHIVE_PDF"] = "auto"


def unzipped_size(docx: bytes) -> int:
    return sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(docx)).infolist())


def pdf_text_and_pages(path: Path) -> tuple[str, int]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return text, int(next(line.split()[1] for line in info.splitlines()
                          if line.startswith("Pages:")))


@pytest.mark.pdf
def test_trimmed_templates_print_what_the_untrimmed_ones_printed(demo, tmp_path):
    case = make_case(name="孙八")
    db.session.commit()
    sources = {}
    for trim in (False, True):
        for kind, options in BUNDLE_KINDS.items():
            template = template_build.template_bytes(kind, trim=trim)
            if trim:  # what ships is the trimmed build, ~790 KB of styles lighter
                assert template == builtin_path(kind).read_bytes()
                full = template_build.template_bytes(kind, trim=False)
                assert unzipped_size(template) < unzipped_size(full) / 5
            path = tmp_path / f"{kind}-{'trim' if trim else 'full'}.docx"
            path.write_bytes(operations.render_kind(kind, case, options, template=template))
            sources[kind, trim] = path
    made = dict(zip(sources, pdf.convert(list(sources.values()), tmp_path / "out", warm=True)))
    for kind in BUNDLE_KINDS:
        before, after = pdf_text_and_pages(made[kind, False]), pdf_text_and_pages(made[kind, True])
        assert after == before, kind
        assert case.applicant_name in after[0] or kind in ("archive_cover", "file_inventory")


def counting_conversions(monkeypatch) -> list:
    calls = []
    real = pdf.convert

    def counted(paths, outdir, timeout=None, **kw):
        calls.append(len(paths))
        return real(paths, outdir, timeout, **kw)

    monkeypatch.setattr(pdf, "convert", counted)
    return calls


@pytest.mark.pdf
def test_a_second_bundle_of_an_unchanged_case_reuses_every_pdf(demo, with_pdf, monkeypatch):
    case = make_case()
    assign_archive_number(case)
    db.session.commit()
    calls = counting_conversions(monkeypatch)
    first = bundle.build(case)
    assert calls and sum(calls) >= 3  # documents, then cover and inventory of both copies
    calls.clear()
    second = bundle.build(case)
    assert calls == []  # no soffice at all: every PDF came from the cache by hash
    assert second == first  # and the same bundle, byte for byte (same manifest hash)


@pytest.mark.pdf
def test_the_warm_converter_serves_a_batch_and_comes_back_after_it_dies(app, tmp_path):
    if pdf.uno_python() is None:
        pytest.fail("python3-uno is not installed (Makefile DEBS)")
    source = tmp_path / "a.docx"
    source.write_bytes(builtin_path("acceptance_slip").read_bytes())
    pdf.WARM.stop()
    warm = pdf.WARM.converters[0]  # one document: the first converter of the pool
    [first] = pdf.convert([source], tmp_path / "one", warm=True)
    worker = warm.process
    assert worker is not None and worker.poll() is None  # kept for the next bundle
    [second] = pdf.convert([source], tmp_path / "two", warm=True)
    assert warm.process is worker  # the same converter, not a new soffice
    worker.kill()  # the converter dies between two bundles
    worker.wait()
    [third] = pdf.convert([source], tmp_path / "three", warm=True)
    assert warm.process is not worker and warm.process.poll() is None
    assert pdf_text_and_pages(first) == pdf_text_and_pages(second) == pdf_text_and_pages(third)
    pdf.WARM.stop()
    assert warm.process is None


@pytest.mark.pdf
def test_a_batch_is_split_over_the_warm_converters_in_order(app, tmp_path):
    kinds = ["acceptance_slip", "application", "commitment", "authorization", "proxy_letter"]
    paths = []
    for kind in kinds:
        paths.append(tmp_path / f"{kind}.docx")
        paths[-1].write_bytes(builtin_path(kind).read_bytes())
    made = pdf.convert(paths, tmp_path / "out", warm=True)
    assert [p.stem for p in made] == kinds
    assert len(pdf.WARM.converters) == 1 or all(
        c.process is not None and c.process.poll() is None for c in pdf.WARM.converters)
    titles = ["受理回执", "社会救助申请书", "承诺书", "授权书", "委托书"]
    for path, title in zip(made, titles):
        assert title in pdf_text_and_pages(path)[0].replace(" ", ""), path.name
    pdf.WARM.stop()


def cases_with_documents(*names):
    out = []
    for name in names:
        case = make_case(name=name)
        for kind in ("acceptance_slip", "application", "household_survey"):
            operations.generate(kind, case)
        assign_archive_number(case)
        out.append(case)
    db.session.commit()
    return out


def assert_inventory_pages_match_the_documents(result):
    """The 卷内目录 printed in each copy's PDF lists the page ranges the documents really have."""
    for copy in result["files"].values():
        with zipfile.ZipFile(data_dir() / copy["zip"]) as z:
            manifest = json.loads(z.read(bundle.MANIFEST))
            [inventory] = [n for n in z.namelist() if "file_inventory" in n]
            assert inventory.endswith(".pdf")
            path = data_dir() / "inventory.pdf"
            path.write_bytes(z.read(inventory))
        text = pdf_text_and_pages(path)[0]
        body = [f for f in manifest["files"] if not f["path"].startswith("front/")]
        rows = bundle.inventory_entries([bundle.Entry(f["path"], Path(f["path"]), f["kind"],
                                                      f["title"], f["pages"]) for f in body])
        assert rows and any(f["pages"] > 1 for f in body)  # a range that a wrong count breaks
        for row in rows:
            assert re.search(rf"(?<![\d-]){re.escape(row['pages'])}(?![\d-])", text), row


@pytest.mark.pdf
def test_each_bundle_converts_its_documents_cover_and_inventory_in_one_pass(
        demo, with_pdf, monkeypatch):
    """A kind's page count is learnt by the first bundle that converts it (an empty data
    directory: at most two passes); every later bundle converts in one soffice pass."""
    cases = cases_with_documents("周一", "吴二", "王四")
    calls = counting_conversions(monkeypatch)
    for i, case in enumerate(cases):
        calls.clear()
        result = bundle.build(case)
        assert len(calls) == 1 or (i == 0 and len(calls) == 2), calls
        assert_inventory_pages_match_the_documents(result)
    assert calls[0] == 6  # three documents, two covers, one inventory (same for both copies)


@pytest.mark.pdf
def test_a_wrong_page_guess_converts_the_inventory_again_with_the_real_pages(
        demo, with_pdf, monkeypatch):
    [case] = cases_with_documents("郑三")
    monkeypatch.setattr(bundle.sources, "guess_pages", lambda source: 9)
    calls = counting_conversions(monkeypatch)
    result = bundle.build(case)
    assert len(calls) == 2 and calls[1] == 1  # the inventory alone, once more
    assert_inventory_pages_match_the_documents(result)
    monkeypatch.undo()
    assert bundle.build(case) == result  # byte-identical to a bundle built without a wrong guess


@pytest.mark.pdf
def test_a_batch_right_after_boot_waits_for_the_converters_starting(app, tmp_path, monkeypatch):
    """The worker warms its converters up at boot; a bundle that comes meanwhile waits for
    them instead of starting a cold soffice of its own."""
    pdf.WARM.stop()

    def no_cold_start(*args):
        raise AssertionError("a cold soffice was started beside the converters starting")

    monkeypatch.setattr(pdf, "_convert_once", no_cold_start)
    pdf.warm_up(len(pdf.WARM.converters))
    paths = []
    for kind in ("acceptance_slip", "commitment"):
        paths.append(tmp_path / f"{kind}.docx")
        paths[-1].write_bytes(builtin_path(kind).read_bytes())
    made = pdf.convert(paths, tmp_path / "out", warm=True)
    assert [p.stem for p in made] == ["acceptance_slip", "commitment"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in made)
    pdf.WARM.stop()
