"""A draw as a printed list: the rows both the XLSX and the A4 page show, ID numbers masked."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .. import idnumber
from ..filings.periods import label
from ..periods import to_local
from ..relief import RELIEF_TYPES
from ..sheets import append_row
from .registry import MUST_VISIT

HEADER = ["序号", "案件编号", "户主", "身份证号", "村（社区）", "救助类别", "抽查原因", "核查人",
          "入户日期", "核查人签名"]


def reason_text(sources: list[str]) -> str:
    names = {"random": "随机抽取"} | {k: str(v[0]) for k, v in MUST_VISIT.items()}
    return "、".join(names.get(s, s) for s in sources)


def title(draw) -> str:
    return f"{draw.region.full_name} {label(draw.month)} 抽查名单（第 {draw.number} 次抽取）"


def rows(draw) -> list[list]:
    out = []
    for n, check in enumerate(draw.checks, 1):
        case = check.case
        out.append([n, case.case_number, case.applicant_name,
                    idnumber.mask(case.applicant_id_number), case.region.name,
                    RELIEF_TYPES[case.relief_type].short_name, reason_text(check.sources),
                    check.assignee.display_name if check.assignee else "", "", ""])
    return out


def notes(draw) -> list[str]:
    return [f"新增保障对象 {len(draw.population)} 户，按 {draw.rate_percent}% 随机抽取 "
            f"{len(draw.drawn)} 户；必须全部入户 {len(draw.must_visit)} 户",
            f"随机种子 {draw.seed}；抽取时间 {to_local(draw.created_at):%Y-%m-%d %H:%M}"]


def xlsx(draw) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "抽查名单"
    append_row(sheet, [title(draw)])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in notes(draw):
        append_row(sheet, [line])
    if draw.reason:
        append_row(sheet, [f"重新抽取理由：{draw.reason}"])
    append_row(sheet, HEADER)
    for row in rows(draw):
        append_row(sheet, row)
    for column, width in zip("ABCDEFGHIJ", (6, 16, 12, 22, 14, 10, 24, 14, 12, 14)):
        sheet.column_dimensions[column].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
