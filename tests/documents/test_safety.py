"""Templates fail safely and stay bounded: the lint checks every form a template serves and
folds constant bombs; rendering turns any failure into a Chinese message naming the document
and paragraph; hostile templates are stopped in seconds; .docx bombs are refused at upload."""
from __future__ import annotations

import io
import threading
import time
import zipfile

import pytest

from server.db import db
from server.documents import operations
from server.documents.errors import RenderError, RenderLimit
from server.documents.models import DocTemplateVersion, GeneratedDocument
from server.documents.queries import store_template_bytes
from server.documents.rendering import sha256
from server.relief import ReliefCode

from ..conftest import region
from .conftest import docx_with

OBLIGORS = "{% for r in answers.obligors %}{{ r.name }}{% endfor %}"  # only the 特困 form has it


def county():
    return region("220999000000")


def _errors(text: str, kind: str = "application") -> list[str]:
    report = operations.lint_template(kind, county(), docx_with("第一段", text))
    return [str(i) for i in report.errors]


def _bypassing_lint(kind: str, data: bytes) -> DocTemplateVersion:
    """A version in force as if uploaded before the lint knew better."""
    version = DocTemplateVersion(kind=kind, region_id=county().id, number=1, filename="old.docx",
                                 path=store_template_bytes(data, sha256(data)), sha256=sha256(data),
                                 is_active=True)
    db.session.add(version)
    db.session.commit()
    return version


# -- issue 9.7: every form, no 500, Chinese syntax errors -------------------------------------

def test_lint_checks_a_custom_group_against_every_form_the_kind_serves(demo):
    errors = _errors(OBLIGORS)
    assert any("obligors" in e and "低保" in e for e in errors), errors
    assert not any("特困" in e for e in errors if "obligors" in e), errors
    assert operations.lint_template("application", county(), docx_with(
        "{% for r in answers.members %}{{ r.name }}{% endfor %}")).ok


def test_jinja_syntax_errors_are_explained_in_chinese(demo):
    errors = _errors("{% for m in members %}{{ m.name }}")
    assert any("缺少结束标签" in e and "endfor" in e for e in errors), errors
    assert not any("Unexpected" in e or "Jinja" in e for e in errors), errors
    errors = _errors("{{ case.number }")
    assert errors and all("模板语法错误" in e for e in errors) and "unexpected" not in errors[0]


def test_a_template_failing_for_a_form_gives_a_chinese_message_not_a_500(login, cases):
    _bypassing_lint("application", docx_with("申请书", "义务人：" + OBLIGORS))
    case = cases[ReliefCode.DB]
    with pytest.raises(RenderError) as info:
        operations.generate("application", case)
    message = str(info.value)
    assert "《社会救助申请书》" in message and "要循环的数据不存在" in message
    assert "义务人：" in message  # the paragraph
    client = login("clerk")
    response = client.post(f"/documents/cases/{case.id}/generate",
                           data={"kind": "application"}, follow_redirects=True)
    assert response.status_code == 200 and "《社会救助申请书》" in response.get_data(as_text=True)
    assert db.session.query(GeneratedDocument).count() == 0
    admin = login("admin")
    preview = admin.get("/documents/templates/application/preview?number=1&relief=DB",
                        follow_redirects=True)
    assert preview.status_code == 200 and "要循环的数据不存在" in preview.get_data(as_text=True)
    bad = admin.get("/documents/templates/application/preview?number=abc")
    assert bad.status_code == 400 and "number" in bad.get_data(as_text=True)


# -- issue 10.3: bombs refused at upload, stopped at render ------------------------------------

BOMBS = {
    "list of a huge string": "{% for i in ('a'*10000000)|list %}x{% endfor %}",
    "string repetition": "{{ 'a' * 100000000 }}",
    "power": "{{ 9 ** (9 ** 7) }}",
    "four nested loops": "{% set s = 'a' * 900000 %}{% for a in s %}{% for b in s %}"
                         "{% for c in s %}{% for d in s %}x{% endfor %}{% endfor %}{% endfor %}"
                         "{% endfor %}",
    "computed dunder": "{{ (applicant.name|string)['__cla' ~ 'ss__'] }}",
}


@pytest.mark.parametrize("name", BOMBS)
def test_the_lint_refuses_template_bombs(demo, name):
    errors = _errors(BOMBS[name])
    assert errors, name
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors


RENDER_BOMBS = dict(BOMBS, **{
    "output flood": "{% set s = 'a' * 900000 %}{% for a in s %}{{ s }}{% endfor %}",
    "doubling": "{% set s = 'a' * 900000 %}{% set s = s ~ s %}{% set s = s ~ s %}{{ s }}",
    "format width": "{{ '%0999999999d' % 1 }}",
    "filter width": "{{ 'a'|center(999999999) }}",
})


