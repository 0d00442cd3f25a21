"""The print pack page polls its status (static/js/progress.js), refreshes without JavaScript,
shows the download when done, and a second press while the pack is built is refused."""
from __future__ import annotations

from sqlalchemy import func, select

from server.db import db
from server.documents.models import PrintJob
from server.relief import ReliefCode


def test_print_pack_polls_and_refuses_a_second_start(login, cases):
    case = cases[ReliefCode.DB]
    client = login("clerk")
    assert "data-pack=\"acceptance\" data-once" in client.get(
        f"/documents/cases/{case.id}").get_data(as_text=True)
    job = PrintJob(case_id=case.id, region_id=case.region_id, step="acceptance",
                   kinds=["application"], status="running", progress=65,
                   message="正在转换为 PDF（首次转换需启动 LibreOffice，可能要半分钟）")
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/documents/jobs/{job.id}").get_data(as_text=True)
    assert f'data-progress-url="/documents/jobs/{job.id}/status"' in page
    assert '<noscript><meta http-equiv="refresh"' in page and "首次转换需启动 LibreOffice" in page
    status = client.get(f"/documents/jobs/{job.id}/status").json
    assert (status["status_label"], status["progress"], status["result_url"]) == ("进行中", 65,
                                                                                None)
    again = client.post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"},
                        follow_redirects=True)
    assert "打印包正在生成" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PrintJob.id))) == 1
