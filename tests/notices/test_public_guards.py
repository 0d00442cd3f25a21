"""The public pages hold up: rate limit per address, honeypot, no HTML, size limits, CSRF,
unknown tokens and receipts answer 404 without details, and nothing is stored on a refusal."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db
from server.notices.models import PublicSubmission

from .conftest import print_notice


@pytest.fixture
def posted(login, in_publicity):
    _, notice = print_notice(login("village"))
    return notice


def _count() -> int:
    return db.session.scalar(select(func.count(PublicSubmission.id)))


def test_views_are_rate_limited_per_address(app, posted):
    app.config["PUBLIC_VIEWS_PER_10_MIN"] = 3
    one = app.test_client()
    codes = [one.get(f"/n/{posted.token}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = one.get(f"/n/{posted.token}")
    assert int(limited.headers["Retry-After"]) > 0
    assert "请求过于频繁" in limited.get_data(as_text=True)
    assert one.get("/api/v1/public/notices/" + posted.token).status_code == 429
    other = app.test_client()
    ok = other.get(f"/n/{posted.token}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert ok.status_code == 200  # another address has its own count


def test_unknown_tokens_are_guessed_against_the_same_limit(app, posted):
    app.config["PUBLIC_VIEWS_PER_10_MIN"] = 2
    client = app.test_client()
    assert [client.get(f"/n/x{i}AAAAAAAAAAAAAAA").status_code for i in range(3)] == [404, 404, 429]


def test_submissions_are_rate_limited(app, posted):
    app.config["PUBLIC_SUBMISSIONS_PER_HOUR"] = 2
    client = app.test_client()
    codes = [client.post(f"/n/{posted.token}", data={"text": f"反映{i}"}).status_code
             for i in range(3)]
    assert codes == [201, 201, 429] and _count() == 2


def test_honeypot_html_and_oversized_text_are_refused_and_nothing_is_stored(app, posted):
    app.config["PUBLIC_SUBMISSIONS_PER_HOUR"] = 50  # refused ones count too (spam)
    client = app.test_client()
    url = f"/n/{posted.token}"
    bot = client.post(url, data={"row": "1", "text": "正常内容", "website": "http://spam"})
    assert bot.status_code == 400
    html = client.post(url, data={"row": "1", "text": "<script>alert(1)</script>"})
    assert html.status_code == 422 and "HTML" in html.get_data(as_text=True)
    tag_in_name = client.post(url, data={"text": "正常", "name": "<b>张三</b>"})
    assert tag_in_name.status_code == 422
    long = client.post(url, data={"row": "1", "text": "长" * 1001})
    assert long.status_code == 422 and "1000" in long.get_data(as_text=True)
    empty = client.post(url, data={"row": "1", "text": "  "})
    assert empty.status_code == 422
    bad_row = client.post(url, data={"row": "99", "text": "异议"})
    assert bad_row.status_code == 422
    api = client.post(f"/api/v1/public/notices/{posted.token}/submissions",
                      json={"row": 1, "text": "<img src=x onerror=alert(1)>"})
    assert api.status_code == 422 and api.json["errors"][0]["path"] == "text"
    assert _count() == 0


def test_unknown_token_and_receipt_say_nothing(app, posted):
    client = app.test_client()
    page = client.get("/n/AAAAAAAAAAAAAAAA")
    assert page.status_code == 404
    assert "白玉兰" not in page.get_data(as_text=True)
    api = client.get("/api/v1/public/notices/AAAAAAAAAAAAAAAA")
    assert api.status_code == 404 and api.json["code"] == "not_found"
    assert client.post("/public/receipt", data={"receipt": "AAAA-BBBB-CCCC-DDDD"}).status_code == 404
    assert client.post("/api/v1/public/receipts", json={"receipt": "x"}).status_code == 404


def test_forms_need_the_csrf_token(app, posted):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.post(f"/n/{posted.token}", data={"text": "没有令牌"}).status_code == 400
    assert _count() == 0
    from ..conftest import csrf_token

    token = csrf_token(client.get(f"/n/{posted.token}").get_data(as_text=True))
    sent = client.post(f"/n/{posted.token}", data={"text": "有令牌", "csrf_token": token})
    assert sent.status_code == 201 and _count() == 1


def test_tokens_and_receipts_are_unguessable():
    from server.notices.operations import new_receipt, new_token

    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(len(t) == 16 for t in tokens)  # 96 bits each
    receipts = {new_receipt() for _ in range(200)}
    assert len(receipts) == 200 and all(len(r) == 19 for r in receipts)  # 80 bits each
