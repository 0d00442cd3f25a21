"""The browser runtime (static/js/schema-form.js, run under node) and the server agree on the
same inputs: single expressions, and whole forms (computed values, hidden fields, hints)."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from server import idnumber
from server.schemas import expr
from server.schemas.engine import client_spec, load_schema, validate_answers

from .filling import fill

HERE = Path(__file__).parent
FORMS = HERE.parents[1] / "forms"
TODAY = date(2026, 3, 1)
NODE = shutil.which("node") or "/usr/bin/node"


def run_node(job: dict) -> dict:
    done = subprocess.run([NODE, str(HERE / "js_runner.js")], input=json.dumps(job),
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def encode(value):
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, expr.Rows):
        return {"$rows": [encode(r) for r in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


ENV = {
    "a": Decimal("10"), "b": Decimal("3"), "c": Decimal("2.675"), "z": Decimal("0"),
    "s": "东风", "n": None, "t": True, "f": False, "id": "220999197001010117",
    "d": "2000-02-29", "picks": ["甲", "乙"],
    "事实无人抚养儿童保障标准": Decimal("1200.00"),  # a county's named standard value
    "members": expr.Rows([
        {"income": Decimal("100.5"), "id": "220999197001010117", "rel": "本人", "ok": True},
        {"income": None, "id": "22099919990101012X", "rel": "子女", "ok": False},
        {"income": Decimal("0.015"), "id": "", "rel": "子女", "ok": None}]),
}
EXPRESSIONS = [
    "a / b", "a / b * b", "round(a / b, 2)", "round(c, 2)", "round(-c, 2)", "round(-2.5)",
    "round(0.125, 2)", "a + n", "n == None", "n != 1", "s + '镇'", "s + 1", "a > b > 1", "a > n",
    "sum(members.income)", "count(members)", "count(members.income)", "count(members.rel, '子女')",
    "'本人' in members.rel", "'x' not in members.rel", "'东' in s", "min(members.income)",
    "max(a, b, 7)", "max(a, n)", "unique(members.rel)", "unique(members.id)", "t and a", "f and a",
    "n or s", "z or 'zero'", "not n", "not z", "a ** 3", "c ** 2", "0.1 + 0.2", "1 / 0", "a / z",
    "abs(-a)", "len(s)", "len(picks)", "len(a)", "sumif(members.income, members.ok)",
    "sumif(members.income, [True, True, True])", "-a < b", "s < 'z'", "a == '10'", "t == 1",
    "[1, 2] == [1, 2.0]", "age(id)", "age(d)", "age('2000-13-01')", "age('bad')",
    "sex(id)", "sex(members.id[0] if t else id)" if False else "sex('22099919990101012X')",
    "number('10') + 1", "number('1.5x')", "number(a)", "a if n else b", "'yes' if t else 'no'",
    "any(members.ok)", "all(members.ok)", "round(sum(members.income) / count(members), 2)",
    "-n", "not picks", "a - b * 2 / 4", "(a + b) * (a - b)", "min(3, 1.50, 2)", "1e3 + 1",
    "a >= 10 and b <= 3 and not (a == b)", "'乙' in picks", "count(picks)",
    "事实无人抚养儿童保障标准 * count(members)", "事实无人抚养儿童保障标准 / 3 > a",
]


def test_expressions_agree():
    scope = expr.Scope(names=set(ENV) - {"members"},
                       groups={"members": {"income", "id", "rel", "ok"}})
    compiled = [expr.compile_expression(source, scope) for source in EXPRESSIONS]
    python = [expr.canonical(expr.evaluate(c.source, dict(ENV), today=TODAY)) for c in compiled]
    job = {"exprs": [{"ast": c.tree, "env": encode(ENV), "today": TODAY.isoformat()}
                     for c in compiled]}
    js = run_node(job)["exprs"]
    mismatches = [(s, p, j) for s, p, j in zip(EXPRESSIONS, python, js) if p != j]
    assert not mismatches
    assert python[0] == "3.3333333333" and python[3] == "2.68" and python[7] is None


def _form_cases():
    """(relief type, answers) pairs: complete forms plus variations that exercise the rules."""
    cases = []
    for code in ("DB", "TK", "LS", "BY"):
        definition = load_schema((FORMS / f"{code}.yaml").read_text(encoding="utf-8"))
        base = fill(definition)
        cases.append((code, base))
        varied = json.loads(json.dumps(base, default=lambda b: None))
        varied["members"][0]["monthly_income"] = "1234.56"
        varied["members"][1]["monthly_income"] = "0.01"
        varied["members"][1]["is_disabled"] = "yes"
        varied["members"][2]["monthly_income"] = "not money"
        varied["members"].append({"relationship": "父母", "monthly_income": "333.335"})
        if "incomes" in varied:
            varied["incomes"] = [{"amount": "99.99", "is_exempt": "否"},
                                 {"amount": "50", "is_exempt": "是"}, {"amount": ""}]
        if code == "TK":
            varied.update(care_eating="1", care_toilet="1", care_bed="", is_disabled="no")
        if code == "LS":
            varied.update(ls_kind="spending", spending_total="1000.10",
                          spending_reimbursed="1000.10", amount_requested="99999")
        cases.append((code, varied))
        odd = json.loads(json.dumps(varied))  # the money table's inputs (tests/test_money.py)
        for member, raw in zip(odd["members"], ("１２３", " 1,234.5 元", "0.005", "-1")):
            member["monthly_income"] = raw
        odd["members"].append({"relationship": "父母", "monthly_income": "1e999999"})
        cases.append((code, odd))
        empty = {"members": [{}, {"monthly_income": "7"}]}
        cases.append((code, empty))
    return cases


@pytest.mark.parametrize("standard", [None, "500", "1200.50"])
def test_whole_forms_agree(standard):
    cases = _form_cases()
    context = {"standard": standard} if standard else None
    job, python = {"forms": []}, []
    for code, answers in cases:
        definition = load_schema((FORMS / f"{code}.yaml").read_text(encoding="utf-8"))
        result = validate_answers(definition, answers, context=context, today=TODAY)
        python.append({"computed": result.computed, "hidden": result.hidden,
                       "warnings": result.warnings})
        spec = client_spec(definition, context=context, today=TODAY)
        browser_answers = json.loads(json.dumps(answers, default=lambda b: None))
        job["forms"].append({"spec": spec, "answers": browser_answers})
    js = run_node(job)["forms"]
    for (code, _), p, j in zip(cases, python, js):
        assert p == j, code
    assert any(p["warnings"] for p in python)
    assert any(p["hidden"] for p in python)


@pytest.mark.parametrize("value", [
    idnumber.make("220999", date(1970, 1, 1), 11), "220999197001010110", "22099919700101011",
    "220999197002300117", "220999203001010117", "220999189901010117", " 22099919990101012x ",
    "", "abc",
])
def test_id_number_messages_agree(value):
    try:
        python = {"value": idnumber.validate(value, today=TODAY)}
    except idnumber.InvalidIdNumber as exc:
        python = {"error": str(exc)}
    assert run_node({"ids": [{"value": value, "today": TODAY.isoformat()}]})["ids"] == [python]
