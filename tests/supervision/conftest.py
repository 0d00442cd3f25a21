"""Decided cases for supervision tests, walked through the real workflow."""
from __future__ import annotations

from datetime import date

import pytest

from server.auth.operations import create_user
from server.auth.roles import Role
from server.cases.demo import investigated, make_case
from server.cases.operations import transition
from server.db import db
from server.demo import DEMO_PASSWORD, demo_user

from ..conftest import region


def walk(case, steps):
    for username, action, on, data in steps:
        transition(case, action, demo_user(username), data, effective_on=on)
    return case


def decided(village: str, accepted: date, decided_on: date, *, action="approve", seed=1,
            users=("clerk", "approver")):
    """A DB case accepted, investigated the next day and decided (approve or refuse)."""
    clerk, approver = users
    case = make_case(village, accepted_on=accepted, seed=seed, creator=demo_user(clerk))
    data = {"reason": "家庭人均收入高于当地低保标准"} if action == "refuse" else {}
    return walk(case, [(clerk, "start_investigation", accepted, {}),
                       (clerk, "submit_for_decision", accepted, investigated(clerk, approver)),
                       (approver, action, decided_on, data)])


@pytest.fixture
def taiping_approver(demo):
    """太平乡 has a clerk in the demo; its decisions need an approver too."""
    user = create_user("approver2", "太平乡首席代表", DEMO_PASSWORD, Role.township_approver,
                       region("220999201000"))
    db.session.commit()
    return user


@pytest.fixture
def check(demo):
    """A current draw of 东风镇 for March 2026 with a check of a new recipient (findings,
    rectification and page tests)."""
    from server.supervision import operations

    from ..archives.factories import make_case as paying_case

    for village in ("220999101201", "220999101202", "220999101203"):
        paying_case(start=date(2026, 3, 1), village_code=village)
    db.session.commit()
    row = operations.draw(region("220999101000"), date(2026, 3, 1), demo_user("supervisor"))
    db.session.commit()
    return next(c for c in row.checks if "random" in c.sources)
