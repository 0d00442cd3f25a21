"""The column layouts of the roll file (import and full-roll export share one) and of the
monthly change list, with Chinese headers; a county's saved mapping renames and reorders them.

A layout is a tuple of ``Column``s; ``key`` is stable (API, stored mappings), ``title`` is the
default Chinese header. ``columns_for`` gives the county's columns as (key, title) pairs.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..i18n import in_page_language


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the file's header: Chinese, part of the file format
    note: str  # a msgid: in the page's language, in Chinese in the file
    example: str = ""
    is_required: bool = False


ROLL = (
    Column("relief_type", "救助类别", _l("Relief type: its Chinese name as in the example, or DB, TK, BY"), "低保", True),
    Column("township", "乡镇（街道）", _l("The village's township; may be left out when the village name is unique in the county"), "东风镇"),
    Column("village", "村（社区）", _l("The village's name or its 12-digit statistical region code"), "东风村", True),
    Column("urban_rural", "城乡类别", _l("Urban or rural, in Chinese; when empty, the village's own class"), "农村"),
    Column("head_name", "户主姓名", _l("The same on every row of one household"), "王大山"),
    Column("head_id_number", "户主身份证号",
           _l("The same on every row of one household, and what identifies it; each household has one row for the head"), "220999196001011238", True),
    Column("name", "成员姓名", _l("One row per household member"), "王大山", True),
    Column("id_number", "成员身份证号", _l("The 18-digit citizen ID number; the last digit may be X"), "220999196001011238", True),
    Column("relationship", "与户主关系", _l("Relationship to the head in Chinese (the head's own row: “本人”)"), "本人"),
    Column("monthly_amount", "月保障金额（元）", _l("The household's monthly amount, the same on every row; 0 or empty for low-income margin households"),
           "420.00"),
    Column("start_month", "保障起始月份", _l("The first month paid (recognised), as 2026-03; a standard must be in force that month"), "2026-01", True),
    Column("bank_account", "银行账号", _l("The social security card or bank account the money is paid to"), "6222020000000000001"),
    Column("support_mode", "供养方式", _l("Tekun only: concentrated or dispersed support, in Chinese (empty: dispersed)"), ""),
    Column("care_level", "护理等级", _l("Tekun only: care level (self-caring, partial or full care), in Chinese"), ""),
)

CHANGES = (
    Column("change", "变动类型", _l("New, stopped, amount changed or members changed")),
    Column("relief_type", "救助类别", _l("Relief type: its Chinese name")),
    Column("township", "乡镇（街道）", ""),
    Column("village", "村（社区）", ""),
    Column("head_name", "户主姓名", ""),
    Column("head_id_number", "户主身份证号", ""),
    Column("case_number", "案件编号", ""),
    Column("persons", "保障人数", ""),
    Column("amount_before", "变动前月金额（元）", ""),
    Column("amount_after", "变动后月金额（元）", ""),
    Column("month", "变动月份", _l("As 2026-11")),
    Column("reason", "变动原因", ""),
)

LAYOUTS = {"roll": ROLL, "changes": CHANGES}
LAYOUT_LABELS = {"roll": _l("Full roll"), "changes": _l("Monthly change list")}


def file_title(layout: str) -> str:
    """The layout's name as files carry it (sheet title, file name): in the office's language."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return str(LAYOUT_LABELS[layout])


CHANGE_LABELS = {"new": "新增", "stopped": "停发", "amount": "金额调整", "members": "成员变动"}
SUPPORT_MODES = {"集中供养": True, "分散供养": False}


