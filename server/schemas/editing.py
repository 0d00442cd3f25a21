"""Structured editing of a draft's source for the builder: add, change, move and delete fields
and groups in the raw (uncompiled) schema data, then dump it back to YAML.

A field is addressed by its position: ``"3"`` is ``fields[3]``, ``"3.1"`` is
``fields[3].fields[1]`` (a field inside a group). The engine checks the result; this module only
rearranges data.
"""
from __future__ import annotations

import copy
import re

import yaml
from flask_babel import gettext as _

from .engine import COMMON_KEYS, parse_source

# keys the builder form edits itself; every other option is edited as YAML ("extra options")
FORM_KEYS = ("name", "type", "label", "label_en", "help", "required", "show_if", "required_if",
             "compute", "default", "role", "choices")
KEY_ORDER = ("name", "type", "label", "label_en", "help", "help_en", "role", "required",
             "required_if", "show_if", "compute", "default", "choices")
LOCATOR = re.compile(r"^\d{1,3}(\.\d{1,3})?$")


class EditError(ValueError):
    """A builder request that cannot be applied (bad position, name clash…); a plain message
    in the page's language.
    ``key`` names the builder input it concerns, when one does."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order written, multi-line text as literal blocks."""


def _str_presenter(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)


def source_data(source: str) -> dict:
    """The raw data of a draft's source (the engine's parser, so errors read the same)."""
    return parse_source(source)


def parse_locator(at: str) -> tuple[int, ...]:
    if not isinstance(at, str) or not LOCATOR.match(at):
        raise EditError(_("Invalid field position"))
    return tuple(int(p) for p in at.split("."))


def _siblings(data: dict, parent: tuple[int, ...]) -> list:
    if not parent:
        return data.setdefault("fields", [])
    group = _get(data, parent)
    if group.get("type") != "group":
        raise EditError(_("Fields can only be added into a group"))
    return group.setdefault("fields", [])


def _get(data: dict, where: tuple[int, ...]) -> dict:
    fields = data.get("fields") or []
    try:
        spec = fields[where[0]]
        if len(where) == 2:
            spec = spec["fields"][where[1]]
    except (IndexError, KeyError, TypeError):
        raise EditError(_("The field is not found (the form may have changed: reload the "
                          "page)")) from None
    if not isinstance(spec, dict):
        raise EditError(_("The field is not found"))
    return spec


def get_field(data: dict, at: str) -> dict:
    return _get(data, parse_locator(at))


def field_path(at: str) -> str:
    """The engine's error path of the field at a locator: ``fields[3].fields[1]``."""
    return ".".join(f"fields[{i}]" for i in parse_locator(at))


def locator_of_path(path: str) -> str | None:
    """The locator of the field an error path points into, e.g. fields[2].show_if -> "2"."""
    found = re.findall(r"fields\[(\d+)\]", path.split(".checks")[0])
    return ".".join(found[:2]) if found else None


def names_of(data: dict) -> dict[str, tuple[str, ...]]:
    """Locator -> name path ((name,) or (group, name)) of every field, to follow a field whose
    locator an edit changed."""
    return {row["at"]: ((row["group"],) if row["depth"] else ()) + (row["spec"].get("name"),)
            for row in outline(data)}


def outline(data: dict) -> list[dict]:
    """Rows for the builder's field list: locator, depth, spec summary."""
    rows = []
    fields = data.get("fields")  # a refused source may hold anything here
    for i, spec in enumerate(fields if isinstance(fields, list) else []):
        if not isinstance(spec, dict):
            continue
        rows.append({"at": str(i), "depth": 0, "spec": spec, "count": len(fields)})
        subs = spec.get("fields") if spec.get("type") == "group" else None
        for j, sub in enumerate(subs if isinstance(subs, list) else []):
            if isinstance(sub, dict):
                rows.append({"at": f"{i}.{j}", "depth": 1, "spec": sub,
                             "count": len(spec["fields"]), "group": spec.get("name")})
    return rows


def groups(data: dict) -> list[tuple[str, str]]:
    """(locator, label) of the groups a new field can be added into."""
    return [(str(i), spec.get("label") or spec.get("name", ""))
            for i, spec in enumerate(data.get("fields") or [])
            if isinstance(spec, dict) and spec.get("type") == "group"]


def _ordered(spec: dict) -> dict:
    out = {k: spec[k] for k in KEY_ORDER if k in spec}
    out.update({k: v for k, v in spec.items() if k not in out})
    return out


def _check_name(siblings: list, name: str, skip: dict | None = None) -> None:
    if any(isinstance(s, dict) and s.get("name") == name and s is not skip for s in siblings):
        raise EditError(_("A field named '%(name)s' already exists at this level", name=name),
                        key="name")


def add_field(data: dict, spec: dict, parent: str = "", index: int | None = None) -> dict:
    """A copy of data with the field added at the end of the top level or of a group."""
    data = copy.deepcopy(data)
    siblings = _siblings(data, parse_locator(parent) if parent else ())
    _check_name(siblings, spec.get("name"))
    siblings.insert(len(siblings) if index is None else index, _ordered(spec))
    return data


