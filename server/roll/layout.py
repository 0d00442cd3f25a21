"""The column layouts of the roll file (import and full-roll export share one) and of the
monthly change list, with Chinese headers; a county's saved mapping renames and reorders them.

A layout is a tuple of ``Column``s; ``key`` is stable (API, stored mappings), ``title`` is the
default Chinese header. ``columns_for`` gives the county's columns as (key, title) pairs.
"""
from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    note: str
    example: str = ""
    is_required: bool = False


ROLL = (
    Column("relief_type", "救助类别", "低保、特困 或 低保边缘（也可填 DB、TK、BY）", "低保", True),
    Column("township", "乡镇（街道）", "村（社区）所属的乡镇（街道）；村名在本县唯一时可不填", "东风镇"),
    Column("village", "村（社区）", "村（社区）名称或 12 位统计用区划代码", "东风村", True),
    Column("urban_rural", "城乡类别", "城市 或 农村；不填按村（社区）的类别", "农村"),
    Column("head_name", "户主姓名", "同户各行相同", "王大山"),
    Column("head_id_number", "户主身份证号",
           "同户各行相同，是识别一户的依据；每户须有一行是户主本人", "220999196001011238", True),
    Column("name", "成员姓名", "每位家庭成员一行", "王大山", True),
    Column("id_number", "成员身份证号", "18 位公民身份号码，末位可为 X", "220999196001011238", True),
    Column("relationship", "与户主关系", "户主本人填“本人”，其他如 配偶、子女、父母", "本人"),
    Column("monthly_amount", "月保障金额（元）", "整户每月金额，同户各行相同；低保边缘填 0 或不填",
           "420.00"),
    Column("start_month", "保障起始月份", "首个发放（认定）月份，格式 2026-03；该月须有生效的救助标准", "2026-01", True),
    Column("bank_account", "银行账号", "发放资金的社会保障卡或银行账号", "6222020000000000001"),
    Column("support_mode", "供养方式", "特困人员填 集中供养 或 分散供养（不填为分散供养）", ""),
    Column("care_level", "护理等级", "特困人员填 全自理、半护理 或 全护理", ""),
)

CHANGES = (
    Column("change", "变动类型", "新增、停发、金额调整 或 成员变动"),
    Column("relief_type", "救助类别", "低保、特困 或 低保边缘"),
    Column("township", "乡镇（街道）", ""),
    Column("village", "村（社区）", ""),
    Column("head_name", "户主姓名", ""),
    Column("head_id_number", "户主身份证号", ""),
    Column("case_number", "案件编号", ""),
    Column("persons", "保障人数", ""),
    Column("amount_before", "变动前月金额（元）", ""),
    Column("amount_after", "变动后月金额（元）", ""),
    Column("month", "变动月份", "格式 2026-11"),
    Column("reason", "变动原因", ""),
)

LAYOUTS = {"roll": ROLL, "changes": CHANGES}
LAYOUT_LABELS = {"roll": "在册名单（全量）", "changes": "当月变动名单"}
CHANGE_LABELS = {"new": "新增", "stopped": "停发", "amount": "金额调整", "members": "成员变动"}
SUPPORT_MODES = {"集中供养": True, "分散供养": False}


class MappingError(ValueError):
    """A refused column mapping; ``problems`` are Chinese messages, one per bad line."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


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
        raise MappingError([f"未知的导出格式“{layout}”"])
    known = _lookup(layout)
    problems, out, titles = [], [], set()
    for column, title in pairs:
        key = known.get(compact(column))
        if key is None:
            problems.append(f"未知的列“{str(column)[:40]}”")
            continue
        title = str(title or "").strip() or dict(default_columns(layout))[key]
        if any(k == key for k, _ in out):
            problems.append(f"列“{column}”重复")
        elif len(title) > 40:
            problems.append(f"列名“{title[:40]}…”超过 40 个字")
        elif compact(title) in titles:
            problems.append(f"列名“{title}”重复")
        else:
            out.append((key, title))
            titles.add(compact(title))
    if not out and not problems:
        problems.append("至少保留一列")
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
    for column in ROLL:
        append_row(notes, [column.title, "必填" if column.is_required else "选填", column.note,
                           column.example])
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
