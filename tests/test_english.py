"""English mode is complete: every label of the shipped intake forms has its English twin.
The crawl in English (every role's pages show no Chinese that is not data) is
``tests/test_crawl.py::test_no_internal_words_on_any_page[en]``."""
from __future__ import annotations

import pytest
import yaml

from server.schemas.operations import FORMS_DIR


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
