"""WTForms classes built at runtime from a compiled schema (for rendering and form parsing).

Each field type supplies its WTForms field (``FieldType.wtf_field``); groups become
``FieldList(FormField(row form))``. The WTForms validators are deliberately not used: the one
server-side validation is ``engine.validate_answers``; ``answers_from_form`` turns the posted
form into answers and ``apply_errors`` puts the engine's messages back on the fields.

Usage in a view::

    FormClass = build_form_class(version, current_user)
    form = FormClass(data=answers_for_form(version, case.answers))   # or FormClass() on POST
    if form.is_submitted():
        result = validate_answers(version, answers_from_form(version, form), current_user)
        leftover = apply_errors(form, result)
"""
from __future__ import annotations

import json
import re

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField

from ..periods import local_today
from .engine import _definition_of, field_type, localized, villages_for


def _bind_fields(cls, specs, ctx) -> None:
    for spec in specs:
        ftype = field_type(spec)
        if ftype.is_group:
            row = type(f"{spec['name'].title()}Row", (Form,), {})
            _bind_fields(row, spec["fields"], ctx)
            setattr(cls, spec["name"], FieldList(
                FormField(row), label=spec["label"], min_entries=max(spec.get("min_rows", 0), 1),
                max_entries=spec.get("max_rows", 50)))
            continue
        field_class, kwargs = ftype.wtf_field(ctx)
        kwargs = dict(kwargs)
        render_kw = dict(kwargs.pop("render_kw", {}))
        if "compute" in spec:
            render_kw["readonly"] = True
        if "help" in spec:
            kwargs["description"] = spec["help"]
        if spec.get("default") is not None and "compute" not in spec:
            kwargs["default"] = ftype.default()
        setattr(cls, spec["name"], field_class(spec["label"], render_kw=render_kw, **kwargs))


_FORM_CLASSES: dict = {}  # compiled classes of published versions (never edited again)
MAX_FORM_CLASSES = 256


def build_form_class(version_or_definition, user=None, base=FlaskForm):
    """A form class for the schema; village choices are limited to the user's region.

    A published version's class is compiled once per village choices (and day, for "today"
    defaults) and reused by every request, instead of being built again for each one."""
    definition = localized(_definition_of(version_or_definition))  # labels of the page's language
    villages = villages_for(user)
    key = None
    status = getattr(getattr(version_or_definition, "status", None), "value", None)
    if status == "published":
        # the definition itself is in the key: ids repeat across databases (tests, restores)
        key = (json.dumps(definition, sort_keys=True, default=str), base, local_today(),
               tuple((v.code, v.name) for v in villages or ()))
        cached = _FORM_CLASSES.get(key)
        if cached is not None:
            return cached
    cls = type("SchemaForm", (base,), {})
    _bind_fields(cls, definition["fields"], {"villages": villages})
    if key is not None:
        if len(_FORM_CLASSES) >= MAX_FORM_CLASSES:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = cls
    return cls


def field_path(field) -> str:
    """WTForms name ``members-0-income`` -> schema path ``members[0].income``."""
    parts = field.name.split("-")
    path = parts[0]
    for i in range(1, len(parts), 2):
        path += f"[{parts[i]}]"
        if i + 1 < len(parts):
            path += f".{parts[i + 1]}"
    return path


def answers_from_form(version_or_definition, form) -> dict:
    """The answers dict validate_answers expects, from a submitted form (files included)."""
    definition = _definition_of(version_or_definition)

    def value(spec, field):
        data = field.data
        if spec["type"] == "file":
            return data if getattr(data, "filename", None) else None
        return data

    answers = {}
    for spec in definition["fields"]:
        if "compute" in spec:
            continue
        field = form[spec["name"]]
        if spec["type"] == "group":
            answers[spec["name"]] = [
                {sub["name"]: value(sub, entry.form[sub["name"]]) for sub in spec["fields"]
                 if "compute" not in sub}
                for entry in field.entries]
        else:
            answers[spec["name"]] = value(spec, field)
    return answers


def answers_for_form(version_or_definition, answers: dict) -> dict:
    """Stored answers as WTForms ``data`` (yes/no as 'yes'/'no', files left out)."""
    definition = _definition_of(version_or_definition)

    def one(spec, v):
        if spec["type"] == "yes_no" and isinstance(v, bool):
            return "yes" if v else "no"
        if spec["type"] == "file":
            return None
        return v

    out = {}
    for spec in definition["fields"]:
        v = (answers or {}).get(spec["name"])
        if spec["type"] == "group":
            out[spec["name"]] = [{s["name"]: one(s, (row or {}).get(s["name"]))
                                  for s in spec["fields"]} for row in v or []]
        elif v is not None:
            out[spec["name"]] = one(spec, v)
    return out


def _find(form, path: str):
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\](?:\.(\w+))?)?", path)
    if not match or match.group(1) not in form:
        return None
    field = form[match.group(1)]
    if match.group(2) is None:
        return field
    index = int(match.group(2))
    if not isinstance(field, FieldList) or index >= len(field.entries):
        return None
    entry = field.entries[index]
    if match.group(3) is None:
        return entry
    return entry.form[match.group(3)] if match.group(3) in entry.form else None


def apply_errors(form, result) -> list[tuple[str, str]]:
    """Attach the engine's errors to the form's fields; returns those with no field."""
    leftover = []
    for path, message in result.errors:
        field = _find(form, path) if path else None
        if field is None:
            leftover.append((path, message))
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors or [])
        field.errors.append(message)
    return leftover


def template_row(form, group: str):
    """An unbound row of ``group`` named ``group-__index__`` for the JS row template."""
    field = form[group]
    options = {"name": f"{field.name}{field._separator}__index__",
               "id": f"{field.id}{field._separator}__index__", "_meta": field.meta,
               "translations": field._translations}
    entry = field.meta.bind_field(field._form, field.unbound_field, options)
    entry.process(None)
    return entry
