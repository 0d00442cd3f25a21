"""Message catalogs, one per room (``server/<room>/translations``) plus one for the shared
layout (``server/translations``). The .po files are the source; .mo files are compiled when
out of date. ``python -m server.i18n`` extracts new strings into every zh_CN/en catalog and
lists the ones still untranslated (a test fails while any zh_CN string is)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .faults import atomic_write

SERVER = Path(__file__).resolve().parent
LOCALES = ("zh_CN", "en")
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def escape_lazy_strings() -> None:
    """Flask-Babel's lazy strings claim to be markup (``__html__``), so Jinja would print the
    values a refusal carries (``%(name)s``, typed by a user) unescaped: make them plain text."""
    from flask_babel.speaklater import LazyString

    if "__html__" in LazyString.__dict__:
        del LazyString.__html__


def in_page_language(chinese: str, english: str = "") -> str:
    """A text that is data with an English twin: the twin on English pages when it has one,
    else the Chinese (which is also what is printed)."""
    return english if english and is_english() else chinese


def is_english() -> bool:
    """Is the current request's page in English? (False outside a request: the office's
    language.) For texts that are data with an English twin rather than a msgid."""
    from flask_babel import get_locale

    try:
        locale = get_locale()
    except RuntimeError:
        return False
    return locale is not None and locale.language == "en"


def compile_catalogs(directory: Path) -> None:
    """Compile each ``<locale>/LC_MESSAGES/messages.po`` into the folder named after Babel's
    canonical form of the locale (``zh_CN`` → ``zh_Hans_CN``), which is where Flask-Babel
    looks for it."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        canonical = str(Locale.parse(po_path.parent.parent.name))
        mo_path = directory / canonical / "LC_MESSAGES" / "messages.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        # processes starting together each compile: each through its own temporary file
        atomic_write(mo_path, compiled.getvalue())


def _sources() -> dict[Path, list[tuple[Path, str]]]:
    """Catalog directory → the (directory, pattern) sources whose strings it holds."""
    rooms = [p for p in SERVER.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    out = {SERVER / "translations": [(SERVER, "*.py"), (SERVER / "templates", "*.html")]}
    for room in rooms:
        out[room / "translations"] = [(room, "")]
    return out


def _key(msg) -> str:
    """A catalog key: the msgid (the singular form for plurals)."""
    return msg if isinstance(msg, str) else msg[0]


def _extract(sources) -> dict[str, tuple]:
    """msgid key → (message as extracted, (file, line)) for every string in ``sources``."""
    found = []
    for directory, pattern in sources:
        if pattern:  # the shared catalog: top-level files only, not the rooms below
            for path in directory.glob(pattern):
                method = "python" if path.suffix == ".py" else "jinja2"
                with path.open("rb") as fh:
                    found += [(path.name, line, msg)
                              for line, msg, _c, _x in extract(method, fh, keywords=KEYWORDS)]
        else:
            found += [(name, line, msg) for name, line, msg, _c, _x in
                      extract_from_dir(directory, METHOD_MAP, keywords=KEYWORDS)]
    messages = {}
    for name, line, msg in found:
        messages.setdefault(_key(msg), (msg, (name, line)))
    return messages


def _load(path: Path, locale: str) -> Catalog:
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=locale)
    return Catalog(locale=locale)


def _po(catalog_dir: Path, locale: str) -> Path:
    return catalog_dir / locale / "LC_MESSAGES" / "messages.po"


def update() -> dict[str, list[str]]:
    """Add new strings to every catalog, drop unused ones; return what zh_CN lacks."""
    for catalog_dir, sources in _sources().items():
        messages = _extract(sources)
        if not messages and not catalog_dir.exists():
            continue
        for locale in LOCALES:
            catalog = _load(_po(catalog_dir, locale), locale)
            for key, (msg, location) in messages.items():
                if key not in catalog:
                    catalog.add(msg, locations=[location])
            for message in list(catalog):
                if message.id and _key(message.id) not in messages:
                    catalog.delete(message.id)
            path = _po(catalog_dir, locale)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    return untranslated()


def untranslated() -> dict[str, list[str]]:
    """zh_CN msgids used in the code that have no translation (without writing anything)."""
    missing = {}
    for catalog_dir, sources in _sources().items():
        messages = _extract(sources)
        if not messages:
            continue
        catalog = _load(_po(catalog_dir, "zh_CN"), "zh_CN")
        for key in messages:
            entry = catalog.get(key)
            strings = [entry.string] if entry and isinstance(entry.string, str) else \
                list(entry.string) if entry else [""]
            if not all(strings):
                missing.setdefault(str(catalog_dir.relative_to(SERVER)), []).append(key)
    return missing


def conflicts() -> dict[str, set[str]]:
    """zh_CN msgids that two catalogs translate differently: every catalog is merged into one
    domain at run time, so one room's "Done" (完成) would replace another's (已完成)."""
    seen: dict[str, set[str]] = {}
    for catalog_dir in _sources():
        catalog = _load(_po(catalog_dir, "zh_CN"), "zh_CN")
        for message in catalog:
            if message.id and isinstance(message.string, str) and message.string:
                seen.setdefault(_key(message.id), set()).add(message.string)
    return {msgid: strings for msgid, strings in seen.items() if len(strings) > 1}


if __name__ == "__main__":
    left = update()
    for where, ids in left.items():
        print(f"{where}: {len(ids)} untranslated")
        for msgid in ids:
            print(f"  {msgid}")
    sys.exit(1 if left else 0)
