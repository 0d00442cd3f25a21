"""The form-schema engine: load (parse + check + compile) a schema, validate answers with it.

Public API (used by views, the API, the intake room and cases):

* ``load_schema(source: str) -> dict`` – parse YAML/JSON, check it against
  ``format.schema.json`` and the field types, compile every expression; returns the compiled
  definition (store it in ``SchemaVersion.definition``) or raises ``SchemaError`` whose
  ``.errors`` lists every problem as ``Problem(path, message)``.
* ``validate_answers(version_or_definition, answers: dict, user=None, *, context=None,
  today=None) -> Result`` – the one validation used by the web form and the API:
  ``Result.clean`` (JSON answers), ``.errors`` [(path, message)], ``.warnings`` [message],
  ``.computed`` {path: value}, ``.derived`` {path: {birth_date, sex}}, ``.uploads``
  {sha256: bytes} (store them at ``fields.stored_name(value)``; clean file values carry the
  sha256 and kind), ``.ok``.
* ``client_spec(version_or_definition, user=None, *, context=None, today=None) -> dict`` – the
  JSON the browser runtime (static/js/schema-form.js) reads from
  ``<script type="application/json" id="schema-spec">``.
* ``walk_fields(definition)`` – (path, field spec, parent group or None) for every field.
* ``localized(definition)`` – the definition with its ``*_en`` texts in an English request.
* ``field_type(spec) -> FieldType`` – the registry instance for a field spec.
* ``register_variable_provider(fn)`` – fn(user, relief_type) -> {name: value}; e.g. the
  standards room supplies ``standard`` (otherwise the schema's default is used).
* ``register_standard_values_resolver(fn)`` – fn(user, names, context, today) ->
  ({name: Decimal}, {name: message}): the county's named standard values a schema declares
  under ``standard_values`` (the standards room: the version in force on ``today``, or the
  version ``context["standard_version_id"]`` a decision pinned); a name the version does not
  define is an error at ``standard_values.<name>``.
* ``register_upload_resolver(fn)`` – fn(user, upload_id) -> clean file value or None: a file
  answer given as ``{"upload_id": n}`` must be an upload of the user's region (intake).

Answers are a dict ``{field: value, group: [{subfield: value}, ...]}``; form strings and
typed JSON are both accepted. Paths look like ``members[0].income``.
"""
from __future__ import annotations

import json
import re
from collections import ChainMap
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable, NamedTuple

import yaml
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from .. import idnumber
from ..i18n import in_page_language
from ..i18n import is_english as _english
from ..periods import local_today
from . import expr
from .fields import FIELD_TYPES, FieldError, FieldType, IdNumber, is_blank
from .roles import check_roles
from .wording import either, joined

MAX_SOURCE_BYTES = 512 * 1024
EXPRESSION_KEYS = ("show_if", "required_if", "compute")
COMMON_KEYS = {"name", "type", "label", "label_en", "help", "help_en", "required",
               "required_if", "show_if", "compute", "default", "role"}
COMPUTABLE = {"text", "integer", "money", "yes_no", "choice", "date"}
REQUIRED_MESSAGE = _l("This field is required")
# the browser runtime's own ID number check says what server/idnumber.py says
ID_MESSAGES = {"id_shape": idnumber.BAD_SHAPE, "id_no_such_birth_date": idnumber.NO_SUCH_BIRTH_DATE,
               "id_implausible_birth_date": idnumber.IMPLAUSIBLE_BIRTH_DATE,
               "id_check_character": idnumber.BAD_CHECK_CHARACTER}


class Problem(NamedTuple):
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SchemaError(ValueError):
    """The schema cannot be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[Problem]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# -- loading ------------------------------------------------------------------------------------

class _NoAliasLoader(yaml.SafeLoader):
    """safe_load without anchors/aliases (they allow exponential 'billion laughs' documents)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, _("YAML aliases (*references) are not supported"),
                                              event.start_mark)
        return super().compose_node(parent, index)


