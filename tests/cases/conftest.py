"""Factories for case tests: cases in the demo county at a chosen state, and a walker."""
from __future__ import annotations

from datetime import date

import pytest

from server.cases.demo import ensure_standard, investigated, make_case
from server.cases.operations import transition
from server.db import db
from server.regions.queries import region_by_code

DONGFENG_VILLAGE = "220999101201"  # 东风村, 东风镇 (clerk, approver, village)
TAIPING_VILLAGE = "220999201201"  # 太平村, 太平乡 (clerk2)


@pytest.fixture
def make(demo):
    """``make(relief_type="DB", accepted_on=date(...), **kw)``: a new accepted case."""
    ensure_standard(region_by_code("220999000000"))
    counter = iter(range(100, 1000))

    def _make(relief_type="DB", village=DONGFENG_VILLAGE, **kw):
        kw.setdefault("seed", next(counter))
        kw.setdefault("creator", demo.demo_user("clerk"))
        case = make_case(village, relief_type, **kw)
        db.session.commit()
        return case

    return _make


@pytest.fixture
def step(demo):
    """``step(case, "clerk", "approve", on, **data)``: take a transition and commit."""

    def _step(case, username, action, on=None, **data):
        event = transition(case, action, demo.demo_user(username), data, effective_on=on)
        db.session.commit()
        return event

    return _step


@pytest.fixture
def to_decision(step):
    """Walk a DB case from acceptance to the decision step (home visit by clerk + approver)."""

    def _walk(case, start=date(2026, 9, 30), submit=date(2026, 10, 9)):
        step(case, "clerk", "start_investigation", start)
        step(case, "clerk", "submit_for_decision", submit, **investigated())
        return case

    return _walk


@pytest.fixture
def survey_form():
    """The 入户调查 inputs of a web ``submit_for_decision`` form (besides the investigators)."""
    return {"members_present": "本人", "housing": "自有砖瓦房一处", "other_assets": "无",
            "incomes.wages": "0", "incomes.transfers": "0", "survey_findings": "生活困难属实",
            "survey_opinion": "建议给予救助"}
