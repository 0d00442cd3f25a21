"""The case page a clerk can read: the next step first with the other actions folded, lock
versions and document hashes only for the county."""
from __future__ import annotations

import re

from sqlalchemy import select

from server.cases.models import Case
from server.db import db
from server.documents.models import GeneratedDocument


def _case(name: str) -> Case:
    return db.session.scalars(select(Case).where(Case.applicant_name == name)).one()


def test_clerk_sees_no_hashes_or_lock_versions_the_county_does(login, demo):
    case = _case("张建国")  # the demo case in payment
    clerk = login("clerk")
    clerk.post(f"/documents/cases/{case.id}/generate", data={"kind": "decision_form"})
    document = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.case_id == case.id)).one()
    mine = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert document.title in mine  # the document is listed…
    assert "SHA-256" not in mine and document.sha256[:12] not in mine  # …without its hash
    assert 'id="lock-version"' not in mine
    county = login("supervisor").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "SHA-256" in county and document.sha256[:12] in county
    assert re.search(r'id="lock-version">版本 \d+</span>', county)


def test_the_next_step_comes_first_and_the_others_are_folded(login, demo):
    case = _case("钱文革")  # under investigation: submit, and several side actions
    html = login("clerk").get(f"/cases/{case.id}").get_data(as_text=True)
    actions = html.index('id="case-actions"')
    assert actions < html.index('id="case-members"') < html.index('id="case-audit"')
    main, folded = html[actions:].split('id="other-actions"', 1)
    assert main.count('class="transition"') == 1 and 'id="action-submit_for_decision"' in main
    assert folded.split("</details>", 1)[0].count('class="transition"') >= 1
    assert '<details id="case-audit-entries">' in html  # the audit trail folds, not gone


def test_the_documents_page_shows_hashes_to_the_county_only(login, demo):
    case = _case("张建国")
    clerk = login("clerk")
    clerk.post(f"/documents/cases/{case.id}/generate", data={"kind": "decision_form"})
    document = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.case_id == case.id)).one()
    assert document.sha256[:12] not in clerk.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    county = login("supervisor").get(f"/documents/cases/{case.id}").get_data(as_text=True)
    assert document.sha256[:12] in county
