"""Fixtures for the public side: a 东风村 household in publicity, printing notices as the
village assistant, reading the QR code off the printed file."""
from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from server.cases.demo import investigated, make_case
from server.cases.operations import transition
from server.db import db

from ..conftest import region

VILLAGE = "220999101201"  # 东风村
PHONE_UA = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                          "AppleWebKit/605.1.15 Mobile/15E148", "Viewport-Width": "390"}


def publish(case, demo):
    """Walk a case from accepted (or investigating) to publicity, as clerk and approver."""
    if case.state == "accepted":
        transition(case, "start_investigation", demo.demo_user("clerk"), {})
    transition(case, "submit_for_decision", demo.demo_user("clerk"), investigated())
    transition(case, "approve", demo.demo_user("approver"), {})
    assert case.state == "publicity"


@pytest.fixture
def in_publicity(demo):
    """白玉兰's household in 东风村, in publicity, with a phone and bank account on file."""
    case = make_case(VILLAGE, names=("白玉兰", "白小东"), seed=41, income="180.00",
                     extra_answers={"phone": "13912345678", "bank_account": "6230520012345678901"})
    publish(case, demo)
    db.session.commit()
    return case


def print_notice(client, kind: str = "publicity_notice"):
    """Print a notice of 东风村 as a logged-in user; returns (document, posted notice)."""
    from server.documents.models import GeneratedDocument
    from server.notices.models import PostedNotice

    village = region(VILLAGE)
    response = client.post(f"/documents/villages/{village.id}", data={"kind": kind})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    document = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.kind == kind).order_by(GeneratedDocument.id.desc())).first()
    posted = db.session.scalars(select(PostedNotice).where(
        PostedNotice.document_id == document.id)).one()
    return document, posted


def scan_qr(document) -> str:
    """The path the printed QR code points to (decoded from the image in the .docx)."""
    from pyzbar.pyzbar import decode

    from server.documents import operations, rendering

    data = operations.document_file(document).read_bytes()
    found = []
    for png in rendering.media(data).values():
        found += [r.data.decode() for r in decode(Image.open(io.BytesIO(png)))
                  if r.type == "QRCODE"]
    assert len(found) == 1, found
    return urlsplit(found[0]).path


def receipt_of(html: str) -> str:
    match = re.search(r'data-receipt="([A-Z2-7-]+)"', html)
    assert match, html[:500]
    return match.group(1)