def replace_field(data: dict, at: str, spec: dict) -> dict:
    """A copy of data with the field at ``at`` replaced (a group keeps its rows' fields)."""
    data = copy.deepcopy(data)
    where = parse_locator(at)
    old = _get(data, where)
    siblings = _siblings(data, where[:-1])
    _check_name(siblings, spec.get("name"), skip=old)
    if old.get("type") == "group" and spec.get("type") == "group" and "fields" not in spec:
        spec = {**spec, "fields": old.get("fields", [])}
    siblings[where[-1]] = _ordered(spec)
    return data


def delete_field(data: dict, at: str) -> dict:
    data = copy.deepcopy(data)
    where = parse_locator(at)
    _get(data, where)
    siblings = _siblings(data, where[:-1])
    if not where[:-1] and len(siblings) == 1:
        raise EditError(_("A form needs at least one field"))
    del siblings[where[-1]]
    return data


def move_field(data: dict, at: str, offset: int) -> dict:
    """Move a field up (-1) or down (+1) among its siblings."""
    data = copy.deepcopy(data)
    where = parse_locator(at)
    _get(data, where)
    siblings = _siblings(data, where[:-1])
    target = where[-1] + offset
    if not 0 <= target < len(siblings):
        raise EditError(_("It is already first or last"))
    siblings[where[-1]], siblings[target] = siblings[target], siblings[where[-1]]
    return data


def reorder(data: dict, parent: str, order: list[int]) -> dict:
    """Put the fields of one level in a new order (drag and drop): ``order`` is a permutation."""
    data = copy.deepcopy(data)
    siblings = _siblings(data, parse_locator(parent) if parent else ())
    if sorted(order) != list(range(len(siblings))):
        raise EditError(_("The new order is not valid: reload the page and try again"))
    siblings[:] = [siblings[i] for i in order]
    return data


# -- the field form <-> a spec --------------------------------------------------------------------

def parse_choices(text: str) -> list:
    """One choice a line: ``value``, ``value=label`` or ``value=label|English label``."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        value, _, label = (part.strip() for part in line.partition("="))
        label, _, label_en = (part.strip() for part in (label or value).partition("|"))
        if label_en:
            out.append({"value": value, "label": label, "label_en": label_en})
        elif label != value:
            out.append({"value": value, "label": label})
        else:
            out.append(value)
    return out


def format_choices(choices) -> str:
    """The choices as the builder's text box shows them (``parse_choices`` reads it back)."""
    lines = []
    for c in choices or []:
        if isinstance(c, dict):
            value, label = str(c.get("value", "")), str(c.get("label", ""))
            line = value if value == label and not c.get("label_en") else f"{value}={label}"
            lines.append(f"{line}|{c['label_en']}" if c.get("label_en") else line)
        else:
            lines.append(str(c))
    return "\n".join(lines)


def extra_options(spec: dict) -> dict:
    """Options the form has no input for (type-specific limits, group rows…), as YAML data."""
    return {k: v for k, v in spec.items() if k not in FORM_KEYS and k != "fields"}


def parse_extra(text: str) -> dict:
    text = (text or "").strip()
    if not text:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise EditError(_("Other options must be YAML keys and values, e.g. max_length: 50"),
                        key="extra") from None
    if not isinstance(value, dict):
        raise EditError(_("Other options must be YAML keys and values, e.g. max_length: 50"),
                        key="extra")
    return {str(k): v for k, v in value.items()}


def _default_value(text: str, kind: str):
    text = text.strip()
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "yes_no" and text in ("true", "false"):
        return text == "true"
    return text


def spec_from_form(values: dict) -> dict:
    """A field spec from the builder form's values (strings), dropping empty inputs."""
    spec: dict = {"name": values["name"].strip(), "type": values["type"].strip(),
                  "label": values["label"].strip()}
    for key in ("label_en", "help", "show_if", "required_if", "compute", "role"):
        if (values.get(key) or "").strip():
            spec[key] = values[key].strip()
    if values.get("required"):
        spec["required"] = True
    if (values.get("default") or "").strip():
        spec["default"] = _default_value(values["default"], spec["type"])
    choices = parse_choices(values.get("choices", ""))
    if choices:
        spec["choices"] = choices
    for key, value in parse_extra(values.get("extra", "")).items():
        if key in COMMON_KEYS or key == "choices":
            raise EditError(_("Enter '%(key)s' in its own input", key=key), key="extra")
        spec[key] = value
    return spec


def form_values(spec: dict) -> dict:
    """The builder form's values for an existing field."""
    extra = extra_options(spec)
    return {
        **{k: str(spec.get(k, "")) for k in ("name", "type", "label", "label_en", "help",
                                              "show_if", "required_if", "compute", "role")},
        "required": bool(spec.get("required")),
        "default": "" if "default" not in spec else (
            str(spec["default"]).lower() if isinstance(spec["default"], bool)
            else str(spec["default"])),
        "choices": format_choices(spec.get("choices")),
        "extra": dump_yaml(extra) if extra else "",
    }
