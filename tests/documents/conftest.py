"""Fixtures for document tests: one realistic sample case per relief type, persisted."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from server.db import db
from server.documents.samples import sample_case
from server.relief import ReliefCode

from ..archives.factories import schema_version
from ..conftest import region

VILLAGE = "220999101201"


def make_case(relief, number: int, village: str = VILLAGE, **facts):
    case = sample_case(relief, region(village), schema_version(ReliefCode(relief)), number=number)
    for name, value in facts.items():
        setattr(case, name, value)
    db.session.add(case)
    db.session.flush()
    return case


@pytest.fixture
def cases(demo):
    """{relief code: case} in 东风村, decided, with answers shaped like the shipped forms."""
    made = {code: make_case(code, 900 + i) for i, code in enumerate(ReliefCode)}
    db.session.commit()
    return made


def docx_text(data: bytes) -> str:
    from server.documents.rendering import document_text

    return document_text(data)


def docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                       if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n))


def docx_with(*paragraphs: str) -> bytes:
    """A bare .docx with these paragraphs (uploads and lint cases)."""
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
