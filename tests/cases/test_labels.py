"""The case page names documents, roles and archive copies in Chinese, never by their
internal keys or Python reprs."""
from __future__ import annotations

import re

from sqlalchemy import select

from server.cases.models import Case
from server.db import db
from server.documents import operations


def _demo_case(name: str) -> Case:
    return db.session.scalars(select(Case).where(Case.applicant_name == name)).one()


def test_step_documents_and_roles_are_named_in_chinese(login):
    clerk = login("clerk")
    case = _demo_case("秦建华")  # 已确认: the next step (开始发放) produces the confirmation notice
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    visible = re.sub(r"<[^>]+>", " ", page)  # kinds may stay in form values, not in the text
    assert re.search(r"本步骤文书：\s*社会救助确认通知书", visible)
    assert "confirmation_notice" not in visible
    assert "乡镇经办员" in visible and "township_clerk" not in visible
    assert "township_approver" not in visible


def test_archive_copies_are_named_not_a_method_repr(login):
    clerk = login("clerk")
    case = _demo_case("秦建华")
    operations.generate("archive_cover", case, options={"copy": "county"})
    db.session.commit()
    page = clerk.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    assert "档案封面 (县级存档)" in page
    assert "built-in method" not in page
