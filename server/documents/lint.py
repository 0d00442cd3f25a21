"""Checking an uploaded template before it can be used.

The template is read the way docxtpl will render it (tags joined across runs, one paragraph per
line), parsed by the same sandboxed environment, and its syntax tree walked against the kind's
context contract: every name, loop variable and nested attribute must exist; ``answers.*``
must be a field of the schema of *every* relief type the kind serves (a group only one form has
would fail for the others); attributes starting with ``_`` (also when computed), function calls,
includes, imports, loops nested deeper than ``MAX_LOOP_DEPTH`` and constant expressions that
would blow up (``'a' * 10**8``, ``9 ** 9 ** 7``) are refused. Before any of that the .docx
package is checked from its zip directory alone (part count, expanded sizes), so a zip bomb
costs nothing. Messages are for the admin (in their language) and quote the paragraph.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateSyntaxError, nodes

from .errors import LOOP_LISTS_ONLY, RenderLimit, explain, in_paragraph, no_field, undefined, unsafe
from .rendering import make_environment, paragraph_at
from .sandbox import check_size, guarded_binop

ANY = "any"
LOOP = {"index": None, "index0": None, "revindex": None, "revindex0": None, "first": None,
        "last": None, "length": None, "depth": None, "previtem": ANY, "nextitem": ANY}
ALLOWED_FILTERS = frozenset({
    "money", "capital_money", "cn_date", "cn_month", "or_placeholder", "default", "d", "join",
    "length", "count", "upper", "lower", "trim", "replace", "round", "int", "float", "string",
    "first", "last", "truncate", "e", "escape", "center", "abs", "title", "capitalize",
    "wordcount", "list", "sum", "batch", "slice", "unique", "reverse", "indent", "format",
})
ELEMENT_FILTERS = frozenset({"first", "last"})
LIST_FILTERS = frozenset({"list", "unique", "reverse", "sort"})
MAX_LOOP_DEPTH = 3
MAX_PARTS = 1000  # a Word document has a few dozen
MAX_PART_BYTES = 20 * 1024 * 1024  # one part (document.xml, an image) once expanded
MAX_PACKAGE_BYTES = 40 * 1024 * 1024  # all parts once expanded
FOLDED_BINOPS = {nodes.Mul: "*", nodes.Pow: "**", nodes.Add: "+", nodes.Mod: "%"}
NOT_DOCX = _l("This is not a valid Word document (.docx): save it as .docx in Word or WPS and "
              "upload it again")
REFUSED = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Macro,
           nodes.CallBlock, nodes.Block, nodes.Scope, nodes.EvalContextModifier)


@dataclass
class Issue:
    message: str  # or a lazy msgid: shown in the reader's language
    paragraph: str = ""
    is_error: bool = True

    def __str__(self) -> str:
        where = in_paragraph(self.paragraph) if self.paragraph else ""
        return f"{self.message}{where}"


@dataclass
class LintReport:
    issues: list[Issue] = field(default_factory=list)
    uses_answers: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def _sources(data: bytes) -> list[str]:
    """Jinja source of the body, headers and footers, as docxtpl prepares them."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
    return [re.sub(r"<w:p([ >])", r"\n<w:p\1", source) for source in parts]


_paragraph = paragraph_at


def package_issues(data: bytes) -> list[Issue]:
    """Refuse a .docx whose parts are too many or too large once expanded (zip directory only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [Issue(NOT_DOCX)]
    mb = 1024 * 1024
    if len(infos) > MAX_PARTS:
        return [Issue(_l("The document has too many parts (%(count)s, at most %(limit)s): it "
                         "does not look like a normal Word document", count=len(infos),
                         limit=MAX_PARTS))]
    biggest = max(infos, key=lambda i: i.file_size, default=None)
    if biggest is not None and biggest.file_size > MAX_PART_BYTES:
        return [Issue(_l("“%(name)s” in the document is %(size)s MB expanded, over the limit "
                         "of %(limit)s MB: compress the pictures and save it again",
                         name=biggest.filename[:60], size=biggest.file_size // mb,
                         limit=MAX_PART_BYTES // mb))]
    total = sum(i.file_size for i in infos)
    if total > MAX_PACKAGE_BYTES:
        return [Issue(_l("The document is %(size)s MB expanded, over the limit of %(limit)s "
                         "MB: compress the pictures and save it again", size=total // mb,
                         limit=MAX_PACKAGE_BYTES // mb))]
    return []


class NotConstant(Exception):
    """The expression depends on the data: nothing to fold."""


def fold(node):
    """The value of a constant expression, computed with the render-time guards (which raise
    ``RenderLimit`` for a bomb); ``NotConstant`` when it depends on the data."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, (nodes.Tuple, nodes.List)):
        return [fold(item) for item in node.items]
    if type(node) in FOLDED_BINOPS:
        return guarded_binop(FOLDED_BINOPS[type(node)], fold(node.left), fold(node.right))
    if isinstance(node, nodes.Concat):
        return check_size("".join(str(fold(item)) for item in node.nodes))
    if isinstance(node, nodes.Filter) and node.name in ("list", "string") and node.node:
        value = fold(node.node)
        return check_size(list(value) if node.name == "list" else str(value))
    raise NotConstant


