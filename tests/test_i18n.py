"""Every UI string has a Chinese translation; English is selectable."""
from server.i18n import untranslated


def test_every_ui_string_has_a_zh_cn_translation():
    missing = untranslated()
    assert not missing, f"run `python -m server.i18n` and translate: {missing}"
