"""The schema expression language: a small, safe subset of Python expressions.

Expressions are checked once at load time with :mod:`ast` against a whitelist and turned into a
JSON AST (stored in the compiled schema, interpreted by ``static/js/schema-form.js`` in the
browser); on the server they are evaluated by ``simpleeval`` with the same operators and
functions, so both sides agree.

Semantics (mirrored exactly by the JS runtime):

* numbers are decimals (Python ``Decimal``); ``+ - *`` are exact; ``/`` is rounded half-up to
  10 places; ``**`` only with an integer literal exponent 0–10; ``round(x, n)`` is half-up;
* a missing value (``None``) in arithmetic, ordering or a function that needs a value makes the
  whole expression *unknown* (``None``): a ``show_if`` then hides, a check is skipped;
* ``group.field`` is the list of that field over the group's rows; a bare group name is its rows;
* truthiness follows Python: ``None``, ``False``, ``0``, ``""`` and ``[]`` are false.
"""
from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache

from flask_babel import gettext as _
from simpleeval import InvalidExpression, SimpleEval

from .. import idnumber
from ..periods import age_on, local_today
from .wording import joined

MAX_LENGTH = 500  # characters in one expression
MAX_NODES = 200  # AST nodes in one expression
MAX_DEPTH = 30
MAX_EXPONENT = 10
DIVISION_PLACES = Decimal("1e-10")
ARITHMETIC = Context(prec=100, rounding=ROUND_HALF_UP)


class ExpressionError(ValueError):
    """A problem found at load time; the message is plain and fit for the admin."""


class Unknown(Exception):
    """Raised inside evaluation when a value needed is missing; the result becomes None."""


# -- values -------------------------------------------------------------------------------------

def to_decimal(value):
    if value is None or isinstance(value, bool):
        raise Unknown
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    raise Unknown


def is_number(value) -> bool:
    return isinstance(value, Decimal) and not isinstance(value, bool)


def truthy(value) -> bool:
    return bool(value)


