"""The archive cover's Code128 barcode decodes back to the archive number."""
from __future__ import annotations

import io

from PIL import Image
from pyzbar.pyzbar import decode

from server.documents import operations, rendering
from server.relief import ReliefCode

from .conftest import docx_text, docx_xml


def test_archive_cover_barcode_decodes_to_the_archive_number(cases):
    case = cases[ReliefCode.DB]
    case.archive_number = "220999-2026-DB-000123"
    data = operations.render_kind("archive_cover", case)
    images = rendering.media(data)
    assert images, "no barcode image in word/media"
    for name, png in images.items():
        assert name.endswith(".png")
        found = decode(Image.open(io.BytesIO(png)))
        assert [r.data.decode() for r in found] == ["220999-2026-DB-000123"]
        assert found[0].type == "CODE128"
    text = docx_text(data)
    assert "县级存档" in text and "乡镇存档" in text
    xml = docx_xml(data)
    assert xml.count("<w:drawing>") == 2  # one cover per copy
    assert 'cx="2520000"' in xml  # 70 mm wide, not the 224 mm default


def test_one_copy_can_be_asked_for(cases):
    text = docx_text(operations.render_kind("archive_cover", cases[ReliefCode.TK],
                                            {"copy": "township"}))
    assert "乡镇存档" in text and "县级存档" not in text
