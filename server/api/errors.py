"""One error shape for every API error: ``{"code", "message", "errors": [{"path", "message"}]}``."""
from __future__ import annotations

from flask import jsonify
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from werkzeug.http import HTTP_STATUS_CODES

INVALID = _l("Invalid input: check the fields marked")
"""The message of every 422 that names its fields (each field's message says what is wrong)."""
LOCATIONS = {"json", "query", "form", "files", "headers", "cookies", "path", "view_args"}


class ErrorItemSchema(Schema):
    path = fields.Str(required=True, metadata={"description": "The field, e.g. answers.members[0].name"})
    message = fields.Str(required=True)


class ErrorSchema(Schema):
    """The documented body of every error response (flask-smorest's default differs)."""

    code = fields.Str(required=True, metadata={"description": "e.g. not_found, conflict"})
    message = fields.Str(required=True)
    errors = fields.List(fields.Nested(ErrorItemSchema), required=True)


def flatten(messages, prefix: str = "") -> list[dict]:
    """Turn nested marshmallow/webargs messages into a list of {path, message}."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in LOCATIONS:
                out.extend(flatten(value, ""))
                continue
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten(value, path))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out.extend({"path": prefix, "message": m} for m in messages)
        else:
            for m in messages:
                out.extend(flatten(m, prefix))
    else:
        out.append({"path": prefix, "message": str(messages)})
    return out


def error_response(status: int, message: str | None = None, errors: list[dict] | None = None):
    code = HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("'", "")
    # messages may be lazy (rendered here, in the caller's language); JSON needs plain strings
    errors = [{**e, "message": str(e["message"])} if isinstance(e, dict) and "message" in e
              else e for e in errors or []]
    body = {"code": code, "message": str(message or HTTP_STATUS_CODES.get(status, "error")),
            "errors": errors}
    return jsonify(body), status


def http_exception_response(exc):
    data = getattr(exc, "data", None) or {}
    errors = flatten(data.get("messages", {})) if data.get("messages") else data.get("errors")
    message = data.get("message") or exc.description
    if errors and exc.code == 422:
        message = INVALID
    return error_response(exc.code or 500, message, errors)


def load_json(schema, data=None) -> dict:
    """The request's JSON body loaded by ``schema``, else a 422 in the one error shape with the
    field paths. For views that check scoping (404) before the body, so the body is loaded in
    the view rather than by ``@blp.arguments``."""
    from flask import request
    from flask_smorest import abort
    from marshmallow import ValidationError

    body = request.get_json(silent=True) if data is None else data
    if body is None and request.get_data(cache=True).strip():
        refuse(422, _l("The request body must be a JSON object"))
    try:
        return schema.load(body if body is not None else {})
    except ValidationError as exc:
        abort(422, message=INVALID, errors=flatten(exc.messages))


def refuse(status: int, message, path: str = "") -> None:
    """Abort with one error naming its field (``path``; empty for the whole request)."""
    from flask_smorest import abort

    abort(status, message=message, errors=[{"path": path, "message": message}])


def no_body() -> None:
    """For actions that take no input: a body other than none or ``{}`` is refused (422), so
    a client sending data it believes is used learns that it is not."""
    from flask import request

    if request.get_data(cache=True).strip() and request.get_json(silent=True) != {}:
        refuse(422, _l("This action takes no request body (send none or {})"))
