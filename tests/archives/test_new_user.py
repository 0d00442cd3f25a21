"""Tried as a new user: bundle a decided case, print both copies, scan the cover barcode into
the lookup page; then file the month for the township, upload a roster with one wrong amount,
see it flagged, fix it and submit."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from server.db import db
from server.documents.rendering import document_text, media

from ..conftest import region
from .factories import make_case


def scan_cover(zip_bytes: bytes) -> tuple[str, str]:
    """(barcode value, text) of the cover inside a copy's ZIP, as a scanner would read it."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        cover = z.read(next(n for n in z.namelist() if "archive_cover" in n))
    images = list(media(cover).values())
    values = [r.data.decode() for img in images for r in decode(Image.open(io.BytesIO(img)))]
    return values[0], document_text(cover)


def test_new_user_archive_and_filing(login, demo, app):
    app.config["ARCHIVE_PDF"] = "0"
    case = make_case(start=date(2026, 3, 1), name="赵六", monthly_fen=72000)
    other = make_case(start=date(2026, 3, 1), name="钱七", monthly_fen=50000)
    db.session.commit()
    clerk = login("clerk")

    # bundle the decided case and fetch both copies
    assert clerk.post(f"/archives/cases/{case.id}/bundle").status_code == 302
    page = clerk.get(f"/archives/cases/{case.id}").get_data(as_text=True)
    assert "县级存档" in page and "乡镇存档" in page
    copies = {}
    for copy in ("county", "township"):
        response = clerk.get(f"/archives/cases/{case.id}/download?copy={copy}&fmt=zip")
        assert response.status_code == 200
        copies[copy] = response.data
        response.close()
    number, county_text = scan_cover(copies["county"])
    _, township_text = scan_cover(copies["township"])
    assert number == "220999-2026-DB-A000001"
    assert "县级存档" in county_text and "乡镇存档" not in county_text
    assert "乡镇存档" in township_text

    # scan the barcode into the lookup page: it opens the case
    found = clerk.get(f"/archives/lookup?number={number}", follow_redirects=True)
    assert found.status_code == 200 and "赵六" in found.get_data(as_text=True)
    assert login("clerk2").get(f"/archives/lookup?number={number}").status_code == 404

    # run the month's filing for the township
    township = region("220999101000")
    clerk.post("/filings/build", data={"township_id": township.id, "month": "2026-03"})
    index = clerk.get("/filings/?month=2026-03").get_data(as_text=True)
    filing_url = re.search(r'href="/filings/(\d+)"', index).group(1)
    detail = clerk.get(f"/filings/{filing_url}").get_data(as_text=True)
    assert "1220.00" in detail  # roster total: 720 + 500

    def upload(amount_zhao: str):
        csv = ("姓名,身份证号,账号,金额\n"
               f"赵六,{case.applicant_id_number},6222001,{amount_zhao}\n"
               f"钱七,{other.applicant_id_number},6222002,500.00\n").encode("utf-8-sig")
        return clerk.post(f"/filings/{filing_url}/reconcile",
                          data={"roster": (io.BytesIO(csv), "bank.csv")},
                          content_type="multipart/form-data", follow_redirects=True)

    flagged = upload("702.00").get_data(as_text=True)  # one wrong amount
    assert "difference-amount" in flagged and "702.00" in flagged and "720.00" in flagged
    refused = clerk.post(f"/filings/{filing_url}/submit", data={"confirm": "1"},
                          follow_redirects=True)
    assert "差异未说明" in refused.get_data(as_text=True)

    fixed = upload("720.00").get_data(as_text=True)  # the bank corrected its file
    assert "difference-amount" not in fixed
    done = clerk.post(f"/filings/{filing_url}/submit", data={"confirm": "1"},
                          follow_redirects=True)
    assert 'id="filing-status">已提交' in done.get_data(as_text=True)


@pytest.mark.pdf
def test_pdf_copies_ready_to_print(login, demo, app):
    from pypdf import PdfReader

    app.config["ARCHIVE_PDF"] = "auto"
    case = make_case()
    db.session.commit()
    clerk = login("clerk")
    clerk.post(f"/archives/cases/{case.id}/bundle")
    page = clerk.get(f"/archives/cases/{case.id}").get_data(as_text=True)
    assert "Open to print" in page or "打开打印" in page
    for copy in ("county", "township"):
        response = clerk.get(f"/archives/cases/{case.id}/download?copy={copy}&fmt=pdf")
        assert response.status_code == 200, page[-2000:]
        reader = PdfReader(io.BytesIO(response.data))
        response.close()
        assert len(reader.pages) >= 2
        text = reader.pages[0].extract_text()
        assert ("县级存档" if copy == "county" else "乡镇存档") in text