@pytest.mark.parametrize("name", RENDER_BOMBS)
def test_template_bombs_are_stopped_in_seconds_with_a_message(app, cases, name):
    app.config["DOCUMENT_RENDER_SECONDS"] = 2
    started = time.monotonic()
    with pytest.raises(RenderError) as info:
        operations.render_kind("application", cases[ReliefCode.DB],
                               template=docx_with(RENDER_BOMBS[name]))
    assert time.monotonic() - started < 6, name
    assert "《社会救助申请书》的模板无法生成" in str(info.value)
    if name != "computed dunder":
        assert isinstance(info.value, RenderLimit) and "已停止" in str(info.value)


def test_a_bomb_preview_does_not_hold_up_other_requests(app, login, demo):
    app.config["DOCUMENT_RENDER_SECONDS"] = 3
    _bypassing_lint("application", docx_with(BOMBS["four nested loops"]))
    admin, clerk = login("admin"), login("clerk")
    result = {}

    def preview():
        started = time.monotonic()
        response = admin.get("/documents/templates/application/preview?number=1",
                             follow_redirects=True)
        result["preview"] = (time.monotonic() - started, response.status_code,
                             response.get_data(as_text=True))

    thread = threading.Thread(target=preview)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert clerk.get("/documents/").status_code == 200
    other = time.monotonic() - started
    thread.join(30)
    seconds, status, page = result["preview"]
    assert status == 200 and "已停止" in page and seconds < 10
    assert other < 2.5, other


def _docx_with_part(name: str, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_with("正文"))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr(name, b" " * size)
    return out.getvalue()


def test_a_docx_expanding_to_a_huge_part_is_refused_at_once(demo):
    bomb = _docx_with_part("word/bomb.xml", 77 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    started = time.monotonic()
    with pytest.raises(operations.TemplateRejected) as info:
        operations.upload_template("application", county(), "bomb.docx", bomb)
    assert time.monotonic() - started < 3
    assert "解压后" in str(info.value)


def test_a_docx_of_too_many_parts_is_refused(demo):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(3000):
            archive.writestr(f"word/p{n}.xml", b"")
    with pytest.raises(operations.TemplateRejected, match="部件"):
        operations.upload_template("application", county(), "many.docx", out.getvalue())


def _table_docx(*rows: str) -> bytes:
    """A .docx whose one-column table has these rows (``{%tr %}`` tags live in table rows)."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("附表")
    table = doc.add_table(rows=len(rows), cols=1)
    for row, text in zip(table.rows, rows, strict=True):
        row.cells[0].text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


EXTRA_ROWS = ("{%tr for r in answers.extra_rows %}", "{{ r.item }}", "{%tr endfor %}")


def test_a_custom_group_of_one_published_form_is_refused_for_the_others(login, demo):
    from server.schemas.models import SchemaStatus, SchemaVersion

    db.session.add(SchemaVersion(
        county_id=county().id, relief_type=ReliefCode.DB, number=9,
        status=SchemaStatus.published, source="{}",
        definition={"fields": [{"name": "extra_rows", "fields": [{"name": "item"}]}]}))
    db.session.commit()
    report = operations.lint_template("application", county(), _table_docx(*EXTRA_ROWS))
    errors = [str(i) for i in report.errors]
    assert any("extra_rows" in e and "特困" in e for e in errors), errors
    assert not any("extra_rows" in e and "（低保、" in e for e in errors), errors


def test_a_print_pack_whose_template_fails_says_which_document(login, cases):
    from server.documents.models import PrintJob

    _bypassing_lint("application", docx_with("义务人：" + OBLIGORS))
    case = cases[ReliefCode.DB]
    login("clerk").post(f"/documents/cases/{case.id}/pack", data={"step": "acceptance"})
    job = db.session.query(PrintJob).one()
    assert job.status == "failed" and "《社会救助申请书》" in job.error


@pytest.mark.parametrize("text", ["{{ applicant[1 ** 'a'] }}", "{{ 10.0 ** 400 }}",
                                  "{{ (1 // 0)|string }}", "{{ members[('a' ~ 1)|int] }}"])
def test_the_lint_survives_constants_that_cannot_be_computed(demo, text):
    """Folding a constant that raises (TypeError, overflow, division by zero) is no crash."""
    report = operations.lint_template("application", county(), docx_with(text))
    assert isinstance(report.ok, bool)