def _plain(value):
    """YAML dates and the like become strings, so the JSON Schema sees JSON types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_source(source) -> dict:
    """YAML (or JSON) text -> dict, or SchemaError with a plain message."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SchemaError([Problem("", _("The file is not UTF-8 text"))]) from None
    if not isinstance(source, str):
        raise SchemaError([Problem("", _("The form definition must be YAML or JSON text"))])
    size = len(source.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise SchemaError([Problem("", _("The form definition is too large (%(size)s KiB, at most "
                                         "%(limit)s KiB)", size=size // 1024,
                                         limit=MAX_SOURCE_BYTES // 1024))])
    if not source.strip():
        raise SchemaError([Problem("", _("The form definition is empty"))])
    if source.lstrip().startswith("{"):
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise SchemaError([Problem("", _("JSON syntax error (line %(line)s, column %(column)s): "
                                             "%(problem)s", line=exc.lineno,
                                             column=exc.colno, problem=exc.msg))]) from None
    else:
        try:
            data = yaml.load(source, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or _("cannot be parsed")
            if isinstance(exc, yaml.constructor.ConstructorError):
                problem = _("unsupported YAML tag or structure: %(problem)s", problem=problem)
            message = _("YAML syntax error (line %(line)s, column %(column)s): %(problem)s",
                        line=mark.line + 1, column=mark.column + 1, problem=problem) if mark \
                else _("YAML syntax error: %(problem)s", problem=problem)
            raise SchemaError([Problem("", message)]) from None
        except yaml.YAMLError as exc:
            raise SchemaError([Problem("", _("YAML syntax error: %(problem)s",
                                             problem=exc))]) from None
        except RecursionError:
            raise SchemaError([Problem("", _("The YAML is nested too deeply"))]) from None
    if not isinstance(data, dict):
        raise SchemaError([Problem("", _("The top level of the form definition must be a mapping "
                                         "(format, relief_type, fields…)"))])
    return _plain(data)


@lru_cache(maxsize=1)
def format_validator() -> Draft202012Validator:
    path = Path(__file__).with_name("format.schema.json")
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _json_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


TYPE_NAMES = {"string": _l("a text value"), "integer": _l("a whole number"),
              "number": _l("a number"), "boolean": "true/false", "array": _l("a list"),
              "object": _l("a mapping")}


def _jsonschema_message(error) -> str:
    v = error.validator
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return _("Required key '%(key)s' is missing", key=missing[0] if missing else error.message)
    if v == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return _("Unknown key %(keys)s", keys=joined(f"'{e}'" for e in extra))
    if v == "enum":
        return _("The value must be one of %(values)s", values=joined(
            json.dumps(x, ensure_ascii=False) for x in error.validator_value))
    if v == "const":
        return _("The value must be %(value)s",
                 value=json.dumps(error.validator_value, ensure_ascii=False))
    if v == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) \
            else [error.validator_value]
        return _("The type must be %(types)s",
                 types=either(TYPE_NAMES.get(w, w) for w in wanted))
    if v == "pattern" and error.absolute_path and error.absolute_path[-1] == "name" \
            or v == "propertyNames":
        return _("A name has lower-case letters, digits and underscores, begins with a letter "
                 "and has at most 40 characters")
    if v in ("maxLength", "maxItems", "maxProperties"):
        return _("Too long (at most %(limit)s)", limit=error.validator_value)
    if v in ("minLength", "minItems"):
        return _("Must not be empty")
    if v == "oneOf":
        return _("The format is not right")
    return error.message


def field_type(spec: dict) -> FieldType:
    return FIELD_TYPES[spec["type"]](spec)


def load_schema(source) -> dict:
    """Parse, check and compile a schema; raises SchemaError listing every problem."""
    data = parse_source(source)
    problems = [Problem(_json_path(e.absolute_path), _jsonschema_message(e))
                for e in sorted(format_validator().iter_errors(data), key=lambda e: list(
                    map(str, e.absolute_path)))]
    # semantic checks run even on a structurally broken schema, so every problem is reported
    for problem in _check_semantics(data):
        if problem not in problems:
            problems.append(problem)
    if problems:
        raise SchemaError(problems)
    return data


def _usable(spec) -> bool:
    return isinstance(spec, dict) and all(isinstance(spec.get(k), str) for k in ("name", "type"))


def _items(value) -> list:
    """(index, item) pairs of a list that may be malformed."""
    return list(enumerate(value)) if isinstance(value, list) else []


def _check_field_options(spec: dict, path: str, problems: list, in_group: bool) -> None:
    kind = spec["type"]
    if kind not in FIELD_TYPES:
        problems.append(Problem(f"{path}.type", _(
            "Unknown field type '%(kind)s' (known: %(known)s)", kind=kind,
            known=joined(sorted(FIELD_TYPES)))))
        return
    ftype = field_type(spec)
    for key in spec:
        if key not in COMMON_KEYS and key not in ftype.options and key != "ast":
            problems.append(Problem(f"{path}.{key}", _("Type %(kind)s has no option '%(key)s'",
                                                                  kind=kind, key=key)))
    if ftype.is_group and in_group:
        problems.append(Problem(f"{path}.type", _("A group cannot hold another group")))
    if ftype.is_group and "fields" not in spec:
        problems.append(Problem(f"{path}.fields", _("A group needs fields")))
    if "compute" in spec and kind not in COMPUTABLE:
        problems.append(Problem(f"{path}.compute", _("A field of type %(kind)s cannot be computed",
                                                                kind=kind)))
    if "compute" in spec and ("required" in spec or "required_if" in spec):
        problems.append(Problem(f"{path}.compute", _("A computed field cannot be required")))
    try:
        for key, message in ftype.check_options():
            problems.append(Problem(f"{path}.{key}", message))
    except (TypeError, ValueError, AttributeError):
        pass  # malformed options: already reported by the JSON Schema


def _check_semantics(data: dict) -> list[Problem]:
    problems: list[Problem] = []
    fields = [f if _usable(f) else None for f in data.get("fields") or []] \
        if isinstance(data.get("fields"), list) else []
    raw_vars = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    variables = set(raw_vars)
    raw_standard = data.get("standard_values") \
        if isinstance(data.get("standard_values"), dict) else {}
    for name in raw_standard:
        if not expr.is_name(name):
            problems.append(Problem(f"standard_values.{name}", _(
                "A standard value's name has Chinese characters, letters, digits and "
                "underscores and does not begin with a digit or an underscore")))
        elif name in variables:
            problems.append(Problem(f"standard_values.{name}", _(
                "Standard value '%(name)s' has the name of a variable", name=name)))
    variables |= set(raw_standard)
    for name, var in raw_vars.items():
        if isinstance(var, dict) and var.get("type") in ("money", "integer") and "default" in var:
            try:
                FIELD_TYPES[var["type"]]({})._number(var["default"])
            except FieldError as exc:
                problems.append(Problem(f"variables.{name}.default", str(exc)))
    top_names = [f["name"] if f else "" for f in fields]
    groups = {f["name"]: [s["name"] for _, s in _items(f.get("fields")) if _usable(s)]
              for f in fields if f and f["type"] == "group"}
    seen: set[str] = set()
    for i, spec in enumerate(fields):
        path = f"fields[{i}]"
        if spec is None:
            continue
        if spec["name"] in seen:
            problems.append(Problem(f"{path}.name", _(
                "Field name '%(name)s' is used twice", name=spec["name"])))
        if spec["name"] in variables or spec["name"] == "today":
            problems.append(Problem(f"{path}.name", _(
                "Field name '%(name)s' is the name of a variable", name=spec["name"])))
        seen.add(spec["name"])
        _check_field_options(spec, path, problems, in_group=False)
        earlier = set(top_names[:i])
        scope = expr.Scope(names=(earlier - set(groups)) | variables,
                           groups={g: set(s) for g, s in groups.items() if g in earlier},
                           later=set(top_names[i:]))
        _compile_field(spec, path, scope, problems)
        if spec["type"] == "group" and isinstance(spec.get("fields"), list):
            sub_seen: set[str] = set()
            sub_names = groups[spec["name"]]
            for j, sub in _items(spec["fields"]):
                if not _usable(sub):
                    continue
                sub_path = f"{path}.fields[{j}]"
                if sub["name"] in sub_seen:
                    problems.append(Problem(f"{sub_path}.name", _(
                        "Field name '%(name)s' is used twice", name=sub["name"])))
                sub_seen.add(sub["name"])
                _check_field_options(sub, sub_path, problems, in_group=True)
                row_scope = expr.Scope(names=scope.names, groups=scope.groups,
                                       row=set(sub_names[:j]),
                                       later=(scope.later | set(sub_names[j:])) - set(sub_names[:j]))
                _compile_field(sub, sub_path, row_scope, problems)
            all_scope = expr.Scope(names=(set(top_names) - set(groups)) | variables,
                                   groups={g: set(s) for g, s in groups.items()},
                                   row=set(sub_names))
            for k, check in _items(spec.get("checks")):
                _compile_check(check, f"{path}.checks[{k}]", all_scope, problems,
                               set(sub_names), all_scope.names | set(sub_names))
    problems.extend(Problem(path, message) for path, message in check_roles(
        [f if f is not None else {} for f in fields]))
    all_scope = expr.Scope(names=(set(top_names) - set(groups)) | variables,
                           groups={g: set(s) for g, s in groups.items()})
    for k, check in _items(data.get("checks")):
        _compile_check(check, f"checks[{k}]", all_scope, problems, set(top_names),
                       all_scope.names)
    for k, hint in _items(data.get("hints")):
        if not isinstance(hint, dict) or "when" not in hint:
            continue
        _compile_into(hint, "when", f"hints[{k}]", all_scope, problems)
        _check_placeholders(hint, f"hints[{k}]", all_scope.names, problems)
    return problems


def _check_placeholders(holder: dict, path: str, names: set[str], problems) -> None:
    """Every ``{name}`` of a message must be a field or variable the message can show."""
    for name in re.findall(r"\{(\w+)\}", str(holder.get("message", ""))):
        if name not in names:
            problems.append(Problem(f"{path}.message", _("Unknown field '%(name)s'", name=name)))


def _compile_into(holder: dict, key: str, path: str, scope: expr.Scope, problems) -> None:
    try:
        compiled = expr.compile_expression(holder[key], scope)
    except expr.ExpressionError as exc:
        problems.append(Problem(f"{path}.{key}", str(exc)))
        return
    holder[key] = compiled.source
    holder.setdefault("ast", {})[key] = compiled.tree


def _compile_field(spec: dict, path: str, scope: expr.Scope, problems) -> None:
    for key in EXPRESSION_KEYS:
        if key in spec:
            _compile_into(spec, key, path, scope, problems)


def _compile_check(check: dict, path: str, scope, problems, targets: set[str],
                   placeholders: set[str]) -> None:
    if not isinstance(check, dict) or "rule" not in check:
        return
    _compile_into(check, "rule", path, scope, problems)
    _check_placeholders(check, path, placeholders, problems)
    if isinstance(check.get("field"), str) and check["field"].split(".")[0].split("[")[0] not in targets:
        problems.append(Problem(f"{path}.field", _("Unknown field '%(name)s'",
                                                                name=check["field"])))


def walk_fields(definition: dict):
    """(path template, spec, group spec or None) for every field, groups before their rows."""
    for spec in definition["fields"]:
        yield spec["name"], spec, None
        for sub in spec.get("fields") or []:
            yield f"{spec['name']}[].{sub['name']}", sub, spec


# -- evaluation context -------------------------------------------------------------------------

VARIABLE_PROVIDERS: list[Callable] = []


def register_variable_provider(fn: Callable) -> Callable:
    """fn(user, relief_type) -> {variable: value}; later providers win."""
    VARIABLE_PROVIDERS.append(fn)
    return fn


STANDARD_VALUES_RESOLVERS: list[Callable] = []


def register_standard_values_resolver(fn: Callable) -> Callable:
    """fn(user, names, context, today) -> ({name: Decimal}, {name: message}); the last wins."""
    STANDARD_VALUES_RESOLVERS.append(fn)
    return fn


def standard_values(definition: dict, user=None, context: dict | None = None,
                    today: date | None = None) -> tuple[dict, list[Problem]]:
    """The named standard values a schema declares: context values < the resolver's; a name
    no one supplies is None (unknown in expressions) and, when the resolver was asked, an
    error at ``standard_values.<name>``."""
    names = list(definition.get("standard_values") or {})
    if not names:
        return {}, []
    context = context or {}
    values = {name: context.get(name) for name in names}
    problems: list[Problem] = []
    wanted = [name for name in names if values[name] is None]
    if wanted and STANDARD_VALUES_RESOLVERS and (user is not None or context):
        found, missing = STANDARD_VALUES_RESOLVERS[-1](user, wanted, context,
                                                       today or local_today())
        values.update({k: v for k, v in found.items() if k in values})
        problems = [Problem(f"standard_values.{name}", message)
                    for name, message in missing.items()]
    money = FIELD_TYPES["money"]({})
    out = {}
    for name, value in values.items():
        try:
            out[name] = None if value is None else money._number(value)
        except FieldError:
            out[name] = None
            problems.append(Problem(f"standard_values.{name}", _(
                "Standard value '%(name)s' is not an amount", name=name)))
    return out, problems


def _definition_of(version_or_definition) -> dict:
    return getattr(version_or_definition, "definition", version_or_definition)


TRANSLATED_KEYS = ("title", "description", "label", "help", "message", "row_label",
                   "pattern_message")



def localized(definition: dict) -> dict:
    """The definition as an English page shows it: every text with an ``<key>_en`` twin
    (label, help, message, row_label, title…) is replaced by the twin; values (choice values,
    names, rules) stay as they are, so answers are the same in both languages. In Chinese,
    and for texts without a twin, the definition is returned unchanged."""
    if not _english():
        return definition

    def walk(node):
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            for key in TRANSLATED_KEYS:
                if node.get(f"{key}_en"):
                    out[key] = node[f"{key}_en"]
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(definition)


def variables(definition: dict, user=None, context: dict | None = None) -> dict:
    """Variable values as expression values: schema defaults < providers < context."""
    values = {name: var["default"] for name, var in (definition.get("variables") or {}).items()}
    for provider in VARIABLE_PROVIDERS:
        for key, value in (provider(user, definition.get("relief_type")) or {}).items():
            if key in values and value is not None:
                values[key] = value
    for key, value in (context or {}).items():
        if key in values and value is not None:
            values[key] = value
    out = {}
    for name, var in (definition.get("variables") or {}).items():
        if var["type"] == "text":
            out[name] = str(values[name])
            continue
        number = FIELD_TYPES[var["type"]]({})
        try:
            out[name] = number._number(values[name])
        except FieldError:  # a supplied value that does not fit: the schema's default
            out[name] = number._number(var["default"])
    return out


VILLAGES_KEY = "jiuzhu_villages"


def villages_for(user):
    """The villages under the user's region, looked up once per transaction: the form class,
    the validation and the intake of one request each need them."""
    if user is None:
        return None
    from ..db import db
    from ..regions.queries import villages_of

    cache = db.session.info.setdefault(VILLAGES_KEY, {})
    key = (user.id, user.region_id)
    if key not in cache:
        cache[key] = villages_of(user)
    return cache[key]


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_villages(session, transaction):
    # committed or rolled-back rows are expired: the next transaction looks them up again
    session.info.pop(VILLAGES_KEY, None)


# -- validation ---------------------------------------------------------------------------------

@dataclass
class Result:
    clean: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    computed: dict = field(default_factory=dict)
    derived: dict = field(default_factory=dict)
    uploads: dict = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths of required answers not given

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_path(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path, message in self.errors:
            out.setdefault(path, []).append(message)
        return out


def _coerce_computed(spec: dict, value):
    """A computed expression result as the field's clean JSON value."""
    if value is None:
        return None
    kind = spec["type"]
    if kind in ("money", "integer"):
        if not expr.is_number(value):
            return None
        rounded = expr.round_half_up(value, 2 if kind == "money" else 0)
        return str(rounded) if kind == "money" else int(rounded)
    if kind == "yes_no":
        return expr.truthy(value)
    if isinstance(value, Decimal):
        return expr.canonical(value)
    return value if isinstance(value, str) else None


class _Run:
    """One validation pass over the fields in document order (the JS runtime does the same)."""

    def __init__(self, definition: dict, ctx: dict, result: Result):
        self.definition, self.ctx, self.result = definition, ctx, result
        self.today = ctx["today"]
        self.env: dict = {"today": self.today.isoformat(), **ctx["variables"]}

    def evaluate(self, spec_holder: dict, key: str, names):
        return expr.evaluate(spec_holder[key], names, today=self.today)

    def scalar(self, spec: dict, raw, names, path: str, present: bool):
        """Process one non-group field; returns its clean JSON value (or None)."""
        name = spec["name"]
        if "show_if" in spec and not expr.truthy(self.evaluate(spec, "show_if", names)):
            names[name] = None
            self.result.hidden.append(path)
            return None
        ftype = field_type(spec)
        if "compute" in spec:
            value = _coerce_computed(spec, self.evaluate(spec, "compute", names))
            self.result.computed[path] = value
            names[name] = ftype.expr_value(value)
            return value
        value = None
        if present and not is_blank(raw):
            try:
                value = ftype.parse(raw, self.ctx)
            except FieldError as exc:
                self.result.errors.append((path, str(exc)))
                names[name] = None
                return None
            if isinstance(ftype, IdNumber):
                self.result.derived[path] = IdNumber.derived(value)
        elif spec.get("required") or ("required_if" in spec and expr.truthy(
                self.evaluate(spec, "required_if", names))):
            self.result.errors.append((path, str(REQUIRED_MESSAGE)))
            self.result.missing.append(path)
        names[name] = ftype.expr_value(value)
        return value

    def group(self, spec: dict, raw, path: str, present: bool):
        name = spec["name"]
        rows = expr.Rows()
        self.env[name] = rows
        if "show_if" in spec and not expr.truthy(self.evaluate(spec, "show_if", self.env)):
            self.result.hidden.append(path)
            return None
        if present and raw is not None and not isinstance(raw, list):
            self.result.errors.append((path, _("Must be a list of rows")))
            return None
        raw = raw or []
        low, high = spec.get("min_rows", 0), spec.get("max_rows", 50)
        if spec.get("required") and not raw:
            low = max(low, 1)
        if len(raw) < low:
            self.result.errors.append((path, _("Fill in at least %(rows)s rows", rows=low)))
            self.result.missing.append(path)
        if len(raw) > high:
            self.result.errors.append((path, _("Fill in at most %(rows)s rows", rows=high)))
            raw = raw[:high]
        clean_rows = []
        sub_names = {s["name"] for s in spec["fields"]}
        for i, row in enumerate(raw):
            row_path = f"{path}[{i}]"
            if not isinstance(row, dict):
                self.result.errors.append((row_path, _("Each row must be a mapping")))
                row = {}
            for key in row:
                if key not in sub_names:
                    self.result.errors.append((f"{row_path}.{key}", _("Unknown field")))
            row_env: dict = {}
            names = ChainMap(row_env, self.env)
            clean = {}
            for sub in spec["fields"]:
                value = self.scalar(sub, row.get(sub["name"]), names, f"{row_path}.{sub['name']}",
                                    sub["name"] in row)
                if value is not None:
                    clean[sub["name"]] = value
            rows.append(row_env)
            clean_rows.append(clean)
        return clean_rows

    def checks(self, checks: list, names, base: str) -> None:
        for check in checks or []:
            if self.evaluate(check, "rule", names) is False:
                target = check.get("field", "")
                path = f"{base}.{target}" if base and target else (target or base)
                message = in_page_language(check["message"], check.get("message_en", ""))
                self.result.errors.append((path, format_message(message, self.definition,
                                                                names)))

    def run(self, answers: dict) -> None:
        known = {f["name"] for f in self.definition["fields"]}
        for key in answers:
            if key not in known:
                self.result.errors.append((key, _("Unknown field")))
        for spec in self.definition["fields"]:
            name = spec["name"]
            if spec["type"] == "group":
                value = self.group(spec, answers.get(name), name, name in answers)
            else:
                value = self.scalar(spec, answers.get(name), self.env, name, name in answers)
            if value is not None:
                self.result.clean[name] = value
        for spec in self.definition["fields"]:
            if spec["type"] == "group" and spec.get("checks"):
                for i, row_env in enumerate(self.env[spec["name"]]):
                    self.checks(spec["checks"], ChainMap(row_env, self.env), f"{spec['name']}[{i}]")
        self.checks(self.definition.get("checks"), self.env, "")
        for hint in self.definition.get("hints") or []:
            if expr.truthy(self.evaluate(hint, "when", self.env)):
                message = in_page_language(hint["message"], hint.get("message_en", ""))
                self.result.warnings.append(format_message(message, self.definition, self.env))


def format_message(message: str, definition: dict, env) -> str:
    """Replace {name} with the display value of a field (of the row, for a group's checks)
    or variable."""
    money = {f["name"] for f in definition["fields"] if f["type"] == "money"}
    money |= {s["name"] for f in definition["fields"] for s in f.get("fields") or []
              if s["type"] == "money"}
    money |= {k for k, v in (definition.get("variables") or {}).items() if v["type"] == "money"}
    money |= set(definition.get("standard_values") or {})

    def show(match):
        value = env.get(match.group(1))
        if value is None:
            return "—"
        if isinstance(value, Decimal):
            return str(expr.round_half_up(value, 2)) if match.group(1) in money \
                else expr.canonical(value)
        return str(value)

    return re.sub(r"\{(\w+)\}", show, message)


UPLOAD_RESOLVERS: list[Callable] = []


def register_upload_resolver(fn: Callable) -> Callable:
    """fn(user, upload_id) -> the clean file value of an upload the user may use, or None.
    The intake room supplies it; without one (or without a user) no stored file is accepted."""
    UPLOAD_RESOLVERS.append(fn)
    return fn


def _context(definition, user, context, today) -> dict:
    today = today or local_today()
    named, problems = standard_values(definition, user, context, today)
    ctx = {"today": today, "villages": villages_for(user),
           "variables": {**variables(definition, user, context), **named},
           "standard_problems": problems}
    if user is not None and UPLOAD_RESOLVERS:
        ctx["resolve_upload"] = lambda upload_id: UPLOAD_RESOLVERS[-1](user, upload_id)
    return ctx


def validate_answers(version_or_definition, answers, user=None, *, context: dict | None = None,
                     today: date | None = None) -> Result:
    """Validate and clean answers; the same call for the web form and the API."""
    definition = _definition_of(version_or_definition)
    result = Result()
    if not isinstance(answers, dict):
        result.errors.append(("", _("The answers must be a mapping")))
        return result
    ctx = _context(definition, user, context, today)
    result.errors.extend(ctx["standard_problems"])
    _Run(definition, ctx, result).run(answers)
    result.uploads = ctx.get("uploads", {})
    return result


def client_spec(version_or_definition, user=None, *, context: dict | None = None,
                today: date | None = None) -> dict:
    """The JSON the browser runtime needs: fields with ASTs, checks, hints, variables, today."""
    definition = localized(_definition_of(version_or_definition))
    ctx = _context(definition, user, context, today)

    def field_spec(spec):
        ftype = field_type(spec)
        out = {k: v for k, v in spec.items() if k not in ("fields", "checks", "choices")}
        out["ast"] = spec.get("ast", {})
        out.update(ftype.client(ctx))
        if ftype.is_group:
            out["fields"] = [field_spec(s) for s in spec["fields"]]
            out["min_rows"] = spec.get("min_rows", 0)
            out["max_rows"] = spec.get("max_rows", 50)
            out["checks"] = [{"ast": c["ast"]["rule"], "message": c["message"],
                              "field": c.get("field", "")} for c in spec.get("checks") or []]
        return out

    return {
        "relief_type": definition.get("relief_type"),
        "today": ctx["today"].isoformat(),
        "variables": {k: expr.canonical(v) for k, v in ctx["variables"].items()},
        "variable_types": {**{k: v["type"] for k, v in (definition.get("variables") or {}).items()},
                           **{k: "money" for k in definition.get("standard_values") or {}}},
        "fields": [field_spec(s) for s in definition["fields"]],
        "checks": [{"ast": c["ast"]["rule"], "message": c["message"], "field": c.get("field", "")}
                   for c in definition.get("checks") or []],
        "hints": [{"ast": h["ast"]["when"], "message": h["message"]}
                  for h in definition.get("hints") or []],
        "messages": {"required": str(REQUIRED_MESSAGE),
                     **{key: str(message) for key, message in ID_MESSAGES.items()}},
    }
