"""Run the demo scenario, then crawl every page as every demo role (and logged out) in
Chinese and in English: no page shows a Python value, an internal name or an unmasked ID
number; a Chinese page no English word outside a short allow-list, an English page no Chinese
that is not data (issue 15). Data is what people typed or the county named (collected from the
database) and what a page marks as data (``lang="zh…"``, ``class="data"``)."""
from __future__ import annotations

import pytest

from server.db import db
from server.demo import USERS, demo_user
from server.schemas.operations import create_draft

from .conftest import AuthActions, region
from .crawl import HAN, crawl
from .samples import SAMPLES

ROLES = [username for username, *_ in USERS]
PUBLIC = ("/", "/login", "/public", "/public/report", "/public/receipt", "/notices/board")
# pages no link leads to (reached after a POST or by a typed URL), filled from the samples
UNLINKED = ("/archives/lookup", "/filings/{filing_id}", "/archives/jobs/{job_id}",
            "/schemas/versions/{draft}/diff", "/schemas/versions/{draft}/builder",
            "/schemas/cases/{case_id}/migrate", "/intake/done/{case_id}", "/cases/999999")


def _scenario():
    """The demo county (cases at every step, from server demo steps) plus one object of
    every kind the URL walk knows, in 东风镇 and 东风村, so every kind of page has a row.
    Returns the words that are data (user names) and the unlinked pages to start from."""
    for where in ("220999101201", "220999101000"):
        ids = {arg: make(region(where)) for arg, make in SAMPLES.items()}
    _jobs_at_work(ids)
    county = region("220999000000")
    ids["draft"] = create_draft(county, "DB", demo_user("admin")).id
    db.session.commit()
    return _data_words(), tuple(url.format(**ids) for url in UNLINKED)


def _strings(value):
    """Every string inside a JSON-like value (a case's answers, an event's data)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _typed_by_samples() -> set[str]:
    """The Chinese texts ``tests/samples.py`` types as a person would (names, file names,
    complaint text): data wherever a page shows them."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).parent / "samples.py").read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and HAN.search(node.value)
            and not isinstance(getattr(node, "parent", None), ast.Expr)} - _docstrings(tree)


def _docstrings(tree) -> set[str]:
    import ast

    return {ast.get_docstring(node, clean=False) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.Module, ast.ClassDef))} - {None}


def _data_words() -> set[str]:
    """Words that are data in this scenario, in any language (a checker skips them): user
    names, regions, people, case numbers and answers, what steps stored, standards' bases and
    the columns people fill in (offices, departments, holidays, letter numbers)."""
    from sqlalchemy import select

    from server.auth.models import User
    from server.calendar.models import Holiday
    from server.cases.models import Case, CaseEvent, Member
    from server.delegation.models import DelegatedItem, DelegationTerms
    from server.documents.models import OfficeContact
    from server.regions.models import Region
    from server.standards.models import StandardSet
    from server.window.models import WindowDepartment

    words = {f"sample{where}" for where in ("220999101000", "220999101201")}
    words.update(_typed_by_samples())
    for column in (User.username, User.display_name, Region.name, Member.name,
                   Member.relationship_, StandardSet.basis, WindowDepartment.name,
                   WindowDepartment.matters, Holiday.name,
                   DelegationTerms.custodian_name, DelegationTerms.letter_number,
                   DelegatedItem.note, OfficeContact.office_name, OfficeContact.address,
                   OfficeContact.objection_address):
        words.update(w for w in db.session.scalars(select(column)) if isinstance(w, str))
    for case in db.session.scalars(select(Case)):
        words.update([case.case_number, case.applicant_name, *_strings(case.answers)])
    for data in db.session.scalars(select(CaseEvent.data)):
        words.update(_strings(data))
    return {w.strip() for w in words if w and w.strip()}


def _jobs_at_work(ids):
    """Background jobs as a worker leaves them: running with an English progress key, retried
    after a stop (the sample jobs are only queued)."""
    from server.archives.models import ArchiveJob, JobStatus
    from server.documents.models import PrintJob

    archive = db.session.get(ArchiveJob, ids["job_id"])
    archive.status, archive.progress = JobStatus.running, 40
    archive.message = "converting cover and inventory"
    prints = db.session.get(PrintJob, ids["print_job_id"])
    prints.status, prints.message = "running", "requeued after an interrupted worker"


def _public_pages():
    """The public pages: the login, the 赋权清单, reports, and every posted notice by token."""
    from sqlalchemy import select

    from server.notices.models import PostedNotice

    return (*PUBLIC, *(f"/n/{t}" for t in db.session.scalars(select(PostedNotice.token))))


@pytest.mark.parametrize("lang", ("zh_CN", "en"))
def test_no_internal_words_on_any_page(app, demo, lang):
    data, unlinked = _scenario()
    report, visited = {}, {}
    for username in [None, *ROLES]:
        client = app.test_client()
        if username:
            assert AuthActions(client).login(username).status_code == 302
        start = ("/", *unlinked) if username else _public_pages()
        pages = visited[username or "anonymous"] = []
        for url, found in crawl(client, lang, start=start, data=data, visited=pages).items():
            report.setdefault(url, {})[username or "anonymous"] = found
    # the crawl reached the pages the issue names: case pages, documents, the audit log
    assert {"/cases/1", "/documents/", "/audit/"} <= set(visited["clerk"])
    assert len(visited["admin"]) > 100 and any(u.startswith("/n/") for u in visited["anonymous"])
    lines = []
    for url, by_role in sorted(report.items()):
        roles = ", ".join(by_role)
        found = sorted({f for fs in by_role.values() for f in fs})
        lines.append(f"{url} [{roles}]\n    " + "\n    ".join(found))
    assert not report, f"{sum(len(v) for r in report.values() for v in r.values())} " \
        f"findings on {len(report)} pages:\n" + "\n".join(lines)


def test_checkers_catch_what_the_issue_saw():
    """The checkers flag every example of issue 15 and pass clean Chinese with its allow-list."""
    from datetime import date

    from server.idnumber import make, mask

    from .crawl import check_en, check_zh, parse

    number = make("220999", date(1960, 1, 1), 1)
    seen = ["state: accepted", "investigators: [3, 5]", "reviewer_id: None", "case.approve",
            "承诺书 (<built-in method copy of dict object at 0x7f12>)", "本步骤文书： one_time_notice",
            "东风镇经办员 township_clerk", "User 3", "queued", "converting cover and inventory",
            "{'a': 1}", "是否在保：True", f"身份证号 {number}"]
    for text in seen:
        assert check_zh(text), text
    clean = ["下载 PDF · DOCX · XLSX", "Jiuzhu 社会救助经办系统", "English", f"身份证号 {mask(number)}",
             "案件 DB-2026-0001", "SHA-256 校验", "金额 1200.00 元", "<code>per_capita_income</code>"]
    for html in clean:
        text, _ = parse(html)
        assert not check_zh(text), html
    assert parse('<script>var x_y = None;</script><p title="t_x">好</p>')[0] == "t_x\n好"
    assert check_en("State: 已受理") and not check_en("Village: 东风村", data={"东风村"})
    # what a page marks as data (a stored record, a file's Chinese headers) is not its language
    marked, _ = parse('<p>Columns: <span lang="zh-CN">救助类别<b>、</b>户主姓名</span> (headers)</p>'
                      '<td class="data">东风村</td><td>已受理</td>')
    assert marked == "Columns:\n(headers)\n已受理" and check_en(marked)
    # "None" alone is English for an empty list; beside a word it is a Python value
    assert not check_en("Cases\nNone") and check_en("Reviewer: None")