class MappingError(ValueError):
    """A refused column mapping; ``problems`` are messages (lazy msgids), one per bad line."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return in_page_language("；", "; ").join(str(p) for p in self.problems)


def unknown_layout(layout: str):
    return _l("Unknown export layout \"%(layout)s\"", layout=layout)


def default_columns(layout: str) -> list[tuple[str, str]]:
    return [(c.key, c.title) for c in LAYOUTS[layout]]


def _lookup(layout: str) -> dict[str, str]:
    """Key or default title (spaces ignored) → key."""
    out = {}
    for column in LAYOUTS[layout]:
        out[column.key] = column.key
        out[compact(column.title)] = column.key
    return out


def compact(text) -> str:
    """A header as compared: no spaces, full-width brackets as typed either way, no ``*``."""
    text = "".join(str(text or "").split()).strip("*＊")
    return text.replace("(", "（").replace(")", "）")


def validate_mapping(layout: str, pairs) -> list[tuple[str, str]]:
    """(key, title) pairs from (column, new title) pairs, where column is a key or a default
    title; refused with a Chinese message per unknown or repeated column or title."""
    if layout not in LAYOUTS:
        raise MappingError([unknown_layout(layout)])
    known = _lookup(layout)
    problems, out, titles = [], [], set()
    for column, title in pairs:
        key = known.get(compact(column))
        if key is None:
            problems.append(_l("Unknown column \"%(column)s\"", column=str(column)[:40]))
            continue
        title = str(title or "").strip() or dict(default_columns(layout))[key]
        if any(k == key for k, _ in out):
            problems.append(_l("The column \"%(column)s\" is listed twice", column=column))
        elif len(title) > 40:
            problems.append(_l("The name \"%(title)s…\" is longer than 40 characters",
                               title=title[:40]))
        elif compact(title) in titles:
            problems.append(_l("The name \"%(title)s\" is used twice", title=title))
        else:
            out.append((key, title))
            titles.add(compact(title))
    if not out and not problems:
        problems.append(_l("Keep at least one column"))
    if problems:
        raise MappingError(problems)
    return out


def parse_mapping_text(text: str) -> list[tuple[str, str]]:
    """The web form's lines ``原列名 = 新列名`` (or just ``原列名``: keep its name), in order."""
    pairs = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        column, _, title = line.replace("＝", "=").partition("=")
        pairs.append((column.strip(), title.strip()))
    return pairs


def mapping_text(columns: list[tuple[str, str]], layout: str) -> str:
    defaults = dict(default_columns(layout))
    return "\n".join(f"{defaults[key]} = {title}" for key, title in columns)


def header_keys(header: list, layout: str, mapped: list[tuple[str, str]]) -> dict[int, str]:
    """Column index → key of an uploaded header row: the county's mapped titles first, then
    the default titles and keys. Unknown columns are left out (a province's extra columns)."""
    known = {compact(title): key for key, title in mapped}
    for name, key in _lookup(layout).items():
        known.setdefault(name, key)
    out, seen = {}, set()
    for index, cell in enumerate(header):
        key = known.get(compact(cell))
        if key is not None and key not in seen:
            out[index] = key
            seen.add(key)
    return out


def template_xlsx() -> bytes:
    """The import template: the header row and one example row, and a sheet on the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..sheets import append_row

    book = Workbook()
    sheet = book.active
    sheet.title = "在册名单"
    append_row(sheet, [c.title for c in ROLL])
    append_row(sheet, [c.example for c in ROLL])
    for index, column in enumerate(ROLL, 1):
        sheet.cell(1, index).font = Font(bold=True)
        sheet.cell(2, index).number_format = "@"  # ID and account numbers stay text
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            12, 2 * len(column.title) + 2)
    notes = book.create_sheet("填写说明")
    append_row(notes, ["列名", "是否必填", "说明", "示例"])
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        for column in ROLL:  # the file is the office's: its notes in Chinese
            append_row(notes, [column.title, "必填" if column.is_required else "选填",
                               str(column.note), column.example])
    for line in ("每位家庭成员一行；同一户的各行填相同的救助类别、户主身份证号、村（社区）、金额和起始月份。",
                 "第 2 行是示例，填写时请改写或删除。身份证号、账号请设为文本格式，以免被改成科学计数法。",
                 "先“检查（不导入）”，按提示的行、列改正后再正式导入；同一文件再次导入不会重复添加。"):
        append_row(notes, [])
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 60
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
