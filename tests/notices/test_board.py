"""The village board: the photo of a posted notice (JPEG/PNG by content) filed into each
listed case's archive, the county's printable policy notice, the county's report list."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from server.db import db
from server.notices.models import PublicSubmission

from ..conftest import region
from .conftest import print_notice, receipt_of


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def posted(login, in_publicity):
    village = login("village")
    _, notice = print_notice(village)
    return village, notice


def test_photo_of_the_posted_notice_goes_into_each_listed_cases_archive(posted, in_publicity):
    from server.archives.sources import case_scans

    village, notice = posted
    url = f"/notices/posted/{notice.id}/photo"
    pdf = village.post(url, data={"photo": (io.BytesIO(b"%PDF-1.4 x"), "a.jpg")})
    fake = village.post(url, data={"photo": (io.BytesIO(b"\x89PNG\r\n\x1a\nbroken"), "b.png")})
    assert pdf.status_code == fake.status_code == 302
    db.session.refresh(notice)
    assert notice.photo_upload_id is None
    ok = village.post(url, data={"photo": (io.BytesIO(_png()), "board.png")})
    assert ok.status_code == 302
    db.session.refresh(notice)
    assert notice.photo is not None and notice.photo.kind == "png"
    assert notice.photo.region_id == region("220999101201").id
    assert village.get(url).data == _png()
    board = village.get("/notices/board").get_data(as_text=True)
    assert notice.token in board and "公示张贴照片" in board
    titles = [s.title for s in case_scans(in_publicity)]
    assert any(t.startswith("公示照片") for t in titles), titles


def test_another_village_cannot_see_or_attach_the_photo(login, posted):
    _, notice = posted
    other = login("clerk2")  # 太平乡
    assert other.get(f"/notices/posted/{notice.id}/photo").status_code == 404
    assert other.post(f"/notices/posted/{notice.id}/photo",
                      data={"photo": (io.BytesIO(_png()), "x.png")}).status_code == 404


def test_policy_notice_prints_conditions_standards_procedure_and_complaint_lines(login):
    page = login("village").get("/notices/policy").get_data(as_text=True)
    for words in ("认定条件", "救助标准", "申请程序", "投诉电话", "600.00", "780.00",
                  "0431-8100 1234"):
        assert words in page, words
    admin = login("admin")
    saved = admin.post("/notices/policy/settings", data={
        "conditions": "本县户籍居民，家庭人均收入低于低保标准", "procedure": "向乡镇提出申请",
        "complaint_phone": "0431-12345", "complaint_address": "县民政局一楼"})
    assert saved.status_code == 302
    page = login("village").get("/notices/policy").get_data(as_text=True)
    assert "本县户籍居民" in page and "0431-12345" in page and "县民政局一楼" in page
    refused = admin.post("/notices/policy/settings", data={"conditions": "<b>x</b>"})
    assert refused.status_code == 422
    assert login("village").post("/notices/policy/settings", data={}).status_code == 403


def test_a_report_becomes_a_county_complaint_whose_reply_the_receipt_shows(app, login, posted):
    from server.supervision.models import Complaint

    _, notice = posted
    public = app.test_client()
    taiping = region("220999201000")
    sent = public.post("/public/report", data={"county": str(taiping.parent_id),
                                               "township": str(taiping.id),
                                               "text": "太平乡某村干部优亲厚友", "name": "王某",
                                               "phone": "13800001111"})
    assert sent.status_code == 201
    receipt = receipt_of(sent.get_data(as_text=True))
    standing = public.post(f"/n/{notice.token}", data={"text": "公示栏被遮挡"})
    assert standing.status_code == 201  # not about a household: a report, not an objection
    rows = db.session.scalars(select(PublicSubmission).order_by(PublicSubmission.id)).all()
    assert [r.kind for r in rows] == ["report", "report"]
    assert rows[0].region_id == taiping.id
    # each report is a complaint (举报) of the township concerned, received online
    complaint = db.session.get(Complaint, rows[0].complaint_id)
    assert complaint.channel == "online" and complaint.township_id == taiping.id
    assert complaint.content == "太平乡某村干部优亲厚友" and complaint.complainant_phone == "13800001111"
    assert rows[1].complaint_id is not None  # the standing notice's village's township
    supervisor = login("supervisor")
    assert "太平乡某村干部优亲厚友" in supervisor.get("/supervision/complaints").get_data(as_text=True)
    listed = supervisor.get("/notices/reports").get_data(as_text=True)
    assert f"/supervision/complaints/{complaint.id}" in listed
    assert login("clerk2").get("/supervision/complaints").status_code == 403  # 太平乡 staff
    # handled in one place: the public list's own answer is refused for a complaint
    assert supervisor.post(f"/notices/submissions/{rows[0].id}/answer",
                           data={"answer": "x"}).status_code in (302, 409)
    looked = public.post("/public/receipt", data={"receipt": receipt}).get_data(as_text=True)
    assert 'data-status="received"' in looked
    answered = supervisor.post(f"/supervision/complaints/{complaint.id}/answer", data={
        "findings": "经核实，反映属实", "outcome": "substantiated",
        "reply": "经核实，已责令整改，感谢监督。"})
    assert answered.status_code == 302
    looked = public.post("/public/receipt", data={"receipt": receipt}).get_data(as_text=True)
    assert 'data-status="answered"' in looked and "已责令整改，感谢监督" in looked
    assert "优亲厚友" not in looked and "13800001111" not in looked  # never the sender's text
