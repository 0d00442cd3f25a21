"""Every public page and public API response shows what the posted paper shows and nothing
more: no ID numbers, bank accounts, personal phones, incomes, nor what a sender wrote."""
from __future__ import annotations

import json
import re

import pytest

from server.db import db

from .conftest import PHONE_UA, print_notice, receipt_of

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
ACCOUNT = re.compile(r"(?<!\d)\d{12,19}(?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def printed(app, demo, login, in_publicity):
    """Both notices of 东风村 printed (a publicity and a standing notice)."""
    village = login("village")
    _, publicity = print_notice(village)
    _, standing = print_notice(village, "standing_notice")
    return in_publicity, publicity, standing


def _secrets(case) -> list[str]:
    members = [m.id_number for m in case.members]
    return [*members, "13912345678", "6230520012345678901", "180.00", "13800001111",
            "秘密举报人", "该户有门面房出租"]


def _check(text: str, secrets: list[str], where: str) -> None:
    for shape in (ID_NUMBER, ACCOUNT, MOBILE):
        found = shape.search(text)
        assert not found, (where, found.group(0))
    for secret in secrets:
        assert secret not in text, (where, secret)


def test_public_pages_and_api_reveal_nothing_beyond_the_paper(app, demo, printed):
    case, publicity, standing = printed
    secrets = _secrets(case)
    client = app.test_client()
    sent = client.post(f"/n/{publicity.token}", data={
        "row": "1", "text": "该户有门面房出租", "name": "秘密举报人", "phone": "13800001111"})
    receipt = receipt_of(sent.get_data(as_text=True))
    report = client.post("/api/v1/public/reports", json={
        "county": "220999000000", "township": "220999101000", "text": "该户有门面房出租",
        "name": "秘密举报人", "phone": "13800001111"})
    assert report.status_code == 201
    from server.notices.operations import answer
    from server.notices.queries import submission_by_receipt

    answer(submission_by_receipt(receipt), "已核实，情况不属实。", demo.demo_user("clerk"))
    db.session.commit()
    pages = {
        "sent": sent.get_data(as_text=True),
        "publicity": client.get(f"/n/{publicity.token}", headers=PHONE_UA).get_data(as_text=True),
        "standing": client.get(f"/n/{standing.token}").get_data(as_text=True),
        "report page": client.get("/public/report").get_data(as_text=True),
        "receipt page": client.post("/public/receipt", data={"receipt": receipt})
        .get_data(as_text=True),
        "api notice": json.dumps(client.get(f"/api/v1/public/notices/{publicity.token}").json,
                                 ensure_ascii=False),
        "api standing": json.dumps(client.get(f"/api/v1/public/notices/{standing.token}").json,
                                   ensure_ascii=False),
        "api receipt": json.dumps(client.post("/api/v1/public/receipts",
                                              json={"receipt": receipt}).json,
                                  ensure_ascii=False),
        "api report": json.dumps(report.json, ensure_ascii=False),
    }
    assert "白玉兰" in pages["publicity"] and "白玉兰" in pages["api notice"]
    assert "已核实" in pages["receipt page"] and "已核实" in pages["api receipt"]
    for where, text in pages.items():
        _check(text, secrets, where)
    rows = client.get(f"/api/v1/public/notices/{publicity.token}").json["rows"]
    assert set(rows[0]) == {"number", "name", "persons", "relief_name", "amount", "note"}


def test_an_answer_may_not_carry_an_id_number(app, printed, demo):
    from server.notices.operations import SubmissionError, answer, create_report
    from server.regions.queries import region_by_code

    row = create_report(region_by_code("220999101000"), {"text": "问题"})
    with pytest.raises(SubmissionError):
        answer(row, f"经查 {printed[0].members[0].id_number} 属实", demo.demo_user("clerk"))
