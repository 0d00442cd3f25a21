"""Messages are msgids that Flask-Babel translates: outside an app they would read in English.
A test of this folder that calls the engine without the ``app`` fixture reads them in the
office's language (zh_CN), as a background task or the CLI does."""
from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture(scope="module", autouse=True)
def office_language():
    from server import _init_babel

    app = Flask("office-language")
    app.config["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    _init_babel(app)
    with app.app_context():
        yield
