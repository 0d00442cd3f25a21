"""Documents over the API: which kinds a case may have now (with the reason for the others),
and generating one under exactly the rules of the case page (``registry.available``)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields

from ..api.errors import flatten
from ..auth.access import requires
from ..cases.models import Case
from ..db import db
from ..regions.queries import get_scoped_or_404
from . import operations
from .registry import KINDS, STEP_DOCUMENTS, available, subject_of

blp = Blueprint("api_documents", __name__, url_prefix="/documents",
                description="Official documents of a case: availability and generation")


class KindOut(Schema):
    kind = fields.Str()
    title = fields.Str()
    step = fields.Str()
    available = fields.Bool()
    reason = fields.Str(allow_none=True, metadata={"description": "Why not, in Chinese"})


class GenerateIn(Schema):
    kind = fields.Str(required=True)


class DocumentOut(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    sha256 = fields.Str()
    case_id = fields.Int(allow_none=True)


def case_kinds(case) -> list[dict]:
    """Every kind of every step for the case, available or with the reason it is not."""
    rows = []
    for step, kinds in STEP_DOCUMENTS.items():
        for name in kinds:
            verdict = available(name, subject_of(KINDS[name], case))
            rows.append({"kind": name, "title": KINDS[name].title, "step": step,
                         "available": bool(verdict), "reason": verdict.reason})
    return rows


@blp.route("/cases/<int:case_id>")
class CaseDocuments(MethodView):
    @requires("cases.view")
    @blp.response(200, KindOut(many=True))
    def get(self, case_id: int):
        """The case's document kinds by step: which may be produced now, and why not."""
        return case_kinds(get_scoped_or_404(Case, case_id))

    @requires("documents.generate")
    @blp.response(201, DocumentOut)
    def post(self, case_id: int):
        """Generate one document from JSON ``{"kind": …}``; 404 another region's case, 409 with
        the Chinese reason when the case does not call for it now, 422 for an unknown kind or a
        template that fails."""
        case = get_scoped_or_404(Case, case_id)  # scoping first: no hint about other regions
        try:
            body = GenerateIn().load(request.get_json(silent=True) or {})
        except ValidationError as exc:
            abort(422, message="输入有误", errors=flatten(exc.messages))
        kind = KINDS.get(body["kind"])
        if kind is None:
            abort(422, message=f"未知的文书类型：{body['kind']}",
                  errors=[{"path": "kind", "message": "未知的文书类型"}])
        subject = subject_of(kind, case)
        verdict = available(kind, subject)
        if not verdict:
            abort(409, message=verdict.reason, errors=[{"path": "kind", "message": verdict.reason}])
        try:
            document = operations.generate(kind.name, subject, current_user)
        except operations.DocumentError as exc:
            db.session.rollback()
            abort(422, message=str(exc), errors=[{"path": "kind", "message": str(exc)}])
        db.session.commit()
        return document
