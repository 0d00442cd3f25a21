"""Crawl every page reachable by links and report the words a person should never read.

``crawl(client, lang)`` follows same-origin GET links from the start pages (bounded, no
downloads) in the given language and returns ``{url: [finding, ...]}`` for the pages with
findings. What counts as a finding depends on the language: ``CHECKERS[lang]`` is a function
of the page's visible text (see ``check_common``, ``check_zh`` and ``check_en``).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

from server.idnumber import is_valid

SKIP_EXTENSIONS = (".docx", ".pdf", ".xlsx", ".xls", ".zip", ".png", ".jpg", ".svg", ".csv",
                   ".json", ".yaml", ".txt", ".ico", ".woff", ".woff2", ".js", ".css")
# prefixes no person reads as a page (downloads, files, the API and its docs, static files)
SKIP_PREFIXES = ("/static/", "/api/", "/apidocs", "/openapi")
# last path segments of download routes without an extension (/documents/1/pdf)
SKIP_SEGMENTS = {"pdf", "docx", "xlsx", "zip", "csv", "download", "photo", "file", "bundle"}
# words of visible text that no person should read, in any language
PYTHON_REPRS = re.compile(r"<built-in|<bound method|object at 0x|<function |\{'|\['|"
                          r"\[\d+(, \d+)*\]|Decimal\(|datetime\.|Markup\(")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
DOTTED = re.compile(r"\b[a-z]+\.[a-z_]+[a-z]\b")
PY_WORDS = re.compile(r"\b(None|True|False|null|undefined|nan|NaN)\b")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
HAN = re.compile(r"[\u3400-\u9fff]+")
# English a Chinese page may show: the product, file formats, units, the language switch
ALLOWED_EN = {
    "jiuzhu", "pdf", "docx", "xlsx", "xls", "csv", "zip", "yaml", "json", "id", "api", "sha",
    "english", "ip", "url", "http", "https", "svg", "kb", "mb", "gb", "utc", "ok", "x",
    "openapi", "token", "bearer", "cst", "am", "pm", "word", "excel", "jpeg", "jpg", "png",
    "ctrl", "shift", "enter", "esc", "tab",
}
# one-letter or code-like tokens that are data, not words (case numbers, region codes)
CODE_LIKE = re.compile(r"^[A-Z]{1,3}$")


class _Page(HTMLParser):
    """Visible text (and button titles, placeholders, values) and the links of a page. Text
    inside an element marked as data (``lang="zh…"``: a stored Chinese record shown as it is,
    or ``class="data"``) is data, not the page's language, and is left out."""

    HIDDEN = {"script", "style", "template", "noscript"}
    # source a county edits (form definitions, document templates) is code, shown as code
    SOURCE = {"pre", "code", "textarea"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._form = None
        self._select = None
        self._data: list[str] = []  # open elements marked as data (their tags)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._form_field(tag, attrs)
        if tag in self.HIDDEN or tag in self.SOURCE:
            self._hidden += 1
            return
        if tag not in self.VOID and (self._data or (attrs.get("lang") or "").startswith("zh")
                                     or "data" in (attrs.get("class") or "").split()):
            self._data.append(tag)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if self._data:
            return
        is_code = "code" in (attrs.get("class") or "").split()  # its placeholder is code
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name) and not (is_code and name == "placeholder"):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def _form_field(self, tag, attrs):
        """GET forms (filters, searches) are links too: their action with the values shown."""
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = (attrs.get("action") or "", [])
        elif tag == "form":
            self._form = None
        form = getattr(self, "_form", None)
        if form is None or not attrs.get("name"):
            if tag == "option" and form is not None and self._select and \
                    (attrs.get("selected") is not None or not self._select[1]):
                self._select[1] = attrs.get("value", "")
            return
        if tag == "select":
            self._select = [attrs["name"], ""]
        elif tag in ("input", "textarea") and attrs.get("type") not in ("submit", "button",
                                                                        "checkbox", "radio",
                                                                        "file"):
            form[1].append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        form = getattr(self, "_form", None)
        if tag == "select" and form is not None and getattr(self, "_select", None):
            form[1].append(tuple(self._select))
            self._select = None
        if tag == "form" and form is not None:
            self.links.append(form[0] + "?" + urlencode(form[1]) if form[1] else form[0])
            self._form = None
        if (tag in self.HIDDEN or tag in self.SOURCE) and self._hidden:
            self._hidden -= 1
        if tag in self._data:  # close up to the element (unclosed <p>, <li> inside it)
            del self._data[len(self._data) - 1 - self._data[::-1].index(tag):]

    def handle_data(self, data):
        if not self._hidden and not self._data and data.strip():
            self.text.append(data.strip())


def parse(html: str) -> tuple[str, list[str]]:
    """The page's visible text (one line per text node) and its link targets."""
    page = _Page()
    page.feed(html)
    return "\n".join(page.text), page.links


