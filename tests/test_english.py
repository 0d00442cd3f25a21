"""English mode is complete: with the demo county loaded, every role switches to English and
crawls its pages (home, lists, case pages in every demo state with their audit trail and
documents, the four intake forms, standards, filings, supervision, audit log, users); no
Chinese text may show that is not data. Data is what people typed or the county named:
regions, people, case numbers, answers, free text of steps (collected from the database), and
elements marked ``lang="zh…"`` (the language switch's own name, "中文")."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import select

from server.db import db
from server.schemas.operations import FORMS_DIR

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SKIP_PREFIXES = ("/api", "/static", "/logout", "/language", "/n/", "/public/")
SKIP_SUFFIXES = (".xlsx", ".csv", "/docx", "/pdf", "/download", "/file", "/photo", "/export",
                 "/status", "/build-status", "/preview")
ROLES = ("admin", "supervisor", "clerk", "approver", "village")
PER_PATTERN = 3  # pages of one URL shape (e.g. /users/<id>) per role; case pages: all
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    """Visible text (and readable attributes) outside <script>/<style> and outside elements
    marked ``lang="zh…"`` or ``class="data"``, plus the links of the page."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []
        self.links: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        skip = (tag in ("script", "style", "template")
                or (attrs.get("lang") or "").startswith("zh")
                or "data" in (attrs.get("class") or "").split())
        if not self._hidden() and not skip:
            self.chunks += [attrs[a] for a in ATTRIBUTES if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.chunks.append(data.strip())


def _strings(value):
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _typed_by_people():
    """Columns people fill in (names of offices, departments, holidays, letter numbers)."""
    from server.calendar.models import Holiday
    from server.delegation.models import DelegatedItem, DelegationTerms
    from server.documents.models import OfficeContact
    from server.window.models import WindowDepartment

    return (WindowDepartment.name, Holiday.name, DelegationTerms.custodian_name,
            DelegationTerms.letter_number, DelegatedItem.note, OfficeContact.office_name,
            OfficeContact.address, OfficeContact.objection_address)


def data_strings() -> list[str]:
    """What users entered or the county named, longest first (so that a region's full name
    goes before the part of it)."""
    from server.auth.models import User
    from server.cases.models import Case, CaseEvent, Member
    from server.regions.models import Region
    from server.standards.models import StandardSet

    typed = _typed_by_people()
    found = set()
    found.update(db.session.scalars(select(Region.name)))
    found.update(db.session.scalars(select(User.display_name)))
    for case in db.session.scalars(select(Case)):
        found.update([case.case_number, case.applicant_name, *_strings(case.answers)])
    for member in db.session.scalars(select(Member)):
        found.update([member.name, member.relationship_ or ""])
    for event in db.session.scalars(select(CaseEvent)):
        found.update(_strings(event.data))
    found.update(s for s in db.session.scalars(select(StandardSet.basis)) if s)
    for column in typed:
        found.update(s for s in db.session.scalars(select(column)) if isinstance(s, str))
    return sorted((s.strip() for s in found if s and CJK.search(s)), key=len, reverse=True)


def _follow(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    path, _, query = url.partition("?")
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return re.sub(r"/\d+", "/N", path) + "?" + "&".join(keys)


def crawl(client, start: list[str], data: list[str]) -> dict[str, set[str]]:
    """Chinese snippet (not data) → pages it shows on."""
    findings: dict[str, set[str]] = {}
    seen, shapes, queue = set(start), {}, list(start)
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        body = response.get_data(as_text=True) if "text/html" in response.content_type else ""
        response.close()  # downloads are streamed files
        if response.status_code != 200 or not body:
            continue
        parser = _Text()
        parser.feed(body)
        for chunk in parser.chunks:
            if chunk in data:
                continue
            for datum in data:
                if len(datum) > 1:  # one character ("无") would cut labels apart
                    chunk = chunk.replace(datum, " ")
            if CJK.search(chunk):
                findings.setdefault(chunk[:60], set()).add(url.partition("?")[0])
        for href in parser.links:
            target = _follow(href)
            if target is None or target in seen:
                continue
            shape = _shape(target)
            if shapes.get(shape, 0) >= PER_PATTERN and not shape.startswith("/cases/N?"):
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            seen.add(target)
            queue.append(target)
    return findings


def english(login, username):
    client = login(username)
    assert client.post("/language", data={"locale": "en", "next": "/"}).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in page
    return client


@pytest.mark.parametrize("username", ROLES)
def test_english_pages_show_no_chinese_but_data(login, demo, username):
    client = english(login, username)
    start = ["/", "/cases/", "/standards/", "/filings/", "/supervision/reviews", "/audit/",
             "/users/", "/intake/"] + [f"/intake/new?type={code}" for code in
                                       ("DB", "TK", "LS", "BY")]
    findings = crawl(client, start, data_strings())
    report = "\n".join(f"{snippet!r} on {sorted(pages)[:3]}"
                       for snippet, pages in sorted(findings.items()))
    assert not findings, f"{len(findings)} Chinese texts in English mode:\n{report}"


def _labelled(node, path="", in_choices=False):
    """(path, item) for every item of a form definition that shows a label or message."""
    if isinstance(node, dict):
        if any(k in node for k in ("label", "message", "row_label", "help")):
            yield path, node
        for key, value in node.items():
            yield from _labelled(value, f"{path}.{key}", key == "choices")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if in_choices and isinstance(value, str):
                yield f"{path}[{i}]", value
            else:
                yield from _labelled(value, f"{path}[{i}]")


@pytest.mark.parametrize("code", ("DB", "TK", "LS", "BY"))
def test_shipped_forms_have_english_for_every_label(code):
    definition = yaml.safe_load((FORMS_DIR / f"{code}.yaml").read_text(encoding="utf-8"))
    assert definition.get("title_en") and definition.get("description_en")
    missing = []
    for path, item in _labelled(definition):
        if isinstance(item, str):
            missing.append(f"{path} ({item}: a plain choice has no English)")
            continue
        for key in ("label", "message", "row_label", "help"):
            if key in item and not item.get(f"{key}_en"):
                missing.append(f"{path}.{key}_en")
    assert not missing, f"{len(missing)} without English:\n" + "\n".join(missing[:40])
