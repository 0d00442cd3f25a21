"""Message catalogs, one per room (``server/<room>/translations``) plus one for the shared
layout (``server/translations``). The .po files are the source; .mo files are compiled when
out of date. ``python -m server.i18n`` extracts new strings into every zh_CN/en catalog and
lists the ones still untranslated (a test fails while any zh_CN string is)."""
from __future__ import annotations

import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

SERVER = Path(__file__).resolve().parent
LOCALES = ("zh_CN", "en")
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


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
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo_path)


def _sources() -> dict[Path, list[tuple[Path, str]]]:
    """Catalog directory → the (directory, pattern) sources whose strings it holds."""
    rooms = [p for p in SERVER.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    out = {SERVER / "translations": [(SERVER, "*.py"), (SERVER / "templates", "*.html")]}
    for room in rooms:
        out[room / "translations"] = [(room, "")]
    return out


def _extract(sources) -> dict[str, tuple]:
    messages = {}
    for directory, pattern in sources:
        if pattern:  # top-level files only
            for path in directory.glob(pattern):
                method = "python" if path.suffix == ".py" else "jinja2"
                with path.open("rb") as fh:
                    from babel.messages.extract import extract

                    for lineno, msg, _c, _ctx in extract(method, fh, keywords=KEYWORDS):
                        messages.setdefault(msg, (path.name, lineno))
            continue
        for filename, lineno, msg, _c, _ctx in extract_from_dir(
            directory, METHOD_MAP, keywords=KEYWORDS
        ):
            messages.setdefault(msg, (filename, lineno))
    return messages


def _load(path: Path, locale: str) -> Catalog:
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=locale)
    return Catalog(locale=locale)


def update() -> dict[str, list[str]]:
    """Add new strings to every catalog; return the untranslated zh_CN msgids per catalog."""
    missing = {}
    for catalog_dir, sources in _sources().items():
        messages = _extract(sources)
        if not messages and not catalog_dir.exists():
            continue
        for locale in LOCALES:
            path = catalog_dir / locale / "LC_MESSAGES" / "messages.po"
            catalog = _load(path, locale)
            for msg, (filename, lineno) in messages.items():
                key = msg if isinstance(msg, str) else msg[0]
                if key not in catalog:
                    catalog.add(msg, locations=[(filename, lineno)])
            for message in list(catalog):
                if message.id and (message.id if isinstance(message.id, str) else message.id[0]) \
                        not in {m if isinstance(m, str) else m[0] for m in messages}:
                    catalog.delete(message.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
            if locale == "zh_CN":
                untranslated = [m.id for m in catalog if m.id and not m.string]
                if untranslated:
                    missing[str(catalog_dir.relative_to(SERVER))] = untranslated
    return missing


def untranslated() -> dict[str, list[str]]:
    """zh_CN msgids used in the code that have no translation (without writing anything)."""
    missing = {}
    for catalog_dir, sources in _sources().items():
        messages = _extract(sources)
        if not messages:
            continue
        catalog = _load(catalog_dir / "zh_CN" / "LC_MESSAGES" / "messages.po", "zh_CN")
        for msg in messages:
            key = msg if isinstance(msg, str) else msg[0]
            entry = catalog.get(key)
            if entry is None or not entry.string or (
                    not isinstance(entry.string, str) and not all(entry.string)):
                missing.setdefault(str(catalog_dir.relative_to(SERVER)), []).append(key)
    return missing


if __name__ == "__main__":
    left = update()
    for where, ids in left.items():
        print(f"{where}: {len(ids)} untranslated")
        for msgid in ids:
            print(f"  {msgid}")
    sys.exit(1 if left else 0)
