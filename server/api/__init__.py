"""The JSON API under /api/v1: bearer tokens, the same roles and scoping as the web UI, an
OpenAPI 3 document generated from the code (flask-smorest), and one error shape.

Each room that offers API resources has an ``api.py`` with a flask-smorest ``blp`` whose name
starts with ``api_``; they are registered here.
"""
from __future__ import annotations

from flask_smorest import Api

from ..extensions import csrf
from .errors import ErrorSchema

API_PREFIX = "/api/v1"


class JiuzhuApi(Api):
    ERROR_SCHEMA = ErrorSchema  # the documented error shape is the one errors.py returns


api = JiuzhuApi()


def init_api(app) -> None:
    from ..rooms import room_modules

    app.config.setdefault("API_TITLE", "Jiuzhu API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
        "info": {"description": "Township social assistance: regions, forms, cases, documents."},
    })
    api.init_app(app)
    for module in room_modules("api"):
        csrf.exempt(module.blp)  # bearer tokens only; no cookies, so no CSRF
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.blp.url_prefix)
