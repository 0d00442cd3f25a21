"""Uploads belong to their uploader: answers reference an upload id the user's region owns,
never a bare hash; a PDF must parse; a draft that drops a refused scan says so at the field."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from sqlalchemy import func, select

from server.cases.models import Case
from server.db import db
from server.extensions import data_dir
from server.intake.models import IntakeDraft, Upload

from .conftest import api_answers, form_data

UPLOADS = "/api/v1/intake/uploads"
CASES = "/api/v1/intake/cases"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
FAKE_PDF = b"%PDF-1.7\nnot really a pdf\n"


def real_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _upload(client, headers, data: bytes, name="scan.png"):
    return client.post(UPLOADS, headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _text(response) -> str:
    return json.dumps(response.json, ensure_ascii=False)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_api_upload_then_reference_by_id(api):
    client, headers = api("clerk")
    response = _upload(client, headers, PNG)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest() and body["kind"] == "png"
    upload = db.session.get(Upload, body["id"])
    assert upload.region.code == "220999101000" and upload.size == len(PNG)
    assert (data_dir() / f"uploads/{body['sha256']}.png").read_bytes() == PNG
    answers = {**api_answers(), "id_scan": {"upload_id": body["id"]}}
    created = client.post(CASES, headers=headers, json={"relief_type": "DB", "answers": answers})
    assert created.status_code == 201, created.json
    scan = db.session.get(Case, created.json["id"]).answers["id_scan"]
    assert scan["upload_id"] == body["id"] and scan["sha256"] == body["sha256"]


@pytest.mark.parametrize("reference", [
    "other_township", "made_up_id", "bare_hash", "hash_of_other_township"])
def test_api_refuses_references_the_user_does_not_own(api, reference):
    client, headers = api("clerk")
    client2, headers2 = api("clerk2")
    theirs = _upload(client2, headers2, PNG + b"taiping").json
    value = {"other_township": {"upload_id": theirs["id"]},
             "made_up_id": {"upload_id": 987654},
             "bare_hash": {"sha256": "ab" * 32, "kind": "png"},
             "hash_of_other_township": {"sha256": theirs["sha256"], "kind": "png"}}[reference]
    before = _count(Case)
    response = client.post(CASES, headers=headers, json={
        "relief_type": "DB", "answers": {**api_answers(), "id_scan": value}})
    assert response.status_code == 422
    paths = {e["path"]: e["message"] for e in response.json["errors"]}
    assert "id_scan" in paths and "上传" in paths["id_scan"], paths
    assert _count(Case) == before


def test_pdf_must_parse(api, login):
    client, headers = api("clerk")
    response = _upload(client, headers, FAKE_PDF, "scan.pdf")
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "file"
    assert "PDF" in response.json["errors"][0]["message"] and "无法读取" in _text(response)
    good = _upload(client, headers, real_pdf(), "scan.pdf")
    assert good.status_code == 201 and good.json["kind"] == "pdf"
    # the web form refuses it at the field too
    data = {**form_data(), "id_scan": (io.BytesIO(FAKE_PDF), "scan.pdf")}
    before = _count(Case)
    page = login("clerk").post("/intake/new?type=DB", data=data,
                               content_type="multipart/form-data")
    assert page.status_code == 422 and _count(Case) == before
    html = page.get_data(as_text=True)
    block = html[html.index('data-field="id_scan"'):]
    assert "无法读取" in block[:block.index("data-client-error")]


def test_upload_without_a_file_is_422(api):
    client, headers = api("clerk")
    response = client.post(UPLOADS, headers=headers, data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and response.json["errors"][0]["path"] == "file"


def test_draft_with_a_refused_scan_says_so_at_the_field(login):
    client = login("clerk")
    data = {**form_data(action="save_draft"), "id_scan": (io.BytesIO(FAKE_PDF), "scan.pdf")}
    drafts = _count(IntakeDraft)
    response = client.post("/intake/new?type=DB", data=data, content_type="multipart/form-data")
    assert _count(IntakeDraft) == drafts + 1  # the rest of the answers is kept
    html = response.get_data(as_text=True)
    assert "草稿已保存，但标出的文件未被接受" in html
    block = html[html.index('data-field="id_scan"'):]
    assert "无法读取" in block[:block.index("data-client-error")]
    draft = db.session.scalars(select(IntakeDraft).order_by(IntakeDraft.id.desc())).first()
    assert "id_scan" not in draft.answers and draft.answers["applicant_name"] == "赵建国"


def test_web_upload_is_recorded_and_kept_through_a_draft(login):
    client = login("village")
    data = {**form_data(action="save_draft"), "id_scan": (io.BytesIO(PNG), "idcard.png")}
    response = client.post("/intake/new?type=DB", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    draft = db.session.scalars(select(IntakeDraft).order_by(IntakeDraft.id.desc())).first()
    upload = db.session.get(Upload, draft.answers["id_scan"]["upload_id"])
    assert upload.region.code == "220999101201" and upload.created_by.username == "village"
    # the township clerk continues the village's draft: the scan is theirs to use
    response = login("clerk").post(f"/intake/drafts/{draft.id}", data=form_data())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.answers["id_scan"]["upload_id"] == upload.id
