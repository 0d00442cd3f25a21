"""A bounded schemathesis run over the whole OpenAPI document, as a township clerk and as a
county admin: no server error, and every response matches the documented schema (the one
error shape included). Fixed seed and few examples per operation keep it to about a minute.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.db import db

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance]


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    return operations


@pytest.mark.parametrize("username", ["clerk", "admin"])
def test_every_api_operation_conforms(app, api, username):
    _client, headers = api(username)
    failures = []
    for operation in _operations(app):

        @seed(20261201)
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            finally:
                db.session.rollback()

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
