"""Every UI string has a Chinese translation; English is selectable."""
import ast
import re
from pathlib import Path

from server.i18n import conflicts, untranslated


def test_every_ui_string_has_a_zh_cn_translation():
    missing = untranslated()
    assert not missing, f"run `python -m server.i18n` and translate: {missing}"


def test_no_two_catalogs_translate_one_msgid_differently():
    clashes = conflicts()
    assert not clashes, f"give these strings distinct msgids or one translation: {clashes}"


def test_processes_starting_together_compile_the_catalogs_without_tripping(tmp_path):
    """Two web processes (or test workers) starting at once both compile a stale catalog:
    neither may fail on the other's temporary file."""
    import os
    import shutil
    import threading
    import time

    from server.i18n import SERVER, compile_catalogs

    shutil.copytree(SERVER / "cases" / "translations", tmp_path / "t",
                    ignore=shutil.ignore_patterns("*.mo"))
    for po in (tmp_path / "t").glob("*/LC_MESSAGES/messages.po"):  # newer than any .mo:
        os.utime(po, (time.time() + 3600,) * 2)  # every pass compiles again
    errors = []

    def compile_all():
        try:
            for _ in range(20):
                compile_catalogs(tmp_path / "t")
        except OSError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=compile_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert not list((tmp_path / "t").rglob("*.tmp"))


def test_a_lazy_message_prints_its_typed_values_escaped(app):
    """A refusal is a lazy msgid carrying what the user typed; a page must show it as text."""
    from flask import render_template_string
    from flask_babel import lazy_gettext

    with app.test_request_context():
        html = render_template_string("{{ m }}", m=lazy_gettext("%(name)s", name="<b>x</b>"))
    assert html == "&lt;b&gt;x&lt;/b&gt;"


# messages a user reads are msgids with a zh_CN translation; these modules speak to the
# command line in both languages at once ("中文 / English") and are not shown on pages
BILINGUAL_CLI = {"server/backup.py"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRANSLATING = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "stored", "in_page_language"}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _chinese_literals(node):
    """Chinese string constants under ``node`` that no translating call wraps."""
    if isinstance(node, ast.Call) and _name(node) in _TRANSLATING:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CJK.search(node.value):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _chinese_literals(child)


def test_refusals_are_msgids_so_english_pages_read_them_in_english():
    """A raised refusal, flash() or abort() text composed in Chinese stays Chinese on English
    pages; each one must be a msgid (its Chinese is the zh_CN translation)."""
    found = []
    for path in sorted(Path("server").rglob("*.py")):
        if path.as_posix() in BILINGUAL_CLI:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
            elif isinstance(node, ast.Call) and _name(node) in {"flash", "abort"}:
                call = node
            else:
                continue
            found += [f"{path}:{c.lineno}: {c.value}" for c in _chinese_literals(call)]
    assert found == []
