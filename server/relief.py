"""Relief items (救助项目): the stable codes every room keys on, defined as data.

The items are read from ``forms/items.yaml`` (format: ``server/relief.schema.json``) when this
module is imported: ``RELIEF_TYPES`` maps a code to its ``ReliefType`` (names, unit, procedure
family, paid or not, legal basis, procedure settings). Rooms ask an item for what they need
(``item.is_monthly``, ``item.family``, ``codes_where(...)``) instead of naming codes.

An item is a row of the ``relief_item`` table (the ``items`` room): the file is the source of
the shipped items, which the room keeps in sync, and a county adds its own rows. Inside an app
context ``RELIEF_TYPES`` serves the published rows (the room registers them with
``serve_items_from``, cached per app); outside one, the file's items. Codes are plain strings;
``ReliefCode`` names the shipped four for tests and demo data only.
``load_items(path_or_text)`` checks a file and raises ``ItemsError`` whose ``problems`` list
every problem as ``(path, message)``, e.g. ``items[2].unit``.
"""
from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator

from .i18n import in_page_language

ITEMS_FILE = Path(__file__).resolve().parents[1] / "forms" / "items.yaml"
ITEMS_SCHEMA = Path(__file__).with_name("relief.schema.json")


class ReliefCode(enum.StrEnum):
    """The shipped items' codes; a StrEnum so that a member is its code wherever it is written
    (code columns are plain strings, and ``f"{code}"`` must give ``DB``)."""

    DB = "DB"  # 最低生活保障
    TK = "TK"  # 特困人员救助供养
    LS = "LS"  # 临时救助
    BY = "BY"  # 低保边缘家庭认定


class Family(str, enum.Enum):
    """The procedure family of an item: what its decision grants."""

    recognition = "recognition"  # 认定 only, nothing paid (低保边缘)
    monthly = "monthly"  # a monthly payment to the household (低保)
    one_off = "one_off"  # a one-off payment (临时救助)
    care = "care"  # person-based monthly support with care levels (特困)


MONTHLY_FAMILIES = frozenset({Family.monthly, Family.care})


@dataclass(frozen=True)
class ReliefType:
    code: str
    name: str
    short_name: str
    unit: str  # "household" or "person"
    is_paid: bool
    family: Family = Family.monthly
    name_en: str = ""  # the names English pages show (name/short_name are also printed)
    short_name_en: str = ""
    basis: str = ""  # the legal basis documents print
    settings: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        """The name in the page's language (documents print ``name``, always Chinese)."""
        return in_page_language(self.name, self.name_en)

    @property
    def short_label(self) -> str:
        return in_page_language(self.short_name, self.short_name_en)

    @property
    def is_monthly(self) -> bool:
        """Paid every month (low-income allowance, extreme-poverty support)."""
        return self.family in MONTHLY_FAMILIES

    @property
    def is_one_off(self) -> bool:
        return self.family == Family.one_off

    @property
    def has_care_levels(self) -> bool:
        """Support graded by the person's care level (全自理/半护理/全护理)."""
        return self.family == Family.care