def check_common(text: str, words=PY_WORDS) -> list[str]:
    """Findings in any language: Python values, internal names, unmasked ID numbers."""
    found = []
    for pattern, what in ((PYTHON_REPRS, "Python repr"), (SNAKE, "snake_case name"),
                          (DOTTED, "dotted name"), (words, "Python value")):
        found += [f"{what}: {_around(text, m)}" for m in pattern.finditer(text)]
    found += [f"unmasked ID number: {m.group()}" for m in ID_NUMBER.finditer(text)
              if is_valid(m.group())]
    return found


def check_zh(text: str, data=frozenset()) -> list[str]:
    """A Chinese page: common findings plus English words outside the allow-list and the
    ``data`` words (what users typed: user names, file names)."""
    found = check_common(text)
    for line in text.splitlines():
        for m in ENGLISH.finditer(line):
            word = m.group()
            if word.lower() in ALLOWED_EN or word in data or CODE_LIKE.match(word) \
                    or _in_data(line, m):
                continue
            found.append(f"English word: {word!r} in {line[:80]!r}")
    return found


# Chinese an English page may show: the language switch
ALLOWED_ZH = {"中文"}
# "None" is English for an empty list (无) when it stands alone; beside other words a value
PY_WORDS_EN = re.compile(r"\b(True|False|null|undefined|nan|NaN)\b|(?<=[^\n])None\b|\bNone(?=[^\n])")


def check_en(text: str, data=frozenset()) -> list[str]:
    """An English page: common findings plus Chinese text that is not data. ``data`` are
    the scenario's Chinese names (regions, people, users, standards' bases…), removed from the
    text before looking for Chinese; what remains is an untranslated label (issue 15 point 2:
    the lead adds ``crawl(client, "en")`` once English is complete)."""
    found = check_common(text, PY_WORDS_EN)
    lines = [line for line in text.splitlines() if line not in data]
    text = "\n".join(lines)
    # one character ("无") would cut labels apart: only longer data is cut out of a line
    for word in sorted({*(d for d in data if len(d) > 1), *ALLOWED_ZH}, key=len, reverse=True):
        text = text.replace(word, " ")
    for line in text.splitlines():
        if HAN.search(line):
            found.append(f"Chinese text: {line[:80]!r}")
    return found


CHECKERS = {"zh_CN": check_zh, "en": check_en}


def _around(text: str, match: re.Match) -> str:
    return repr(text[max(0, match.start() - 30):match.end() + 30])


def _in_data(line: str, match: re.Match) -> bool:
    """Letters inside a code (case number DB-2026-0001, file name x.docx, e-mail, URL)."""
    before = line[match.start() - 1] if match.start() else " "
    after = line[match.end()] if match.end() < len(line) else " "
    return before in "-_./@:0123456789" or after in "-_./@0123456789"


def _wanted(url: str) -> bool:
    path = urlsplit(url).path
    return not (path.lower().endswith(SKIP_EXTENSIONS) or path.startswith(SKIP_PREFIXES)
                or path.rstrip("/").rsplit("/", 1)[-1] in SKIP_SEGMENTS)


def set_language(client, lang: str) -> None:
    response = client.post("/language", data={"locale": lang, "next": "/"})
    assert response.status_code == 302, response.status_code


def crawl(client, lang: str = "zh_CN", start=("/",), limit: int = 600, per_path: int = 3,
          skip=(), data=frozenset(), visited: list | None = None) -> dict[str, list[str]]:
    """Follow same-origin GET links from ``start`` (at most ``limit`` pages, ``per_path``
    query variants of one path: filters and pages look alike) in ``lang`` and return the
    findings per URL (pages that fail with 5xx are findings too). ``data`` are words that
    are data in this scenario (user names), passed to the checker; ``visited`` collects the
    URLs fetched."""
    check = CHECKERS[lang]
    set_language(client, lang)
    seen, queue, findings = set(start), list(start), {}
    variants: dict[str, int] = {}
    visited = [] if visited is None else visited
    while queue and len(visited) < limit:
        url = queue.pop(0)
        response = client.get(url)
        visited.append(url)
        if response.status_code >= 500:
            findings[url] = [f"HTTP {response.status_code}"]
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            targets = [response.headers["Location"]]
            text = ""
        elif "text/html" not in response.content_type:
            continue
        else:  # error pages (403, 404) are read too, but their links are the layout's
            text, targets = parse(response.get_data(as_text=True))
            if response.status_code != 200:
                targets = []
        found = check(text, data)
        if found:
            findings[url] = sorted(set(found))
        for href in targets:
            target, _ = urldefrag(urljoin("http://localhost" + url, href))
            parts = urlsplit(target)
            if parts.netloc not in ("localhost", "") or parts.scheme not in ("http", ""):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local in seen or not _wanted(local) or any(s in local for s in skip):
                continue
            variants[parts.path] = variants.get(parts.path, 0) + 1
            if variants[parts.path] > per_path:
                continue
            seen.add(local)
            queue.append(local)
    return findings
