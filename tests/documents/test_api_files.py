"""Documents over the API as on the case page: list a case's documents, download them, print
packs polled as jobs, and the county's templates (upload with the lint result, activate)."""
from __future__ import annotations

import io

from server.db import db
from server.documents.models import DocTemplateVersion
from server.relief import ReliefCode

from .conftest import docx_text, docx_with


def test_generate_list_download_and_pack(api, cases):
    case = cases[ReliefCode.DB]
    client, headers = api("clerk")
    made = client.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                       json={"kind": "decision_form"})
    assert made.status_code == 201, made.json
    listed = client.get(f"/api/v1/documents/cases/{case.id}/files", headers=headers)
    assert [d["id"] for d in listed.json] == [made.json["id"]]
    docx = client.get(f"/api/v1/documents/{made.json['id']}/docx", headers=headers)
    assert docx.status_code == 200 and "壹仟壹佰贰拾元整" in docx_text(docx.data)
    job = client.post(f"/api/v1/documents/cases/{case.id}/packs", headers=headers,
                      json={"step": "acceptance"})
    assert job.status_code == 202 and job.json["kinds"]
    polled = client.get(f"/api/v1/documents/print-jobs/{job.json['id']}", headers=headers)
    assert polled.json["status"] == "done" and polled.json["status_label"] == "已完成"
    pack = client.get(f"/api/v1/documents/print-jobs/{job.json['id']}/file", headers=headers)
    assert pack.status_code == 200 and pack.data[:4] in (b"%PDF", b"PK\x03\x04")


def test_documents_api_refuses_role_region_and_bad_input(api, cases):
    case = cases[ReliefCode.DB]
    clerk, headers = api("clerk")
    document = clerk.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                          json={"kind": "decision_form"}).json
    other, other_headers = api("clerk2")
    for path in (f"/cases/{case.id}/files", f"/{document['id']}/docx", f"/{document['id']}/pdf"):
        response = other.get(f"/api/v1/documents{path}", headers=other_headers)
        assert response.status_code == 404 and response.json["code"] == "not_found", path
    assert other.post(f"/api/v1/documents/cases/{case.id}/packs", headers=other_headers,
                      json={"step": "acceptance"}).status_code == 404
    supervisor, sup_headers = api("supervisor")
    refused = supervisor.post(f"/api/v1/documents/cases/{case.id}/packs", headers=sup_headers,
                              json={"step": "acceptance"})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    bad = clerk.post(f"/api/v1/documents/cases/{case.id}/packs", headers=headers,
                     json={"step": "nonsense"})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "step"
    copy = clerk.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                      json={"kind": "decision_form", "copy": "attic"})
    assert copy.status_code == 422 and copy.json["errors"][0]["path"] == "copy"


def test_lost_file_is_a_404_not_a_500(api, cases):
    from server.documents.operations import document_file

    case = cases[ReliefCode.DB]
    client, headers = api("clerk")
    made = client.post(f"/api/v1/documents/cases/{case.id}", headers=headers,
                       json={"kind": "decision_form"}).json
    from server.documents.models import GeneratedDocument

    document_file(db.session.get(GeneratedDocument, made["id"])).unlink()
    for fmt in ("docx", "pdf"):
        lost = client.get(f"/api/v1/documents/{made['id']}/{fmt}", headers=headers)
        assert lost.status_code == 404 and "重新生成" in lost.json["message"]


def _upload(client, headers, data: bytes, name="t.docx", note=""):
    return client.post("/api/v1/documents/templates/application", headers=headers,
                       data={"file": (io.BytesIO(data), name), "note": note},
                       content_type="multipart/form-data")


def test_templates_upload_lint_and_activate(api, demo):
    client, headers = api("admin")
    kinds = client.get("/api/v1/documents/templates", headers=headers)
    assert kinds.status_code == 200
    assert {k["kind"]: k["active_number"] for k in kinds.json}["application"] == 0
    bad = _upload(client, headers, docx_with("姓名 {{ applicant.nmae }}"))
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "file"
    assert "nmae" in bad.json["errors"][0]["message"]
    good = _upload(client, headers, docx_with("申请书 {{ applicant.name }}"), "good.docx", "试用")
    assert good.status_code == 201 and good.json["number"] == 1 and not good.json["is_active"]
    assert good.json["note"] == "试用"
    active = client.put("/api/v1/documents/templates/application/active", headers=headers,
                        json={"number": 1})
    assert active.status_code == 200 and active.json["active_number"] == 1
    assert db.session.query(DocTemplateVersion).filter_by(is_active=True).count() == 1
    missing = client.put("/api/v1/documents/templates/application/active", headers=headers,
                         json={"number": 7})
    assert missing.status_code == 422 and missing.json["errors"][0]["path"] == "number"
    builtin = client.put("/api/v1/documents/templates/application/active", headers=headers,
                         json={"number": 0})
    assert builtin.json["active_number"] == 0
    assert client.get("/api/v1/documents/templates/nope", headers=headers).status_code == 404
    not_docx = _upload(client, headers, b"hello", "x.txt")
    assert not_docx.status_code == 422 and not_docx.json["errors"][0]["path"] == "file"
    clerk, clerk_headers = api("clerk")
    refused = _upload(clerk, clerk_headers, docx_with("x"))
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"


def test_template_file_and_preview(api, demo):
    client, headers = api("admin")
    builtin = client.get("/api/v1/documents/templates/application/file", headers=headers)
    assert builtin.status_code == 200 and "社会救助申请书" in docx_text(builtin.data)
    _upload(client, headers, docx_with("申请书 {{ applicant.name }}"), "good.docx")
    mine = client.get("/api/v1/documents/templates/application/file?number=1", headers=headers)
    assert docx_text(mine.data).startswith("申请书")
    preview = client.get("/api/v1/documents/templates/application/preview?number=1&relief=TK",
                         headers=headers)
    assert preview.status_code == 200 and "王德福" in docx_text(preview.data)
    missing = client.get("/api/v1/documents/templates/application/file?number=9",
                         headers=headers)
    assert missing.status_code == 404 and missing.json["code"] == "not_found"
    bad = client.get("/api/v1/documents/templates/application/preview?relief=XX",
                     headers=headers)
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "relief"
    clerk, clerk_headers = api("clerk")
    assert clerk.get("/api/v1/documents/templates/application/file",
                     headers=clerk_headers).status_code == 403
