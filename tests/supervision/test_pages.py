"""The findings, rectification and complaint pages say everything in Chinese: no Python
reprs, no keys of the registries, no None, no unmasked ID numbers, for every role that sees
them."""
from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import select

from server.db import db
from server.demo import demo_user
from server.supervision import operations
from server.supervision.models import Complaint, Rectification
from server.supervision.registry import CHANNELS, CONCERNS, FINDINGS, OUTCOMES

from ..conftest import region
from .test_findings import PNG, _finding

KEYS = set(FINDINGS) | set(CHANNELS) | set(OUTCOMES) | {"township", "answered", "returned"}


def _clean(page: str, id_numbers, url: str = "") -> None:
    text = re.sub(r"<[^>]+>", " ", page)  # the visible text, not attributes
    assert "None" not in text and "<Region" not in page and "object at 0x" not in page, url
    for key in KEYS | set(CONCERNS) - {"case"}:
        assert not re.search(rf"\b{key}\b", text), key
    for number in id_numbers:
        assert number not in page


def test_pages_are_chinese_and_masked(login, check):
    supervisor = login("supervisor")
    _finding(supervisor, check, files=[("照片.png", PNG)])
    rect = db.session.scalars(select(Rectification)).one()
    clerk = login("clerk")
    clerk.post(f"/supervision/rectifications/{rect.id}/answer",
               data={"text": "已整改", "proof": [(io.BytesIO(PNG + b"1"), "p.png")]},
               content_type="multipart/form-data")
    for kind in ("staff", "case", "township"):
        operations.record_complaint(
            demo_user("supervisor"), channel="hotline_12349", concerns=kind, content="举报内容",
            case_id=check.case_id if kind == "case" else None,
            staff_user_id=demo_user("clerk").id if kind == "staff" else None,
            township_id=region("220999101000").id if kind == "township" else None,
            complainant_name="李四", complainant_phone="13700001234",
            received_on=date(2026, 3, 2))
    db.session.commit()
    answered = db.session.scalars(select(Complaint)).first()
    operations.answer_complaint(answered, demo_user("supervisor"), findings="核实",
                                outcome="unsubstantiated", reply="不属实")
    db.session.commit()
    ids = [m.id_number for m in rect.case.members]
    pages = [f"/supervision/checks/{check.id}", "/supervision/rectifications",
             f"/supervision/rectifications/{rect.id}", "/supervision/complaints",
             "/", f"/supervision/draws/{check.draw_id}"]
    pages += [f"/supervision/complaints/{c.id}" for c in db.session.scalars(select(Complaint))]
    for url in pages:
        response = supervisor.get(url)
        assert response.status_code == 200, url
        _clean(response.get_data(as_text=True), ids, url)
    # the case page: our section only (the factory case has no decider, a cases-room matter)
    page = supervisor.get(f"/cases/{check.case_id}").get_data(as_text=True)
    section = page[page.index('id="case-spot-checks"'):]
    _clean(section[:section.index("</section>")], ids, "case section")
    for url in ("/supervision/rectifications", f"/supervision/rectifications/{rect.id}", "/"):
        response = clerk.get(url)
        assert response.status_code == 200, url
        _clean(response.get_data(as_text=True), ids, url)
