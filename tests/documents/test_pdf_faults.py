"""Print packs when LibreOffice is missing or hangs: the job page says so in Chinese, shows
no server path, and still offers the Word files."""
from __future__ import annotations

from server.relief import ReliefCode


def _pack(client, case) -> dict:
    response = client.post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_missing_soffice_is_explained_without_its_path(app, login, cases):
    app.config["SOFFICE"] = "/nonexistent/soffice"
    client = login("clerk")
    job_url = _pack(client, cases[ReliefCode.DB])
    status = client.get(job_url + "/status").json
    assert status["status"] == "done" and status["result_type"] == "zip"
    assert "未找到 LibreOffice" in status["error"] and "/nonexistent" not in status["error"]
    page = client.get(job_url).get_data(as_text=True)
    assert "data-progress-status>已完成 · 已生成" in page and "/nonexistent" not in page


def test_hung_soffice_fails_the_pack_in_chinese_without_paths(app, login, cases, tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho \"hung in $PWD $@\" >&2\nsleep 60\n")
    fake.chmod(0o755)
    app.config.update(SOFFICE=str(fake), SOFFICE_TIMEOUT=1)
    client = login("clerk")
    job_url = _pack(client, cases[ReliefCode.DB])
    status = client.get(job_url + "/status").json
    assert status["status"] == "failed" and status["status_label"] == "失败"
    assert "超过 1 秒" in status["error"] and str(tmp_path) not in status["error"]
    assert status["result_type"] == "zip" and status["download_url"]  # Word files to print
    page = client.get(job_url).get_data(as_text=True)
    assert str(tmp_path) not in page and "LibreOffice" in page
