"""Every UI string has a Chinese translation; English is selectable."""
from server.i18n import conflicts, untranslated


def test_every_ui_string_has_a_zh_cn_translation():
    missing = untranslated()
    assert not missing, f"run `python -m server.i18n` and translate: {missing}"


def test_no_two_catalogs_translate_one_msgid_differently():
    clashes = conflicts()
    assert not clashes, f"give these strings distinct msgids or one translation: {clashes}"