def canonical(value):
    """A JSON-comparable form of an expression result (decimals as normalized strings)."""
    if isinstance(value, Decimal):
        text = format(value.normalize(ARITHMETIC), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return value


def round_half_up(value, places=0):
    value = to_decimal(value)
    places = int(to_decimal(places))
    with localcontext(ARITHMETIC):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# -- operators ----------------------------------------------------------------------------------

def _arith(fn):
    def op(a, b):
        if isinstance(a, str) and isinstance(b, str) and fn is _add:
            return a + b
        a, b = to_decimal(a), to_decimal(b)
        with localcontext(ARITHMETIC):
            return fn(a, b)
    return op


def _add(a, b):
    return a + b


def _div(a, b):
    if b == 0:
        raise Unknown
    return (a / b).quantize(DIVISION_PLACES, rounding=ROUND_HALF_UP)


def _pow(a, b):
    return a ** int(b)


def _ordering(fn):
    def op(a, b):
        if a is None or b is None:
            raise Unknown
        if is_number(a) and is_number(b) or isinstance(a, str) and isinstance(b, str):
            return fn(a, b)
        raise Unknown
    return op


def equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if is_number(a) and is_number(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    return a == b


def contains(container, item) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise Unknown
        return item in container
    if isinstance(container, list):
        return any(equal(item, x) for x in container)
    raise Unknown


def _neg(a):
    return -to_decimal(a)


OPERATORS = {
    ast.Add: _arith(_add),
    ast.Sub: _arith(lambda a, b: a - b),
    ast.Mult: _arith(lambda a, b: a * b),
    ast.Div: _arith(_div),
    ast.Pow: _arith(_pow),
    ast.USub: _neg,
    ast.UAdd: to_decimal,
    ast.Not: lambda a: not truthy(a),
    ast.Eq: equal,
    ast.NotEq: lambda a, b: not equal(a, b),
    ast.Lt: _ordering(lambda a, b: a < b),
    ast.LtE: _ordering(lambda a, b: a <= b),
    ast.Gt: _ordering(lambda a, b: a > b),
    ast.GtE: _ordering(lambda a, b: a >= b),
    ast.In: lambda a, b: contains(b, a),
    ast.NotIn: lambda a, b: not contains(b, a),
}
OP_NAMES = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.USub: "-", ast.UAdd: "+", ast.Not: "not",
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.In: "in", ast.NotIn: "not in", ast.And: "and", ast.Or: "or",
}


# -- functions ----------------------------------------------------------------------------------

class Rows(list):
    """A group's rows (list of dicts), so ``count(members)`` can tell rows from values."""


def _values(arg):
    if not isinstance(arg, list):
        raise Unknown
    return [v for v in arg if v is not None]


def fn_sum(values):
    values = _values(values)
    total = Decimal(0)
    with localcontext(ARITHMETIC):
        for v in values:
            total += to_decimal(v)
    return total


def fn_sumif(values, flags):
    if not isinstance(values, list) or not isinstance(flags, list):
        raise Unknown
    total = Decimal(0)
    with localcontext(ARITHMETIC):
        for v, f in zip(values, flags):
            if v is not None and truthy(f):
                total += to_decimal(v)
    return total


def fn_count(values, match=None):
    if isinstance(values, Rows):
        return Decimal(len(values))
    if not isinstance(values, list):
        raise Unknown
    if match is not None:
        return Decimal(sum(1 for v in values if equal(v, match)))
    return Decimal(sum(1 for v in values if v not in (None, "", []) and v is not False))


def _extreme(pick):
    def fn(*args):
        values = _values(args[0]) if len(args) == 1 else list(args)
        if not values or any(v is None for v in values):
            raise Unknown
        numbers = [to_decimal(v) for v in values]
        return pick(numbers)
    return fn


def fn_round(value, places=Decimal(0)):
    return round_half_up(value, places)


def fn_abs(value):
    return abs(to_decimal(value))


def birth_of(value):
    """Birth date from a valid ID number, or a date from 'YYYY-MM-DD'."""
    if not isinstance(value, str):
        raise Unknown
    if len(value) == 18:
        if not idnumber.is_valid(value):
            raise Unknown
        return idnumber.birth_date(value)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise Unknown from None


def make_age(today: date):
    def fn_age(value):
        return Decimal(age_on(birth_of(value), today))
    return fn_age


def fn_sex(value):
    if not isinstance(value, str) or not idnumber.is_valid(value):
        raise Unknown
    return idnumber.sex(value)


NUMERIC = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$", re.ASCII)


def fn_number(value):
    """A numeric choice value ('10') as a number; a number stays as it is."""
    if is_number(value):
        return value
    if isinstance(value, str) and NUMERIC.match(value.strip()):
        return Decimal(value.strip())
    raise Unknown


def fn_len(value):
    if isinstance(value, (str, list)):
        return Decimal(len(value))
    raise Unknown


def fn_any(values):
    return any(truthy(v) for v in _values(values))


def fn_all(values):
    return all(truthy(v) for v in _values(values))


def fn_unique(values):
    seen = []
    for v in _values(values):
        if v == "":
            continue
        if any(equal(v, s) for s in seen):
            return False
        seen.append(v)
    return True


# name -> (min args, max args); the implementations are in functions_for()
SIGNATURES = {
    "sum": (1, 1), "sumif": (2, 2), "count": (1, 2), "min": (1, 10), "max": (1, 10),
    "round": (1, 2), "abs": (1, 1), "age": (1, 1), "sex": (1, 1), "len": (1, 1),
    "any": (1, 1), "all": (1, 1), "unique": (1, 1), "number": (1, 1),
}


def functions_for(today: date) -> dict:
    return {
        "sum": fn_sum, "sumif": fn_sumif, "count": fn_count, "min": _extreme(min),
        "max": _extreme(max), "round": fn_round, "abs": fn_abs, "age": make_age(today),
        "sex": fn_sex, "len": fn_len, "any": fn_any, "all": fn_all, "unique": fn_unique,
        "number": fn_number,
    }


# -- load-time compilation ----------------------------------------------------------------------

@dataclass
class Scope:
    """What names an expression may use: top-level fields, groups and their fields, variables;
    inside a group row also the row's own fields."""

    names: set[str] = field(default_factory=set)
    groups: dict[str, set[str]] = field(default_factory=dict)
    row: set[str] = field(default_factory=set)
    later: set[str] = field(default_factory=set)  # defined below: not yet usable


@dataclass
class Compiled:
    source: str
    tree: dict
    names: set[str]

    def as_dict(self) -> dict:
        return {"src": self.source, "ast": self.tree}


def compile_expression(source, scope: Scope) -> Compiled:
    """Check an expression against the whitelist and the scope; return its JSON AST.

    Raises ExpressionError with a plain message for the first problem found.
    """
    if not isinstance(source, str):
        if isinstance(source, bool):
            source = "True" if source else "False"
        else:
            raise ExpressionError(_("An expression must be text"))
    if len(source) > MAX_LENGTH:
        raise ExpressionError(_("The expression is too long (%(length)s characters, at most "
                                "%(limit)s)", length=len(source), limit=MAX_LENGTH))
    if "__" in source:
        raise ExpressionError(_("Names with a double underscore are not allowed"))
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(_("Syntax error in the expression: %(problem)s (near character "
                                "%(offset)s)", problem=exc.msg, offset=exc.offset or 0)) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError(_("The expression is too complex"))
    names: set[str] = set()
    return Compiled(source.strip(), _convert(tree.body, scope, names, 0), names)


def _convert(node, scope: Scope, names: set, depth: int) -> dict:
    if depth > MAX_DEPTH:
        raise ExpressionError(_("The expression is nested too deeply"))
    conv = lambda n: _convert(n, scope, names, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or v is None:
            return {"k": "const", "v": v}
        if isinstance(v, (int, float)):
            if isinstance(v, float) and v != v or abs(v) > 10 ** 15:
                raise ExpressionError(_("The number is too large"))
            return {"k": "num", "v": canonical(Decimal(repr(v)))}
        if isinstance(v, str):
            return {"k": "str", "v": v}
        raise ExpressionError(_("Unsupported constant %(value)s", value=repr(v)))
    if isinstance(node, ast.Name):
        return _name(node.id, scope, names)
    if isinstance(node, ast.Attribute):
        if not isinstance(node.value, ast.Name) or node.value.id not in scope.groups:
            raise ExpressionError(_(
                "Attribute '.%(attr)s' is not allowed: write group.field (e.g. members.income)",
                attr=node.attr))
        group = node.value.id
        if group in scope.later:
            raise ExpressionError(_("Field '%(name)s' is defined further down: it cannot be "
                                    "used here yet", name=group))
        if node.attr not in scope.groups[group]:
            raise ExpressionError(_("Group '%(group)s' has no field '%(name)s'", group=group,
                                    name=node.attr))
        names.add(group)
        return {"k": "attr", "group": group, "field": node.attr}
    if isinstance(node, ast.BinOp):
        if type(node.op) not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            raise ExpressionError(_("Unsupported operator %(op)s", op=type(node.op).__name__))
        if isinstance(node.op, ast.Pow):
            exp = node.right
            if not (isinstance(exp, ast.Constant) and type(exp.value) is int
                    and 0 <= exp.value <= MAX_EXPONENT):
                raise ExpressionError(_("An exponent must be a whole number from 0 to %(limit)s",
                                    limit=MAX_EXPONENT))
        return {"k": "bin", "op": OP_NAMES[type(node.op)], "l": conv(node.left),
                "r": conv(node.right)}
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in (ast.USub, ast.UAdd, ast.Not):
            raise ExpressionError(_("Unsupported operator %(op)s", op=type(node.op).__name__))
        return {"k": "un", "op": OP_NAMES[type(node.op)], "e": conv(node.operand)}
    if isinstance(node, ast.BoolOp):
        return {"k": "bool", "op": OP_NAMES[type(node.op)], "vs": [conv(v) for v in node.values]}
    if isinstance(node, ast.Compare):
        ops = []
        for op in node.ops:
            if type(op) not in OPERATORS:
                raise ExpressionError(_("Unsupported comparison %(op)s", op=type(op).__name__))
            ops.append(OP_NAMES[type(op)])
        return {"k": "cmp", "ops": ops, "l": conv(node.left),
                "cs": [conv(c) for c in node.comparators]}
    if isinstance(node, ast.IfExp):
        return {"k": "if", "test": conv(node.test), "body": conv(node.body),
                "orelse": conv(node.orelse)}
    if isinstance(node, (ast.List, ast.Tuple)):
        if len(node.elts) > 50:
            raise ExpressionError(_("The list is too long"))
        return {"k": "list", "items": [conv(e) for e in node.elts]}
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(_("Only the built-in functions can be called (such as sum, count, round)"))
        fn = node.func.id
        if fn not in SIGNATURES:
            raise ExpressionError(_("Unknown function '%(name)s' (known: %(known)s)", name=fn,
                                    known=joined(sorted(SIGNATURES))))
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(_("Function '%(name)s' takes no keyword or * arguments",
                                    name=fn))
        low, high = SIGNATURES[fn]
        if not low <= len(node.args) <= high:
            raise ExpressionError(_(
                "Function '%(name)s' takes %(low)s to %(high)s arguments", name=fn, low=low,
                high=high) if high != low else _("Function '%(name)s' takes %(count)s arguments",
                                                 name=fn, count=low))
        if fn == "round" and len(node.args) == 2:
            places = node.args[1]
            if not (isinstance(places, ast.Constant) and type(places.value) is int
                    and 0 <= places.value <= 10):
                raise ExpressionError(_("The places of round must be a whole number from 0 to 10"))
        return {"k": "call", "fn": fn, "args": [conv(a) for a in node.args]}
    if isinstance(node, (ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)):
        raise ExpressionError(_("Lambdas and comprehensions are not supported"))
    if isinstance(node, ast.Subscript):
        raise ExpressionError(_("Subscripts [...] are not supported"))
    raise ExpressionError(_("Unsupported syntax %(kind)s", kind=type(node).__name__))


def is_name(name) -> bool:
    """A name an expression can use (e.g. a standard value 事实无人抚养儿童保障标准)."""
    return isinstance(name, str) and 0 < len(name) <= 40 and name.isidentifier() \
        and not keyword.iskeyword(name) and not name.startswith("_") \
        and name not in ("today", "True", "False", "None")


def _name(name: str, scope: Scope, names: set) -> dict:
    if name in ("True", "False", "None"):
        return {"k": "const", "v": {"True": True, "False": False, "None": None}[name]}
    if name.startswith("_"):
        raise ExpressionError(_("Names beginning with an underscore are not allowed: "
                                "'%(name)s'", name=name))
    if name in scope.row or name == "today":
        pass
    elif name in scope.later:
        raise ExpressionError(_("Field '%(name)s' is defined further down: it cannot be "
                                "used here yet", name=name))
    elif name not in scope.names and name not in scope.groups:
        if not name.isascii():  # likely a county's named standard value
            raise ExpressionError(_("Unknown name '%(name)s': a standard value of the "
                                    "county's own must be declared under standard_values",
                                    name=name))
        raise ExpressionError(_("Unknown field '%(name)s'", name=name))
    names.add(name)
    return {"k": "name", "id": name}


# -- evaluation ---------------------------------------------------------------------------------

class _Evaluator(SimpleEval):
    """simpleeval with decimal constants and group.field lists; names come from the caller."""

    def _eval_constant(self, node):  # numbers are decimals, as in the JS runtime
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Decimal(repr(value))
        return value

    def _eval_attribute(self, node):  # only group.field, checked at load time
        rows = self.names[node.value.id]
        if rows is None:
            raise Unknown
        return [row.get(node.attr) for row in rows]

    def _eval_list(self, node):
        return [self._eval(e) for e in node.elts]

    def _eval_compare(self, node):  # chained comparisons short-circuit like Python
        right = self._eval(node.left)
        for operation, comp in zip(node.ops, node.comparators):
            left, right = right, self._eval(comp)
            if not self.operators[type(operation)](left, right):
                return False
        return True


def evaluate(source: str, names, today: date | None = None, parsed=None):
    """Evaluate a (load-time checked) expression; returns None when unknown."""
    evaluator = _Evaluator(operators=OPERATORS, functions=functions_for(today or local_today()),
                           names=names)
    evaluator.nodes[ast.List] = evaluator._eval_list
    evaluator.nodes[ast.Tuple] = evaluator._eval_list
    try:
        return evaluator.eval(source, previously_parsed=parsed or parse(source))
    except (Unknown, TypeError, InvalidOperation, ArithmeticError, InvalidExpression):
        return None


@lru_cache(maxsize=2048)
def parse(source: str):
    """The parsed expression body, cached for repeated evaluation."""
    return ast.parse(source.strip(), mode="eval").body
