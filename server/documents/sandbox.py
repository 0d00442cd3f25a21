"""The bounded sandbox templates render in: admins upload templates, so a template is hostile
input. On top of Jinja's immutable sandbox:

- operators that can allocate without bound are checked before they run (``'a' * 10**8``,
  ``9 ** 9 ** 7``, ``'%0999999999d' % 1``), and every string or list an operator or filter
  produces is capped in size;
- names starting with ``_`` are refused even when computed at render time;
- every loop iteration, operator and filter counts against an operation budget and a
  wall-clock deadline (the compiled template is rewritten so loops go through a guard);
- the output of each part is capped in size while it is produced.

A breach raises ``RenderLimit`` with a message for the admin; the server thread is free again within
the deadline. The same guards fold constants for the lint, so such bombs are refused at upload.
"""
from __future__ import annotations

import contextvars
import functools
import operator
import re
import time
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from .errors import RenderLimit

MAX_STRING = 1_000_000  # characters of one value
MAX_ITEMS = 100_000  # items of one list, and any count or width given to a filter
MAX_INT_BITS = 10_000  # bits of one integer (about 3000 digits)
MAX_OPERATIONS = 3_000_000  # loop iterations + guarded operators + filters in one render
MAX_OUTPUT = 50_000_000  # characters one template part may produce
RENDER_SECONDS = 10.0  # wall clock for one render (config DOCUMENT_RENDER_SECONDS)
LOOP_GUARD, SIZE_GUARD = "jiuzhu_loop_guard", "jiuzhu_size_guard"
TOO_BIG = _l("A number in the template is too large")
TOO_HIGH_POWER = _l("A power in the template is too large (such as 9 ** a huge number)")
WIDE_FORMAT = re.compile(r"%[-+ #0]*(\*|\d{6,})|\{[^}]*(\d{6,})")


@dataclass
class Budget:
    deadline: float
    operations: int = 0
    limit: int = MAX_OPERATIONS
    notes: list = field(default_factory=list)

    def tick(self, count: int = 1) -> None:
        self.operations += count
        if self.operations > self.limit:
            raise RenderLimit(_l("The template ran more than %(limit)s operations", limit=format(self.limit, ",")))
        if not self.operations & 0x3FF and time.monotonic() > self.deadline:
            raise RenderLimit(_l("The template took too long to render"))


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("render_budget",
                                                                       default=None)


class limits:
    """``with limits(seconds):`` bounds every render inside the block."""

    def __init__(self, seconds: float = RENDER_SECONDS, operations: int = MAX_OPERATIONS):
        self.budget = Budget(time.monotonic() + seconds, limit=operations)

    def __enter__(self) -> Budget:
        self.token = _budget.set(self.budget)
        return self.budget

    def __exit__(self, *exc) -> None:
        _budget.reset(self.token)


def tick(count: int = 1) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick(count)


def check_size(value):
    """Refuse a string or list beyond the caps (the value is returned when it fits)."""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise RenderLimit(_l("The template made a text longer than %(count)s characters",
                                  count=format(MAX_STRING, ",")))
    elif isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise RenderLimit(_l("The template made a list longer than %(count)s items",
                                  count=format(MAX_ITEMS, ",")))
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise RenderLimit(TOO_BIG)
    return value


def _sized(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _check_format(text) -> None:
    if isinstance(text, str) and WIDE_FORMAT.search(text):
        raise RenderLimit(_l("A format width in the template is too large"))


def guarded_binop(op: str, left, right):
    """``left op right`` for the operators that can allocate without bound, checked first."""
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if _sized(seq) is not None and isinstance(times, int):
                cap = MAX_STRING if isinstance(seq, str) else MAX_ITEMS
                if len(seq) * times > cap:
                    raise RenderLimit(_l("The template repeats something too many times "
                                      "(such as 'a' * a huge number)"))
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise RenderLimit(TOO_BIG)
    elif op == "**":
        if isinstance(right, int) and isinstance(left, int) and abs(left) > 1 and \
                right > 0 and abs(left).bit_length() * right > MAX_INT_BITS:
            raise RenderLimit(TOO_HIGH_POWER)
        if isinstance(right, (int, float)) and abs(right) > MAX_INT_BITS:
            raise RenderLimit(TOO_HIGH_POWER)
    elif op == "%":
        _check_format(left)
    tick()
    return check_size(BINOPS[op](left, right))


BINOPS = {"*": operator.mul, "**": operator.pow, "+": operator.add, "%": operator.mod}


def guard_filter(function):
    """A filter whose counts and widths are bounded and whose result is capped in size."""

    skip = 2 if _PassArg.from_obj(function) else 1  # the value (and context) come first
    is_format = getattr(function, "__name__", "") == "do_format"

    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment markers
    def guarded(*args, **kwargs):
        for arg in list(args[skip:]) + list(kwargs.values()):
            if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_ITEMS:
                raise RenderLimit(_l("A filter's argument is too large"))
        if is_format and args:
            _check_format(args[0])
        tick()
        return check_size(function(*args, **kwargs))

    return guarded


class GuardedLoop:
    """The iterable of a ``{% for %}``: each step counts against the render's budget."""

    __slots__ = ("iterable",)

    def __init__(self, iterable):
        self.iterable = iterable

    def __iter__(self):
        budget = _budget.get()
        for item in self.iterable:
            if budget is not None:
                budget.tick()
            yield item

    def __len__(self):
        return len(self.iterable)


def _guard_tree(tree: nodes.Template) -> nodes.Template:
    """Route every loop's iterable through the loop guard and every ``~`` through the size cap."""
    for node in tree.find_all(nodes.For):
        node.iter = nodes.Filter(node.iter, LOOP_GUARD, [], [], None, None,
                                 lineno=node.iter.lineno)
    return _wrap_concats(tree)


def _wrap_concats(node):
    """Replace each Concat expression by ``(concat)|size_guard`` (children first)."""
    for name in node.fields:
        value = getattr(node, name)
        if isinstance(value, nodes.Node):
            setattr(node, name, _wrapped(_wrap_concats(value)))
        elif isinstance(value, list):
            setattr(node, name, [_wrapped(_wrap_concats(v)) if isinstance(v, nodes.Node) else v
                                 for v in value])
    return node


def _wrapped(node):
    if isinstance(node, nodes.Concat):
        return nodes.Filter(node, SIZE_GUARD, [], [], None, None, lineno=node.lineno)
    return node


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with bounded operators, names, loops and filters."""

    intercepted_binops = frozenset(BINOPS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {name: guard_filter(f) for name, f in self.filters.items()}
        self.filters[LOOP_GUARD] = GuardedLoop
        self.filters[SIZE_GUARD] = check_size

    def add_filters(self, filters: dict) -> None:
        self.filters.update({name: guard_filter(f) for name, f in filters.items()})

    def call_binop(self, context, operator, left, right):
        return guarded_binop(operator, left, right)

    def getattr(self, obj, attribute):
        _refuse_private(attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _refuse_private(argument)
        return super().getitem(obj, argument)

    def call(self, __context, __obj, *args, **kwargs):
        tick()
        return check_size(super().call(__context, __obj, *args, **kwargs))

    def _generate(self, source, name, filename, defer_init=False):
        return super()._generate(_guard_tree(source), name, filename, defer_init)


def _refuse_private(name) -> None:
    if isinstance(name, str) and name.startswith("_"):
        raise SecurityError(f"access to attribute {name!r} is unsafe")
