"""Errors of the documents room: each carries a message meant for the user (Chinese)."""
from __future__ import annotations


class DocumentError(Exception):
    """A refusal with a message meant for the user (Chinese)."""


class RenderError(DocumentError):
    """A template failed while rendering: the message names the document and paragraph."""


class RenderLimit(RenderError):
    """A render exceeded its time, operation, size or memory bounds and was stopped."""
