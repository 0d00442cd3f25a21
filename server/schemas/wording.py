"""Lists inside messages in the page's language: 甲、乙 in Chinese, "a, b" in English."""
from __future__ import annotations

from ..i18n import is_english


def joined(items) -> str:
    """Items listed: ``甲、乙、丙`` or ``a, b, c``."""
    return (", " if is_english() else "、").join(str(i) for i in items)


def either(items) -> str:
    """Alternatives: ``文本或数字`` or ``text or number``."""
    return (" or " if is_english() else "或").join(str(i) for i in items)
