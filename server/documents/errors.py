"""Errors of the documents room: each carries a message meant for the user (English msgids,
shown in the user's language; Chinese in the office's)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..faults import UserFacing


class DocumentError(UserFacing):
    """A refusal with a message meant for the user (in any language: ``faults.user_message``
    passes it on)."""


class RenderError(DocumentError):
    """A template failed while rendering: the message names the document and paragraph."""


class RenderLimit(RenderError):
    """A render exceeded its time, operation, size or memory bounds and was stopped;
    ``reason`` is what was exceeded (the lint reports it without "stopped")."""

    def __init__(self, reason):
        super().__init__(_l("%(reason)s; stopped", reason=reason))
        self.reason = reason


def unknown_kind(name: str):
    return _l("Unknown document kind: %(kind)s", kind=name)


# Jinja's delimiters, passed as values so the messages hold no bare "%"
PRINT, STATEMENT = "{{ }}", "{% %}"
# messages the lint reports too
LOOP_LISTS_ONLY = _l("A for loop can only go over a list")


def in_paragraph(text: str):
    return _l(" (in the paragraph “%(text)s”)", text=text[:60])


def no_field(name: str):
    return _l("No such field: %(name)s", name=name)


def undefined(name: str):
    return _l("Undefined variable %(name)s", name=name)


def unsafe(name: str):
    return _l("Unsafe attribute %(name)s (names may not start with an underscore)", name=name)


# Jinja's English messages and what a county admin reads instead (first match wins).
_EXPLAINED = [
    (r"Unexpected end of template\. Jinja was looking for the following tags: ([^.]*)\."
     r"(?: The innermost block that needs to be closed is '(\w+)')?",
     lambda m: _l("The template ends before its closing tags (%(tags)s): check that %(block)s "
                  "is closed", tags=_tags(m.group(1)), block=_block(m.group(2)))),
    (r"unexpected end of template",
     lambda m: _l("The template ends unexpectedly: a %(print)s or %(statement)s is not closed",
                  print=PRINT, statement=STATEMENT)),
    (r"Encountered unknown tag '(\w+)'",
     lambda m: _l("Unknown tag “%(tag)s” (a %(statement)s may be mistyped, or its opening tag "
                  "is missing)", tag=m.group(1), statement=STATEMENT)),
    (r"expected token '([^']+)', got '([^']*)'",
     lambda m: _l("Expected “%(expected)s” here, found “%(found)s”",
                  expected=_token(m.group(1)), found=m.group(2))),
    (r"unexpected '([^']*)'", lambda m: _l("An extra or misplaced “%(text)s”", text=m.group(1))),
    (r"unexpected char '(.)'", lambda m: _l("Unknown character “%(char)s”", char=m.group(1))),
    (r"no filter named '(\w+)'", lambda m: _l("No filter named %(name)s", name=m.group(1))),
    (r"no test named '(\w+)'", lambda m: _l("No test named %(name)s", name=m.group(1))),
    (r"has no attribute '([^']+)'", lambda m: no_field(m.group(1))),
    (r"'([^']+)' is undefined", lambda m: undefined(m.group(1))),
    (r"attribute '?([^' ]+)'? .*unsafe|unsafe.*'([^']+)'",
     lambda m: unsafe(m.group(1) or m.group(2))),
    (r"'NoneType' object is not iterable",
     lambda m: _l("The data to loop over does not exist (the case's form may not have this "
                  "group, or it is not filled in)")),
    (r"object is not iterable", lambda m: LOOP_LISTS_ONLY),
    (r"not supported between|unsupported operand|can only concatenate",
     lambda m: _l("These kinds of data cannot be combined this way (such as text plus a "
                  "number)")),
    (r"division by zero", lambda m: _l("Division by zero")),
    (r"invalid literal|could not convert",
     lambda m: _l("The content here cannot be turned into a number")),
]


def _tags(text: str) -> str:
    return "、".join(re.findall(r"'(\w+)'", text)) or text


def _block(name: str | None) -> str:
    return str(_l("the “%(name)s” statement", name=name) if name
               else _l("every %(statement)s statement", statement=STATEMENT))


def _token(name: str) -> str:
    return str({"end of print statement": "}}", "end of statement block": "%}",
                "name": _l("a name")}.get(name, name))


def explain(exc: BaseException) -> str:
    """A Jinja (or Python) error raised by a template, in words for the county admin."""
    if isinstance(exc, DocumentError):
        return str(exc)
    text = str(getattr(exc, "message", None) or exc)
    for pattern, say in _EXPLAINED:
        match = re.search(pattern, text, flags=re.I)
        if match:
            return str(say(match))
    return str(_l("The template cannot handle the data here (%(error)s)",
                  error=type(exc).__name__))
