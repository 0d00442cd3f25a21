"""The seal-use log (审批专用章使用登记): each final print of a sealed document is an entry."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from server.cases.models import Case
from server.db import db
from server.documents.models import GeneratedDocument, SealUse
from server.periods import local_today


def _decided_case():
    return db.session.scalars(select(Case).where(Case.applicant_name == "张建国")).one()


def _generate(client, case, kind):
    client.post(f"/documents/cases/{case.id}/generate", data={"kind": kind})
    return db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.case_id == case.id, GeneratedDocument.kind == kind)
        .order_by(GeneratedDocument.id.desc())).first()


def test_final_print_of_a_sealed_document_is_logged_each_time(login, demo):
    approver = login("approver")
    case = _decided_case()
    document = _generate(approver, case, "decision_form")
    assert f'data-print-final="{document.id}"' in approver.get(
        f"/documents/cases/{case.id}").get_data(as_text=True)
    first = approver.post(f"/documents/{document.id}/print-final")
    assert first.status_code == 200
    printed = first.data
    uses = db.session.scalars(select(SealUse).order_by(SealUse.id)).all()
    assert len(uses) == 1
    assert uses[0].sha256 == hashlib.sha256(printed).hexdigest() == document.sha256
    assert uses[0].printed_by.username == "approver" and uses[0].document_id == document.id
    assert uses[0].region.name == "东风镇" and uses[0].case_number == case.case_number
    approver.post(f"/documents/{document.id}/print-final")  # a reprint is a new entry
    assert db.session.scalar(select(SealUse).where(SealUse.id > uses[0].id)) is not None
    assert len(db.session.scalars(select(SealUse)).all()) == 2

    page = approver.get("/documents/seals").get_data(as_text=True)
    assert page.count(document.sha256) == 2 and document.title in page
    month = local_today().strftime("%Y-%m")
    county = login("supervisor")
    township = uses[0].region_id
    assert county.get(f"/documents/seals?township={township}&month={month}").get_data(
        as_text=True).count(document.sha256) == 2
    assert document.sha256 not in county.get("/documents/seals?month=2020-01").get_data(
        as_text=True)
    assert county.get("/documents/seals?month=2020-13").status_code == 400
    assert login("clerk").get("/documents/seals").status_code == 403


def test_unsealed_document_is_not_logged(login, demo):
    clerk = login("clerk")
    document = _generate(clerk, _decided_case(), "application")
    response = clerk.post(f"/documents/{document.id}/print-final", follow_redirects=True)
    assert "不加盖委托事项专用章" in response.get_data(as_text=True)
    assert db.session.scalars(select(SealUse)).first() is None


def test_a_print_pack_with_a_sealed_document_is_logged(app, demo):
    from server.documents import operations
    from server.documents.models import PrintJob
    from server.documents.tasks import build_print_pack

    app.config["SOFFICE"] = "/nonexistent/soffice"  # the pack is then a zip: still printed
    case = _decided_case()
    job = operations.create_print_job(case, "decision", demo.demo_user("approver"))
    db.session.commit()
    assert "decision_form" in job.kinds
    build_print_pack(job.id)
    job = db.session.get(PrintJob, job.id)
    assert job.status == "done"
    uses = db.session.scalars(select(SealUse)).all()
    sealed = db.session.scalars(select(GeneratedDocument).where(
        GeneratedDocument.case_id == case.id, GeneratedDocument.kind == "decision_form")
        .order_by(GeneratedDocument.id.desc())).first()
    assert [u.document_id for u in uses] == [sealed.id]
    assert uses[0].sha256 == sealed.sha256 and uses[0].printed_by.username == "approver"
