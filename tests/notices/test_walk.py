"""Tried as a new user would: print 东风村's publicity notice, scan its QR code on a phone,
object anonymously, the clerk re-investigates and publishes again, the old paper says it is
no longer current, and the receipt shows the answer."""
from __future__ import annotations

from sqlalchemy import select

from server.db import db
from server.documents import operations as documents
from server.documents.rendering import document_text
from server.notices.models import PostedNotice, PublicSubmission

from .conftest import PHONE_UA, print_notice, publish, receipt_of, scan_qr


def test_print_scan_object_reinvestigate_republish_and_read_the_answer(
        app, demo, login, in_publicity):
    village = login("village")
    document, posted = print_notice(village)
    path = scan_qr(document)
    assert path == f"/n/{posted.token}" and len(posted.token) >= 16
    paper = document_text(documents.document_file(document).read_bytes())
    assert path in paper  # the short address is printed beside the code

    public = app.test_client()  # a phone, no login
    page = public.get(path, headers=PHONE_UA)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="viewport"' in html and 'name="robots" content="noindex' in html
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert 'data-current="yes"' in html
    for row in posted.snapshot["rows"]:  # the same rows as the paper
        assert row["name"] in paper and row["name"] in html
    assert "白玉兰" in html and "东风村" in html

    sent = public.post(path, data={"row": "1", "text": "该户家中有轿车一辆，不符合条件",
                                   "website": ""})
    assert sent.status_code == 201
    receipt = receipt_of(sent.get_data(as_text=True))
    objection = db.session.scalars(select(PublicSubmission)).one()
    assert objection.kind == "objection" and objection.case_id == in_publicity.id
    assert objection.name == "" and objection.phone == ""

    clerk = login("clerk")
    home = clerk.get("/").get_data(as_text=True)  # the home page points to the objection
    assert f"/cases/{in_publicity.id}#public-submissions" in home
    assert "/notices/reports" in login("supervisor").get("/").get_data(as_text=True)
    case_page = clerk.get(f"/cases/{in_publicity.id}").get_data(as_text=True)
    assert "该户家中有轿车一辆" in case_page and f'data-take-up="{objection.id}"' in case_page
    assert clerk.post(f"/notices/submissions/{objection.id}/take-up").status_code == 302
    db.session.refresh(in_publicity)
    assert in_publicity.state == "investigating" and "objection" in in_publicity.flags
    assert objection.status == "checking"
    assert any(e.action == "object" for e in in_publicity.events)

    publish(in_publicity, demo)  # re-investigated, decided again: a new publicity
    db.session.commit()
    _, newer = print_notice(village)
    assert newer.token != posted.token
    db.session.refresh(posted)
    assert not posted.is_current and newer.is_current
    old = public.get(path, headers=PHONE_UA).get_data(as_text=True)
    assert 'data-current="no"' in old and f"/n/{newer.token}" in old
    refused = public.post(path, data={"row": "1", "text": "再次异议"})
    assert refused.status_code == 409 and "最新公示" in refused.get_data(as_text=True)

    answered = clerk.post(f"/notices/submissions/{objection.id}/answer",
                          data={"answer": "经重新入户核查，该车辆已于去年出售，维持救助。"})
    assert answered.status_code == 302
    looked = public.post("/public/receipt", data={"receipt": receipt.lower().replace("-", " ")})
    html = looked.get_data(as_text=True)
    assert looked.status_code == 200 and 'data-status="answered"' in html
    assert "该车辆已于去年出售" in html and "已答复" in html
    assert "该户家中有轿车一辆" not in html  # what the sender wrote is never shown publicly


def test_reprinting_the_same_content_keeps_the_address(app, demo, login, in_publicity):
    village = login("village")
    first_doc, first = print_notice(village)
    second_doc, second = print_notice(village)
    assert first.id == second.id and second.is_current
    assert first_doc.sha256 == second_doc.sha256
    assert db.session.scalar(select(PostedNotice.id).where(
        PostedNotice.token == first.token)) == first.id


def test_the_printed_address_uses_the_public_url(app, demo, in_publicity):
    """A notice printed by the worker (no request) prints the configured public address."""
    from server.documents.rendering import media
    from server.regions.queries import region_by_code

    app.config["PUBLIC_URL"] = "https://jiuzhu.example.gov.cn/"
    document = documents.generate("publicity_notice", region_by_code("220999101201"))
    posted = db.session.scalars(select(PostedNotice).where(
        PostedNotice.document_id == document.id)).one()
    data = documents.document_file(document).read_bytes()
    assert f"https://jiuzhu.example.gov.cn/n/{posted.token}" in document_text(data)
    assert len(media(data)) == 1
