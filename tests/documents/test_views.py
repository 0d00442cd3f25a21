"""The case's documents, the partial on the case page, office lines, delegation letters."""
from __future__ import annotations

import re

from server.db import db
from server.documents.models import GeneratedDocument
from server.relief import ReliefCode

from ..conftest import region
from .conftest import docx_text


def test_clerk_generates_and_downloads_a_case_document(login, cases):
    case = cases[ReliefCode.DB]
    client = login("clerk")
    page = client.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    assert "受理回执" in page and 'data-pack="acceptance"' in page
    response = client.post(f"/documents/cases/{case.id}/generate",
                           data={"kind": "decision_form"})
    assert response.status_code == 302
    row = db.session.query(GeneratedDocument).filter_by(case_id=case.id).one()
    assert row.created_by_id is not None and row.kind == "decision_form"
    page = client.get(f"/documents/cases/{case.id}").get_data(as_text=True)
    link = re.search(r'href="(/documents/\d+/docx)"', page).group(1)
    text = docx_text(client.get(link).data)
    assert "壹仟壹佰贰拾元整" in text
    assert client.post(f"/documents/cases/{case.id}/generate",
                       data={"kind": "nonsense"}).status_code == 400


def test_case_page_of_the_workflow_includes_the_documents_partial(login, cases):
    case = cases[ReliefCode.DB]
    page = login("clerk").get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="case-documents"' in page


def test_other_townships_cannot_reach_the_documents(login, cases):
    case = cases[ReliefCode.DB]
    client = login("clerk2")
    assert client.get(f"/documents/cases/{case.id}").status_code == 404
    assert client.post(f"/documents/cases/{case.id}/generate",
                       data={"kind": "application"}).status_code == 404


def test_home_panel_and_index(login, cases):
    client = login("clerk")
    home = client.get("/").get_data(as_text=True)
    assert 'id="panel-documents"' in home
    assert client.get("/documents/").status_code == 200


def test_office_lines_are_printed(login, cases):
    client = login("clerk")
    response = client.post("/documents/office", data={
        "office_name": "东风镇社会事务服务中心", "phone": "0431-8888 6666",
        "address": "东风镇政府一楼", "objection_phone": "0431-8888 7777",
        "objection_address": "东风镇纪委"})
    assert response.status_code == 302
    client.post(f"/documents/cases/{cases[ReliefCode.DB].id}/generate",
                data={"kind": "acceptance_slip"})
    row = db.session.query(GeneratedDocument).filter_by(kind="acceptance_slip").one()
    from server.documents.operations import document_file

    text = docx_text(document_file(row).read_bytes())
    assert "0431-8888 6666" in text and "东风镇社会事务服务中心" in text


def test_county_admin_makes_a_delegation_letter(login, demo):
    client = login("admin")
    township = region("220999101000")
    response = client.post("/documents/delegation", data={
        "township": township.id, "start": "2026-01-01", "end": "2028-12-31",
        "letter_number": "九民委〔2026〕3号"})
    assert response.status_code == 302
    text = docx_text(client.get(response.headers["Location"]).data)
    assert "东风镇人民政府" in text and "2026年1月1日至2028年12月31日" in text
    assert "九民委〔2026〕3号" in text and "委托事项专用章" in text
    assert login("clerk").get("/documents/delegation").status_code == 403


def test_case_page_groups_the_generated_documents_by_step(login, cases):
    """Generated documents are listed under the Chinese heading of the step that produces them,
    in the order of the procedure, whatever order they were made in."""
    case = cases[ReliefCode.DB]
    client = login("clerk")
    for kind in ("decision_form", "application", "commitment"):
        assert client.post(f"/documents/cases/{case.id}/generate",
                           data={"kind": kind}).status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    listing = page[page.index('class="grid doc-list"'):]
    listing = listing[:listing.index("</table>")]
    groups = re.findall(r'<tbody data-step="(\w+)">\s*<tr><th class="doc-step"[^>]*>([^<]+)</th>'
                        r'(.*?)</tbody>', listing, re.S)
    assert [(step, heading) for step, heading, _ in groups] == [
        ("acceptance", "受理"), ("decision", "审核确认")]
    assert "申请书" in groups[0][2] and "承诺书" in groups[0][2]
    assert "社会救助审核确认表" in groups[1][2] and "申请书" not in groups[1][2]
