"""The audit trail speaks Chinese: every action, object and case column it shows is labelled,
so the case page and the audit log never show ``state: accepted``, ``reviewer_id: None``,
``case.approve`` or "Case 5"."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import select

from server.audit import labels
from server.audit.models import AuditEvent
from server.cases.models import Case
from server.cases.operations import AUDITED_SKIP
from server.cases.workflows import ACTION_LABELS, DEFAULT_SETTINGS, build
from server.db import db

SERVER = Path(__file__).resolve().parent.parent / "server"
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
RECORDING = {"record", "deactivate", "_deactivate", "_add_recorded"}


def _recorded_actions() -> set[str]:
    """Every literal action name the code passes to the audit trail."""
    found = set()
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in RECORDING:
                    for arg in node.args:
                        for const in ast.walk(arg):
                            if isinstance(const, ast.Constant) and isinstance(const.value, str) \
                                    and ACTION.match(const.value):
                                found.add(const.value)
    return found


def test_every_recorded_action_has_a_label(app):
    actions = _recorded_actions()
    assert {"case.create", "user.disable", "filing.return"} <= actions  # the scan finds them
    with app.test_request_context():
        unlabelled = sorted(a for a in actions if labels.action_label(a) == a)
    assert not unlabelled


def test_every_workflow_transition_and_case_column_has_a_label(app):
    with app.test_request_context():
        for relief_type, settings in DEFAULT_SETTINGS.items():
            for transition in build(relief_type, settings).transitions:
                assert transition.action in ACTION_LABELS, transition.action
                assert labels.action_label(f"case.{transition.action}") != f"case.{transition.action}"
        columns = {c.key for c in Case.__mapper__.column_attrs} - AUDITED_SKIP - {"id"}
        assert not sorted(k for k in columns if labels.field_label(k) == k)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_case_trail_shows_labels_and_values_in_words(login):
    case = db.session.scalars(select(Case).where(Case.applicant_name == "秦建华")).one()
    trail = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "Case", AuditEvent.object_id == str(case.id))).all()
    assert any("state" in (e.details.get("after") or {}) for e in trail)  # raw keys are stored
    page = _text(login("clerk").get(f"/cases/{case.id}").get_data(as_text=True))
    trail_text = page[page.index("修改记录"):]
    assert "状态：" in trail_text and "已确认" in trail_text
    for raw in ("state:", "reviewer_id", "investigators:", "None", "case.", "jiuzhu audit"):
        assert raw not in trail_text, raw
    assert "东风镇经办员" in trail_text  # the actor by name, not the username


def test_audit_log_names_objects_and_actions(login):
    page = _text(login("admin").get("/audit/").get_data(as_text=True))
    assert not re.search(r"\b(Case|User|Region|Filing) \d+", page)
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", page.split("审计日志", 1)[-1])
    assert "案件" in page
    assert "客户端地址" in page and "办公地址" not in page  # the client's IP, not an office


def test_user_names_in_details_load_in_one_query_per_page(app, demo):
    """A page of events with user ids in their details (investigators, reviewer, created by)
    names the users with one query, not one per value."""
    from sqlalchemy import event

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "Case")
                                .order_by(AuditEvent.id)).all()
    user_values = sum(1 for e in events for side in ("before", "after")
                      for key in ("investigators", "reviewer_id", "created_by_id")
                      if key in ((e.details or {}).get(side) or {}))
    assert user_values > 5
    statements = []

    def count(conn, cursor, statement, *args):
        if 'FROM "user"' in statement or "FROM user" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            shown = labels.entries(events)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 2, statements  # the actors, and the users in the details
    assert any("东风镇经办员" in change.after for e in shown for change in e.changes)
