"""A draw as a printed list: the rows both the XLSX and the A4 page show, ID numbers masked."""
from __future__ import annotations

import io

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
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
    names = {"random": _("Drawn at random")} | {k: str(v[0]) for k, v in MUST_VISIT.items()}
    return "、".join(names.get(s, s) for s in sources)


def title(draw) -> str:
    """The list's title in the page's language (the XLSX is written in Chinese)."""
    return _("%(region)s %(month)s spot-check list (draw %(number)s)",
             region=draw.region.full_name, month=label(draw.month), number=draw.number)


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
    at = to_local(draw.created_at).strftime("%Y-%m-%d %H:%M")
    return [_("%(population)s new households, %(drawn)s drawn at %(rate)s%%; %(must)s must all "
              "be visited", population=len(draw.population), rate=draw.rate_percent,
              drawn=len(draw.drawn), must=len(draw.must_visit)),
            _("Random seed %(seed)s; drawn at %(at)s", seed=draw.seed, at=at)]


def xlsx(draw) -> bytes:
    """The list as an XLSX file, in the office's language whatever the page's."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return _xlsx(draw)


def _xlsx(draw) -> bytes:
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


# --- the 资金发放计划 (point 8) ------------------------------------------------------------

PLAN_HEADER = ["乡镇（街道）", "备案情况", "抽查户数", "已入户核查", "发现问题户数"]


def funding_plan_xlsx(plan: dict) -> bytes:
    """One row per township: households and amount (元) per paid relief type, and the total."""
    from ..money import fen_to_yuan

    book = Workbook()
    sheet = book.active
    sheet.title = "资金发放计划"
    append_row(sheet, [f"{plan['county'].name} {label(plan['month'])} 困难群众救助资金发放计划"])
    sheet["A1"].font = Font(bold=True, size=14)
    header = list(PLAN_HEADER)
    for _code, name in plan["types"]:
        header += [f"{name}户数", f"{name}金额（元）"]
    append_row(sheet, header + ["合计（元）"])
    for row in plan["rows"]:
        cells = [row["township"].name, "已备案" if row["accepted"] else "未备案，不列入",
                 row["checked"], row["visited"], row["problems"]]
        for code, _name in plan["types"]:
            count, fen = row["figures"][code]
            cells += [count, fen_to_yuan(fen)]
        append_row(sheet, cells + [fen_to_yuan(row["total_fen"])])
    totals = ["合计"] + [""] * (len(PLAN_HEADER) - 1)
    for code, _name in plan["types"]:
        count, fen = plan["totals"][code]
        totals += [count, fen_to_yuan(fen)]
    append_row(sheet, totals + [fen_to_yuan(plan["total_fen"])])
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def funding_plan_docx(county, month) -> bytes:
    from ..documents.operations import render_kind

    return render_kind("funding_plan", county, {"month": month})