class ItemsError(ValueError):
    """The items file cannot be used; ``problems`` lists ``(path, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str = ""):
        self.problems = problems
        where = f"{source}: " if source else ""
        super().__init__(where + "；".join(f"{p}: {m}" if p else str(m) for p, m in problems))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(ITEMS_SCHEMA.read_text(encoding="utf-8")))


def _message(error) -> str:
    if error.validator == "required":
        return _l("Required: %(keys)s", keys=", ".join(
            str(v) for v in error.validator_value if v not in (error.instance or {})))
    if error.validator == "additionalProperties":
        return _l("Unknown key: %(keys)s", keys=error.message.split("(")[-1].rstrip(")"))
    if error.validator == "enum":
        return _l("Must be one of: %(values)s", values=in_page_language("、", ", ").join(
            map(str, error.validator_value)))
    if error.validator == "pattern":
        return _l("The code is 2 to 8 capital letters or digits, starting with a letter")
    if error.validator == "type":
        return _l("Must be of type %(type)s", type=error.validator_value)
    return error.message


def load_items(source: Path | str | None = None) -> dict:
    """The items of a file (default ``forms/items.yaml``) or YAML text, keyed by code; raises
    ItemsError naming every problem with its path."""
    name = ""
    if source is None or isinstance(source, Path):
        path = Path(source or ITEMS_FILE)
        name = path.name
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ItemsError([("", _l("Cannot read the relief items file: %(reason)s", reason=exc.strerror))], name) from None
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ItemsError([("", _l("The YAML is not well formed (line %(line)s)",
                                   line=mark.line + 1) if mark
                               else _l("The YAML is not well formed"))], name) from None
    problems = [(e.json_path.removeprefix("$").removeprefix("."), _message(e))
                for e in sorted(_validator().iter_errors(data), key=lambda e: list(
                    map(str, e.absolute_path)))]
    if problems:
        raise ItemsError(problems, name)
    items, seen = {}, {}
    for i, raw in enumerate(data["items"]):
        code, family = raw["code"], Family(raw["family"])
        if code in seen:
            problems.append((f"items[{i}].code", _l("Code %(code)s repeats items[%(index)s]", code=code,
                                                     index=seen[code])))
        seen.setdefault(code, i)
        if family == Family.recognition and raw["is_paid"]:
            problems.append((f"items[{i}].is_paid", _l("A recognition-only item pays nothing (is_paid: false)")))
        elif family != Family.recognition and not raw["is_paid"]:
            problems.append((f"items[{i}].is_paid", _l("A monthly or one-off item pays (is_paid: true)")))
        if family == Family.care and raw["unit"] != "person":
            problems.append((f"items[{i}].unit", _l("An item with care levels supports a person (unit: person)")))
        items[code] = ReliefType(
            code=code, name=raw["name"], short_name=raw["short_name"], unit=raw["unit"],
            is_paid=raw["is_paid"], family=family, name_en=raw.get("name_en", ""),
            short_name_en=raw.get("short_name_en", ""),
            basis=raw.get("basis", ""), settings=dict(raw.get("settings") or {}))
    if problems:
        raise ItemsError(problems, name)
    return items


FILE_ITEMS: dict[str, ReliefType] = load_items()
"""The shipped items, as ``forms/items.yaml`` defines them."""

_source: Callable[[], Mapping[str, ReliefType]] | None = None


def serve_items_from(source: Callable[[], Mapping[str, ReliefType]]) -> None:
    """Let ``RELIEF_TYPES`` serve ``source()`` inside an app context (the items room's cached
    rows); a lower module offers the hook so it never imports the room."""
    global _source
    _source = source


class _Items(Mapping):
    """The items in force, code → ``ReliefType``, read-only, in order (shipped first)."""

    def _items(self) -> Mapping[str, ReliefType]:
        from flask import has_app_context

        if _source is None or not has_app_context():
            return FILE_ITEMS
        return _source()

    def __getitem__(self, code) -> ReliefType:
        return self._items()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __contains__(self, code) -> bool:
        return code in self._items()

    def __repr__(self) -> str:
        return f"RELIEF_TYPES({list(self._items())})"


RELIEF_TYPES: Mapping[str, ReliefType] = _Items()


def codes_where(**attributes) -> tuple:
    """The codes of the items whose attributes (or properties) have these values, in file
    order, e.g. ``codes_where(is_monthly=True)``."""
    return tuple(code for code, item in RELIEF_TYPES.items()
                 if all(getattr(item, k) == v for k, v in attributes.items()))


def item(code) -> ReliefType:
    """The item of a stored code (a string or a ReliefCode); KeyError if there is none."""
    return RELIEF_TYPES[getattr(code, "value", code)]
