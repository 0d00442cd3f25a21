"""Confirmation before what cannot be undone, working without JavaScript.

A view calls :func:`required` before an irreversible write: a POST without ``confirm=1``
changes nothing and gets a page stating the consequence, with a form that posts the same
fields again plus ``confirm=1``. The API does not use this (API clients do not confirm).
"""
from __future__ import annotations

from flask import render_template, request

SKIPPED = ("csrf_token", "confirm")  # a fresh CSRF token is rendered; confirm is added


def required(title: str, consequence: str, back: str):
    """None when the posted form is confirmed; otherwise the confirmation page (a response
    to return), which re-posts every submitted field to the same URL."""
    if request.form.get("confirm") == "1":
        return None
    fields = [(name, value) for name, values in request.form.lists() if name not in SKIPPED
              for value in values]
    action = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    return render_template("confirm.html", title=title, consequence=consequence, back=back,
                           fields=fields, action=action)