def schema_contract(definitions: list[dict]) -> dict | str:
    """What ``answers`` offers: the union of the schemas' fields (groups are lists of rows)."""
    if not definitions:
        return ANY
    contract: dict = {}
    for definition in definitions:
        for spec in definition.get("fields") or []:
            subs = spec.get("fields")
            if subs:
                row = contract.setdefault(spec["name"], [{}])
                row = row[0] if isinstance(row, list) else {}
                row.update({sub["name"]: None for sub in subs})
                contract[spec["name"]] = [row]
            else:
                contract.setdefault(spec["name"], None)
    return contract


class Checker:
    """Walks a Jinja syntax tree resolving every expression to a contract shape."""

    def __init__(self, contract: dict, answers, source: str, report: LintReport):
        self.contract, self.answers, self.source, self.report = contract, answers, source, report
        self.seen: set[str] = set()
        self.depth = 0

    def error(self, message: str, node) -> None:
        paragraph = _paragraph(self.source, getattr(node, "lineno", None))
        key = message + paragraph
        if key not in self.seen:
            self.seen.add(key)
            self.report.issues.append(Issue(message, paragraph))

    # -- statements --------------------------------------------------------------------------

    def statements(self, body, scope: dict) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node, scope: dict) -> None:
        if isinstance(node, REFUSED):
            self.error(_l("%(statement)s statements are not allowed in a template",
                          statement=type(node).__name__), node)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope)
        elif isinstance(node, nodes.For):
            self._for(node, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.statements(node.body, scope)
            for branch in node.elif_:
                self.statement(branch, scope)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self._bind(node.target, self.expr(node.node, scope), scope)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=True):
                self._bind(target, self.expr(value, scope), inner)
            self.statements(node.body, inner)
        elif isinstance(node, nodes.FilterBlock):
            self._filter(node.filter, None, scope)
            self.statements(node.body, scope)
        elif isinstance(node, (nodes.AssignBlock,)):
            self.statements(node.body, scope)
            self._bind(node.target, None, scope)
        elif isinstance(node, nodes.ExprStmt):
            self.expr(node.node, scope)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    self.statement(child, scope)
                else:
                    self.expr(child, scope)

    def _for(self, node, scope: dict) -> None:
        if self.depth >= MAX_LOOP_DEPTH:
            self.error(_l("Loops are nested more than %(depth)s deep: simplify the template",
                          depth=MAX_LOOP_DEPTH), node)
            return
        self.depth += 1
        try:
            self._loop(node, scope)
        finally:
            self.depth -= 1

    def _loop(self, node, scope: dict) -> None:
        iterable = self.expr(node.iter, scope)
        if isinstance(iterable, list):
            item = iterable[0]
        elif iterable == ANY:
            item = ANY
        else:
            self.error(LOOP_LISTS_ONLY, node)
            item = ANY
        inner = dict(scope)
        self._bind(node.target, item, inner)
        inner["loop"] = LOOP
        if node.test is not None:
            self.expr(node.test, inner)
        self.statements(node.body, inner)
        self.statements(node.else_, scope)

    def _bind(self, target, shape, scope: dict) -> None:
        if isinstance(target, nodes.Name):
            if target.name.startswith("_"):
                self.error(_l("The variable name %(name)s may not start with an underscore",
                              name=target.name), target)
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, ANY, scope)

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node, scope: dict):
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.contract:
                shape = self.contract[node.name]
                if shape == "answers":
                    self.report.uses_answers = True
                    return self.answers
                return shape
            self.error(undefined(node.name), node)
            return ANY
        if isinstance(node, nodes.Getattr):
            return self._attribute(node, self.expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            if isinstance(node.arg, nodes.Slice):
                self.expr(node.arg, scope)
                return base
            key = self._fold(node.arg)
            if key is NotConstant:
                self.expr(node.arg, scope)
                if not isinstance(base, list):
                    self.error(_l("A field may not be taken by a computed name: write the "
                                  "field's name"), node)
                return base[0] if isinstance(base, list) else ANY
            if isinstance(key, str):
                return self._attribute(node, base, key)
            return base[0] if isinstance(base, list) else ANY
        if type(node) in FOLDED_BINOPS or isinstance(node, nodes.Concat):
            self._fold(node)
        if isinstance(node, nodes.Filter):
            return self._filter(node, node.node, scope)
        if isinstance(node, nodes.Test):
            self.expr(node.node, scope)
            if node.name not in make_environment().tests:
                self.error(_l("Unknown test %(name)s", name=node.name), node)
            for arg in node.args:
                self.expr(arg, scope)
            return None
        if isinstance(node, nodes.Call):
            self.error(_l("Calling functions or methods is not allowed in a template: use "
                          "a filter"), node)
            return ANY
        if isinstance(node, nodes.Const):
            return None
        for child in node.iter_child_nodes():
            self.expr(child, scope)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            return [ANY]
        return None

    def _fold(self, node):
        """The constant value of ``node`` (``NotConstant`` when it depends on the data or
        cannot be computed); a bomb is reported as an error."""
        try:
            return fold(node)
        except RenderLimit as exc:
            self.error(str(exc.reason), node)
        except (NotConstant, TypeError, ValueError, ArithmeticError, LookupError):
            pass
        return NotConstant

    def _attribute(self, node, base, attr: str):
        if attr.startswith("_"):
            self.error(unsafe(attr), node)
            return ANY
        if base == ANY:
            return ANY
        if isinstance(base, dict):
            if attr in base:
                return base[attr]
            self.error(no_field(attr), node)
            return ANY
        self.error(_l("%(name)s cannot be used on a text or a list (only on an object's "
                      "fields)", name=attr), node)
        return ANY

    def _filter(self, node, operand, scope: dict):
        shape = self.expr(operand, scope) if operand is not None else None
        for arg in list(node.args) + [kw.value for kw in node.kwargs]:
            self.expr(arg, scope)
        if node.name not in ALLOWED_FILTERS:
            self.error(_l("The filter %(name)s is not allowed", name=node.name), node)
            return ANY
        if operand is not None and node.name in ("list", "string"):
            self._fold(node)
        if node.name in ELEMENT_FILTERS and isinstance(shape, list):
            return shape[0]
        if node.name in LIST_FILTERS:
            return shape if isinstance(shape, list) else [ANY]
        return None


def lint(data: bytes, contract: dict, answers=ANY, forms: dict | None = None) -> LintReport:
    """Check template bytes against a contract; the report lists every problem found.

    ``forms`` maps a form's label to what its ``answers`` offer: the template is checked against
    each, and a problem some forms have names them. Without it ``answers`` is checked against
    the one ``answers`` shape."""
    report = LintReport()
    report.issues.extend(package_issues(data))
    if report.issues:
        return report
    try:
        sources = _sources(data)
    except Exception:  # noqa: BLE001 - any parse failure means "not a usable .docx"
        report.issues.append(Issue(NOT_DOCX))
        return report
    env = make_environment()
    forms = forms or {"": answers}
    for source in sources:
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            report.issues.append(Issue(_l("Template syntax error: %(reason)s", reason=explain(exc)),
                                       _paragraph(source, exc.lineno)))
            continue
        found: dict[tuple, list[str]] = {}
        for label, shape in forms.items():
            part = LintReport()
            Checker(contract, shape, source, part).statements(tree.body, {})
            report.uses_answers = report.uses_answers or part.uses_answers
            for issue in part.issues:
                found.setdefault((issue.message, issue.paragraph, issue.is_error), []).append(label)
        for (message, paragraph, is_error), labels in found.items():
            if len(labels) < len(forms):
                message = _l("%(message)s (the %(forms)s forms)", message=message,
                             forms="、".join(labels))
            report.issues.append(Issue(message, paragraph, is_error))
    if ANY in forms.values() and report.uses_answers:
        report.issues.append(Issue(_l("No form structure was found for this relief type: the "
                                      "answers.* fields were not checked"), is_error=False))
    return report
