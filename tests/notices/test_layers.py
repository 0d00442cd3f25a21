"""Data flows one way: no lower room imports the notices room; it fills their hooks."""
from __future__ import annotations

import re
from pathlib import Path

from server.rooms import ROOMS

SERVER = Path(__file__).resolve().parents[2] / "server"
IMPORT = re.compile(r"^\s*(from|import)\s+(\.\.|server\.)notices\b", re.M)


def test_no_lower_room_imports_notices():
    lower = ROOMS[:ROOMS.index("notices")]
    offenders = [str(path.relative_to(SERVER)) for room in lower
                 for path in (SERVER / room).rglob("*.py") if IMPORT.search(path.read_text())]
    assert not offenders, offenders


def test_notices_fills_the_documents_and_archives_hooks(app):
    from server.archives.sources import SCAN_SOURCES
    from server.documents.registry import PUBLIC_ISSUERS
    from server.notices.operations import NoticeIssuer

    assert any(isinstance(issuer, NoticeIssuer) for issuer in PUBLIC_ISSUERS)
    assert any(source.__module__ == "server.notices" for source in SCAN_SOURCES)
