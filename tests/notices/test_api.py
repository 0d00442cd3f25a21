"""The public side over the API: no token needed for the public endpoints (documented with
no security), the same refusals with field paths, staff listing and answering."""
from __future__ import annotations

from .conftest import print_notice


def test_public_api_walk_without_a_token(app, demo, login, api, in_publicity):
    _, notice = print_notice(login("village"))
    client = app.test_client()
    got = client.get(f"/api/v1/public/notices/{notice.token}")
    assert got.status_code == 200 and got.json["is_current"] is True
    assert [r["name"] for r in got.json["rows"]] == ["白玉兰"]
    assert got.json["accepts_objections"] is True
    assert "noindex" in got.headers["X-Robots-Tag"]
    sent = client.post(f"/api/v1/public/notices/{notice.token}/submissions",
                       json={"row": 1, "text": "异议：家中有人在外务工"})
    assert sent.status_code == 201 and sent.json["kind"] == "objection"
    assert sent.json["status"] == "received" and sent.json["answer"] is None
    receipt = sent.json["receipt"]
    bad = client.post(f"/api/v1/public/notices/{notice.token}/submissions",
                      json={"row": "一", "text": "x"})
    assert bad.status_code == 422 and bad.json["errors"][0]["path"] == "row"
    clerk, headers = api("clerk")
    listed = clerk.get("/api/v1/notices/submissions", headers=headers)
    assert listed.status_code == 200 and listed.json[0]["text"] == "异议：家中有人在外务工"
    sid = listed.json[0]["id"]
    empty = clerk.post(f"/api/v1/notices/submissions/{sid}/answer", headers=headers,
                       json={"answer": ""})
    assert empty.status_code == 422 and empty.json["errors"][0]["path"] == "answer"
    done = clerk.post(f"/api/v1/notices/submissions/{sid}/answer", headers=headers,
                      json={"answer": "已入户核实，务工收入已计入"})
    assert done.status_code == 200 and done.json["status"] == "answered"
    looked = client.post("/api/v1/public/receipts", json={"receipt": receipt})
    assert looked.json["status"] == "answered"
    assert looked.json["answer"] == "已入户核实，务工收入已计入"
    assert "text" not in looked.json
    other, other_headers = api("clerk2")  # 太平乡 sees none of 东风镇's
    assert other.get("/api/v1/notices/submissions", headers=other_headers).json == []
    assert other.post(f"/api/v1/notices/submissions/{sid}/answer", headers=other_headers,
                      json={"answer": "x"}).status_code == 404
    assert client.get("/api/v1/notices/submissions").status_code == 401


def test_county_report_over_the_api(app, demo):
    client = app.test_client()
    sent = client.post("/api/v1/public/reports", json={"county": "220999000000",
                                                       "text": "反映：低保金发放延迟"})
    assert sent.status_code == 201 and sent.json["kind"] == "report"
    unknown = client.post("/api/v1/public/reports", json={"county": "999", "text": "x"})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["path"] == "county"
    assert client.post("/api/v1/public/reports", data="x").status_code == 422


def test_openapi_documents_the_public_endpoints_without_security(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, method in (("/api/v1/public/notices/{token}", "get"),
                         ("/api/v1/public/notices/{token}/submissions", "post"),
                         ("/api/v1/public/reports", "post"),
                         ("/api/v1/public/receipts", "post")):
        assert spec["paths"][path][method]["security"] == [], path
    assert "security" not in spec["paths"]["/api/v1/notices/submissions"]["get"]
