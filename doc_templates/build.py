"""Build the shipped document templates (doc_templates/<kind>.docx) with python-docx.

Run ``python doc_templates/build.py`` after changing this file and commit both: the .docx
files are what the server renders, this script is how they were made (same bytes every run).

Layout follows GB/T 9704 for official documents: A4, margins top 37 mm, bottom 35 mm, left
28 mm, right 26 mm; title 方正小标宋 22 pt; body 仿宋 16 pt; tables 仿宋 12 pt. The fonts are those of a Chinese
office PC, each with its Windows name as fontTable altName (仿宋/FangSong, 宋体/SimSun,
黑体/SimHei); 方正小标宋简体, often missing, names 宋体 for Word to fall back on. The server's PDF
converter maps them all to Noto CJK SC (server/documents/fonts.conf).
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from server.documents.rendering import FIXED_CORE_TIME, stable_zip  # noqa: E402

TITLE_FONT, BODY_FONT, TABLE_FONT, HEADING_FONT = "方正小标宋简体", "仿宋", "仿宋", "黑体"
LATIN_FONT = "Times New Roman"
# font → (fontTable altName Word substitutes when the font is missing, family, PANOSE of the
# Windows face, so Word's own matching lands on it too)
FONTS = {"方正小标宋简体": ("宋体", "roman", "02010600030101010101"),
         "仿宋": ("FangSong", "modern", "02010609060101010101"),
         "宋体": ("SimSun", "auto", "02010600030101010101"),
         "黑体": ("SimHei", "modern", "02010609060101010101")}
TEXT_WIDTH_MM = 210 - 28 - 26

BUILDERS = {}


def template(name: str):
    """Register the function that lays out one kind's template."""

    def decorator(fn):
        BUILDERS[name] = fn
        return fn

    return decorator


# -- styles and building blocks ----------------------------------------------------------------

def _fonts(rpr, east_asia: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(doc, name, font, size, *, bold=False, align=None, line=None, before=0, after=0,
           indent=None, base="Normal"):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    if name != "Normal":
        style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    _fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line)
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align is not None:
        fmt.alignment = align
    if indent is not None:
        fmt.first_line_indent = Pt(indent)
    return style


def new_document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    _fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), BODY_FONT)
    _style(doc, "Normal", BODY_FONT, 16, line=28, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "JZ Title", TITLE_FONT, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
           line=36, before=0, after=18)
    _style(doc, "JZ Body", BODY_FONT, 16, line=28, indent=32, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "JZ Heading", HEADING_FONT, 16, line=28, indent=32)
    _style(doc, "JZ Right", BODY_FONT, 16, line=28, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _style(doc, "JZ Meta", BODY_FONT, 12, line=22, align=WD_ALIGN_PARAGRAPH.RIGHT, after=6)
    _style(doc, "JZ Cell", TABLE_FONT, 12, align=WD_ALIGN_PARAGRAPH.LEFT, before=2, after=2)
    _style(doc, "JZ CellHead", TABLE_FONT, 12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
           before=2, after=2)
    _style(doc, "JZ Small", BODY_FONT, 12, line=20, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, "JZ Marking", HEADING_FONT, 18, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT,
           after=12)
    _style(doc, "JZ Center", BODY_FONT, 16, line=28, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "JZ Image", BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=6)
    return doc


def title(doc, text):
    return doc.add_paragraph(text, style="JZ Title")


def meta(doc, text):
    return doc.add_paragraph(text, style="JZ Meta")


def body(doc, text, style="JZ Body"):
    return doc.add_paragraph(text, style=style)


def plain(doc, text):
    return doc.add_paragraph(text, style="Normal")


def heading(doc, text):
    return doc.add_paragraph(text, style="JZ Heading")


def each(doc, loop: str, text: str, style="JZ Body"):
    """One paragraph per item: ``{%p for … %}`` … ``{%p endfor %}``."""
    body(doc, f"{{%p for {loop} %}}", style)
    body(doc, text, style)
    body(doc, "{%p endfor %}", style)


def _cell_text(cell, text, style="JZ Cell"):
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    paragraph.add_run(text)


def _widths(table, widths_mm):
    """Fixed column widths in the grid and every cell (LibreOffice reads the grid)."""
    total = sum(widths_mm)
    widths = [Mm(TEXT_WIDTH_MM * width / total) for width in widths_mm]
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):  # merged cells repeat
            cell.width = width


def _narrow_margins(table, twips: int = 60):
    """Cell margins of about 1 mm (Word's 1.9 mm default wraps 18-digit ID numbers)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def form_table(doc, rows, widths=(20, 30, 20, 30)):
    """A bordered label/value table. A row with 2 entries spans the value over the rest."""
    cols = len(widths)
    table = doc.add_table(rows=0, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in rows:
        cells = table.add_row().cells
        if len(row) == 2 and cols > 2:
            cells[1].merge(cells[cols - 1])
        for index, text in enumerate(row):
            _cell_text(cells[index], text, "JZ CellHead" if index % 2 == 0 else "JZ Cell")
    _widths(table, widths)
    _narrow_margins(table)
    doc.add_paragraph("", style="JZ Small")
    return table


def list_table(doc, headers, loop, cells_text, widths, totals=None):
    """A bordered table with a header row and one row per item (``{%tr for … %}``)."""
    table = doc.add_table(rows=0, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, text in enumerate(headers):
        _cell_text(table.add_row().cells[index] if index == 0 else table.rows[0].cells[index],
                   text, "JZ CellHead")
    _cell_text(table.add_row().cells[0], f"{{%tr for {loop} %}}")
    row = table.add_row().cells
    for index, text in enumerate(cells_text):
        _cell_text(row[index], text)
    _cell_text(table.add_row().cells[0], "{%tr endfor %}")
    if totals:
        row = table.add_row().cells
        row[0].merge(row[len(headers) - len(totals)])
        for index, text in enumerate(totals):
            _cell_text(row[len(headers) - len(totals) + index] if index else row[0], text,
                       "JZ CellHead" if index == 0 else "JZ Cell")
    _widths(table, widths)
    _narrow_margins(table)
    doc.add_paragraph("", style="JZ Small")
    return table


def signatures(doc, lines, date="{{ issued_on|cn_date }}"):
    """The signature and seal area at the foot of a document, right-aligned."""
    doc.add_paragraph("", style="Normal")
    for line in lines:
        doc.add_paragraph(line, style="JZ Right")
    if date:
        doc.add_paragraph(date, style="JZ Right")


def page_break(doc, condition="not loop.last"):
    body(doc, f"{{%p if {condition} %}}")
    doc.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)
    body(doc, "{%p endif %}")


NUMBER = "编号：{{ case.number }}"
CONTACT = "联系电话：{{ office.phone }}　　办公地址：{{ office.address }}"
OFFICE_SEAL = "{{ region.township }}人民政府（盖章）"

def rights_and_receipt(doc, ns: str, date: str) -> None:
    """The end of a notice that takes something away: review rights, contact, seal, receipt."""
    body(doc, f"如对本决定不服，可以自收到本告知书之日起{{{{ {ns}.review_days }}}}日内向"
              f"{{{{ {ns}.review_body }}}}申请行政复议，或者自收到本告知书之日起"
              f"{{{{ {ns}.lawsuit_months }}}}个月内直接向{{{{ {ns}.court }}}}提起行政诉讼。")
    body(doc, CONTACT)
    signatures(doc, [OFFICE_SEAL], date=date)
    body(doc, "签收人：　　　　　　　　　签收日期：　　　年　　月　　日", "JZ Small")


# -- the templates -----------------------------------------------------------------------------


@template("acceptance_slip")
def acceptance_slip(doc):
    title(doc, "社会救助申请受理回执")
    meta(doc, NUMBER)
    plain(doc, "{{ applicant.name }}：")
    body(doc, "您（户）于{{ case.accepted_on|cn_date }}提出的{{ case.relief_name }}申请，材料齐全，"
              "符合受理条件，我单位已予受理。我们将在规定时限内完成调查和审核确认，"
              "预计于{{ case.due_on|cn_date }}前作出决定，届时将书面告知结果。")
    form_table(doc, [
        ("申请人", "{{ applicant.name }}", "身份证号码", "{{ applicant.id_number }}"),
        ("救助类别", "{{ case.relief_name }}", "城乡类别", "{{ case.urban_rural }}"),
        ("所在村(社区)", "{{ region.village }}", "家庭人口", "{{ household.size }}人"),
        ("已收材料", "{{ materials|join('；') }}"),
        ("受理日期", "{{ case.accepted_on|cn_date }}", "经办人", "{{ staff.clerk }}"),
    ])
    body(doc, CONTACT)
    signatures(doc, ["{{ office.name }}（盖章）"])


@template("one_time_notice")
def one_time_notice(doc):
    title(doc, "社会救助申请材料一次性告知书")
    meta(doc, NUMBER)
    plain(doc, "{{ applicant.name }}：")
    body(doc, "您于{{ case.accepted_on|cn_date }}申请{{ case.relief_name }}，经审查，申请材料尚不齐全。"
              "根据有关规定，现一次性告知您需要补正的全部材料如下：")
    each(doc, "item in missing", "{{ loop.index }}. {{ item }}")
    body(doc, "请于{{ deadline_on|cn_date }}前将上述材料补齐后交至{{ office.name }}。"
              "确实无法取得的证明材料，可以书面承诺代替（告知承诺制）。"
              "逾期未补正且未说明理由的，视为撤回申请。")
    body(doc, CONTACT)
    signatures(doc, ["{{ office.name }}（盖章）"])
    body(doc, "申请人签收：　　　　　　　　　签收日期：　　　年　　月　　日", "JZ Small")


@template("application")
def application(doc):
    title(doc, "社会救助申请书")
    meta(doc, NUMBER)
    form_table(doc, [
        ("申请人", "{{ applicant.name }}", "性别", "{{ applicant.sex }}"),
        ("身份证号码", "{{ applicant.id_number }}", "出生日期", "{{ applicant.birth_date|cn_date }}"),
        ("申请类别", "{{ case.relief_name }}", "城乡类别", "{{ case.urban_rural }}"),
        ("家庭住址", "{{ household.address }}", "联系电话", "{{ household.phone }}"),
        ("所在村(社区)", "{{ region.village }}", "乡镇(街道)", "{{ region.township }}"),
    ])
    heading(doc, "家庭成员情况")
    list_table(doc, ["序号", "姓名", "关系", "性别", "年龄", "身份证号码", "健康状况", "劳动能力",
                     "月收入(元)"], "m in members",
               ["{{ m.number }}", "{{ m.name }}", "{{ m.relationship }}", "{{ m.sex }}",
                "{{ m.age }}", "{{ m.id_number }}", "{{ m.health }}", "{{ m.work_ability }}",
                "{{ m.income|money }}"], (7, 14, 12, 8, 8, 38, 14, 14, 18))
    heading(doc, "申请理由")
    body(doc, "{{ household.reason }}")
    body(doc, "本人承诺以上所填内容及所提交材料真实、完整，如有虚假，愿承担相应法律责任。")
    signatures(doc, ["申请人（签字或按手印）：　　　　　　　　"])


@template("authorization")
def authorization(doc):
    title(doc, "家庭经济状况核对授权书")
    meta(doc, NUMBER)
    body(doc, "为申请{{ case.relief_name }}，本人及共同生活的家庭成员、赡养(抚养、扶养)义务人"
              "同意并授权{{ region.county }}民政部门及{{ region.township }}人民政府，通过居民家庭"
              "经济状况核对平台向公安、人力资源社会保障、自然资源、住房城乡建设、市场监管、税务、"
              "银行、证券、保险等部门和机构查询、核对本人的户籍、收入和财产信息。")
    body(doc, "核对结果仅用于{{ case.relief_name }}的审核确认和动态管理，不得用于其他用途。")
    list_table(doc, ["序号", "姓名", "身份", "与申请人关系", "身份证号码", "签字(按手印)"],
               "s in signers",
               ["{{ loop.index }}", "{{ s.name }}", "{{ s.role }}", "{{ s.relationship }}",
                "{{ s.id_number }}", ""], (8, 16, 24, 16, 40, 24))
    signatures(doc, ["申请人（签字或按手印）：　　　　　　　　"])


@template("commitment")
def commitment(doc):
    title(doc, "承诺书")
    body(doc, "本人{{ applicant.name }}（身份证号码：{{ applicant.id_number }}），"
              "因申请{{ case.relief_name }}，郑重承诺：")
    each(doc, "p in promises", "{{ loop.index }}. {{ p }}。")
    body(doc, "{%p if instead_of_proof %}")
    body(doc, "下列证明材料确实无法取得，本人承诺所述情况属实，以本承诺代替证明：")
    each(doc, "x in instead_of_proof", "（{{ loop.index }}）{{ x }}")
    body(doc, "{%p endif %}")
    body(doc, "本人知晓：承诺不实的，由有关部门决定停止社会救助，责令退回非法获取的救助资金和物资，"
              "并记入社会救助失信记录；构成违反治安管理行为的，依法给予治安管理处罚；"
              "构成犯罪的，依法追究刑事责任。")
    signatures(doc, ["承诺人（签字或按手印）：　　　　　　　　"])


@template("proxy_letter")
def proxy_letter(doc):
    title(doc, "代办委托书")
    meta(doc, NUMBER)
    form_table(doc, [
        ("委托人", "{{ applicant.name }}", "身份证号码", "{{ applicant.id_number }}"),
        ("受托人(代办员)", "{{ proxy.name }}", "身份证号码", "{{ proxy.id_number }}"),
        ("与委托人关系", "{{ proxy.relationship }}", "联系电话", "{{ proxy.phone }}"),
    ])
    body(doc, "本人因年老、残疾、患病等原因，不能亲自办理{{ case.relief_name }}申请，"
              "现委托{{ proxy.name }}代为办理。委托事项：{{ proxy.scope }}。")
    body(doc, "受托人在委托权限内办理的事项，本人均予承认。受托人不得代领救助资金，"
              "不得索取任何费用。")
    signatures(doc, ["委托人（签字或按手印）：　　　　　　　　",
                     "受托人（签字）：　　　　　　　　"])


@template("household_survey")
def household_survey(doc):
    title(doc, "社会救助家庭入户调查表")
    meta(doc, NUMBER + "　　调查日期：{{ survey.visited_on|cn_date }}")
    form_table(doc, [
        ("户主(申请人)", "{{ applicant.name }}", "救助类别", "{{ case.relief_name }}"),
        ("家庭住址", "{{ household.address }}", "家庭人口", "{{ household.size }}人"),
        ("住房情况", "{{ household.housing }}", "住房面积", "{{ household.housing_area }}"),
        ("存款", "{{ household.deposits|money }}", "车辆", "{{ household.vehicles }}"),
        ("存款及其他财产", "{{ household.other_assets }}"),
        ("调查人员", "{{ survey.investigators }}", "在场家庭成员", "{{ survey.present }}"),
    ])
    heading(doc, "家庭成员情况")
    list_table(doc, ["姓名", "关系", "年龄", "健康状况", "残疾情况", "劳动能力", "职业",
                     "月收入(元)"], "m in members",
               ["{{ m.name }}", "{{ m.relationship }}", "{{ m.age }}", "{{ m.health }}",
                "{{ m.disability }}", "{{ m.work_ability }}", "{{ m.occupation }}",
                "{{ m.income|money }}"], (16, 12, 8, 16, 16, 14, 16, 18))
    heading(doc, "家庭收入情况")
    list_table(doc, ["收入类别", "月收入(元)", "说明"], "i in household.incomes",
               ["{{ i.label }}", "{{ i.amount|money }}", "{{ i.note }}"], (30, 25, 45))
    form_table(doc, [("家庭月总收入", "{{ household.total_income|money }}", "人均月收入",
                      "{{ household.per_capita_income|money }}")])
    heading(doc, "调查情况及意见")
    body(doc, "{{ survey.findings }}")
    body(doc, "调查意见：{{ survey.opinion }}")
    signatures(doc, ["调查人员（签字）：1.　　　　　　2.　　　　　　",
                     "（{{ staff.investigator_names }}）",
                     "被调查家庭成员（签字）：　　　　　　　　"],
               date="{{ survey.visited_on|cn_date }}")


@template("appraisal_minutes")
def appraisal_minutes(doc):
    title(doc, "民主评议记录")
    meta(doc, NUMBER)
    form_table(doc, [
        ("评议时间", "{{ appraisal.held_on|cn_date }}", "评议地点", "{{ appraisal.place }}"),
        ("主持人", "{{ appraisal.host }}", "记录人", "{{ appraisal.recorder }}"),
        ("评议对象", "{{ applicant.name }}", "救助类别", "{{ case.relief_name }}"),
        ("参加人数", "{{ appraisal.participant_count }}", "所在村(社区)", "{{ region.village }}"),
        ("参加人员", "{{ appraisal.participants }}"),
    ])
    heading(doc, "评议情况")
    body(doc, "{{ appraisal.opinions }}")
    body(doc, "表决结果：同意{{ appraisal.votes_for }}票，不同意{{ appraisal.votes_against }}票，"
              "弃权{{ appraisal.votes_abstain }}票。")
    body(doc, "评议结论：{{ appraisal.conclusion }}")
    signatures(doc, ["主持人（签字）：　　　　　　　　", "记录人（签字）：　　　　　　　　",
                     "参加人员（签字）：　　　　　　　　　　　　　　　　"],
               date="{{ appraisal.held_on|cn_date }}")


@template("decision_form")
def decision_form(doc):
    title(doc, "社会救助审核确认表")
    meta(doc, NUMBER)
    form_table(doc, [
        ("申请人", "{{ applicant.name }}", "身份证号码", "{{ applicant.id_number }}"),
        ("救助类别", "{{ case.relief_name }}", "城乡类别", "{{ case.urban_rural }}"),
        ("家庭人口", "{{ household.size }}人", "保障人数", "{{ case.persons_covered }}人"),
        ("家庭月总收入", "{{ household.total_income|money }}",
         "人均月收入", "{{ household.per_capita_income|money }}"),
        ("适用标准", "{{ standard.name }}　{{ standard.amount|money }}/人·月"
                     "（{{ standard.urban_rural }}）"),
        ("审核确认结果", "{{ decision.result }}"),
        ("救助金额", "{{ decision.amount|money }}（大写：{{ decision.amount|capital_money }}）"),
        ("起始月份", "{{ decision.start_month|cn_month }}", "确认日期",
         "{{ decision.decided_on|cn_date }}"),
        ("审核意见", "{{ decision.opinion }}"),
        ("调查人", "{{ staff.investigator_names }}", "审核人", "{{ staff.reviewer }}"),
        ("审批人", "{{ staff.approver }}", "经办人", "{{ staff.clerk }}"),
    ])
    body(doc, "谁调查、谁签字、谁负责。调查人、审核人、审批人对审核确认结果分别负责。", "JZ Small")
    signatures(doc, ["调查人（签字）：　　　　　　审核人（签字）：　　　　　　",
                     "审批人（签字）：　　　　　　",
                     "{{ region.township }}人民政府（委托事项专用章）"],
               date="{{ decision.decided_on|cn_date }}")


@template("refusal_notice")
def refusal_notice(doc):
    title(doc, "不予救助告知书")
    meta(doc, NUMBER)
    plain(doc, "{{ applicant.name }}：")
    body(doc, "您于{{ case.accepted_on|cn_date }}提出的{{ case.relief_name }}申请，经调查核实和审核，"
              "不符合{{ case.relief_name }}条件，决定不予救助。理由如下：")
    each(doc, "r in refusal.reasons", "{{ loop.index }}. {{ r }}")
    body(doc, "依据：{{ refusal.legal_basis }}。")
    rights_and_receipt(doc, "refusal", "{{ decision.decided_on|cn_date }}")


@template("confirmation_notice")
def confirmation_notice(doc):
    title(doc, "社会救助确认通知书")
    meta(doc, NUMBER)
    plain(doc, "{{ applicant.name }}：")
    body(doc, "您（户）申请的{{ case.relief_name }}，经调查核实和审核确认，符合条件，"
              "{% if case.relief_code == 'BY' %}认定为低保边缘家庭{% else %}自"
              "{{ decision.start_month|cn_month }}起给予救助{% endif %}。")
    form_table(doc, [
        ("证号", "{{ case.number }}", "救助类别", "{{ case.relief_name }}"),
        ("户主(对象)", "{{ applicant.name }}", "保障人数", "{{ case.persons_covered }}人"),
        ("救助金额", "{{ decision.amount|money }}", "起始月份", "{{ decision.start_month|cn_month }}"),
        ("供养方式", "{{ case.support_mode }}", "护理等级", "{{ case.care_level }}"),
    ])
    body(doc, "请于家庭人口、收入、财产状况发生变化时及时向乡镇(街道)报告。"
              "救助资金按月发放至本人账户，不得转借他人使用。")
    body(doc, CONTACT)
    signatures(doc, [OFFICE_SEAL], date="{{ decision.decided_on|cn_date }}")


@template("dishonesty_notice")
def dishonesty_notice(doc):
    title(doc, "社会救助失信行为处理告知书")
    meta(doc, NUMBER)
    plain(doc, "{{ applicant.name }}：")
    body(doc, "经调查核实，您（户）在享受{{ case.relief_name }}期间存在以下失信行为："
              "{{ dishonesty.kind }}。具体事实：{{ dishonesty.facts }}。")
    body(doc, "{{ dishonesty.warned_on|cn_date }}首次发现上述情形后，我单位已对您进行教育引导，"
              "并告知您于{{ dishonesty.correction_due_on|cn_date }}前予以纠正，您逾期拒不纠正。")
    body(doc, "依据{{ dishonesty.legal_basis }}，决定自{{ dishonesty.stop_month|cn_month }}起"
              "停止对您（户）的{{ case.relief_name }}，将您（户）列入社会救助失信管理名单，"
              "{{ dishonesty.expires_on|cn_date }}前不再受理您家庭的社会救助申请，"
              "并将名单推送相关部门依法实施联合惩戒。")
    rights_and_receipt(doc, "dishonesty", "{{ dishonesty.listed_on|cn_date }}")


@template("review_decision")
def review_decision(doc):
    title(doc, "社会救助复核决定书")
    meta(doc, "{{ review.number }}　　案件编号：{{ case.number }}")
    plain(doc, "{{ region.township }}人民政府、{{ applicant.name }}：")
    body(doc, "{{ region.county }}民政局根据{{ review.source }}，对{{ region.township }}就"
              "{{ applicant.name }}（户）{{ case.relief_name }}作出的审核确认决定进行了复核。")
    form_table(doc, [
        ("申请人", "{{ applicant.name }}", "身份证号码", "{{ applicant.id_number }}"),
        ("救助类别", "{{ case.relief_name }}", "复核来源", "{{ review.source }}"),
        ("复核事由", "{{ review.reason }}"),
        ("复核意见", "{{ review.findings }}"),
        ("复核决定", "{{ review.outcome }}"),
        ("决定内容", "{{ review.effect }}"),
    ])
    body(doc, "请{{ region.township }}人民政府自收到本决定书之日起按上述决定执行，并将执行情况报县民政局。")
    body(doc, "如对本决定不服，可以自收到本决定书之日起{{ review.review_days }}日内向"
              "{{ review.review_body }}申请行政复议，或者自收到本决定书之日起"
              "{{ review.lawsuit_months }}个月内直接向{{ review.court }}提起行政诉讼。")
    signatures(doc, ["复核人：{{ review.decided_by }}", "{{ region.county }}民政局（盖章）"],
               date="{{ review.decided_on|cn_date }}")


@template("funding_plan")
def funding_plan(doc):
    title(doc, "困难群众救助资金发放计划")
    meta(doc, "{{ region.county }}　{{ month|cn_month }}")
    plain(doc, "{{ region.county }}财政局：")
    body(doc, "根据各乡镇（街道）{{ month|cn_month }}审核确认及备案情况和县级抽查结果，"
              "现报送本月困难群众救助资金发放计划如下：")
    list_table(doc, ["乡镇（街道）", "救助类别", "户数", "金额（元）", "备案情况", "抽查户数"],
               "r in rows", ["{{ r.township }}", "{{ r.relief }}", "{{ r.households }}",
                             "{{ r.amount|money }}", "{{ r.status }}", "{{ r.checked }}"],
               (26, 18, 12, 22, 22, 14))
    each(doc, "t in totals", "{{ t.relief }}：{{ t.households }}户，{{ t.amount|money }}")
    body(doc, "合计：{{ total|money }}（大写：{{ total|capital_money }}）")
    signatures(doc, ["{{ region.county }}民政局（盖章）"])


@template("archive_cover")
def archive_cover(doc):
    body(doc, "{%p for c in copies %}")
    doc.add_paragraph("{{ c.marking }}", style="JZ Marking")
    doc.add_paragraph("", style="Normal")
    title(doc, "社会救助对象档案")
    doc.add_paragraph("{{ barcode }}", style="JZ Image")  # not exact spacing: it clips
    doc.add_paragraph("", style="Normal")
    form_table(doc, [
        ("档案号", "{{ archive.number }}"),
        ("户主(对象)", "{{ applicant.name }}"),
        ("救助类别", "{{ case.relief_name }}"),
        ("案件编号", "{{ case.number }}"),
        ("所在村(社区)", "{{ region.village }}"),
        ("乡镇(街道)", "{{ region.township }}"),
        ("立卷日期", "{{ archive.opened_on|cn_date }}"),
        ("保管期限", "{{ archive.retention }}"),
    ], widths=(30, 70))
    doc.add_paragraph("立卷人：　　　　　　　　检查人：　　　　　　　　", style="JZ Right")
    doc.add_paragraph("{{ region.county }}　{{ region.township }}", style="JZ Center")
    page_break(doc)
    body(doc, "{%p endfor %}")


@template("file_inventory")
def file_inventory(doc):
    title(doc, "卷内目录")
    meta(doc, "档案号：{{ case.archive_number }}　　户主(对象)：{{ applicant.name }}")
    list_table(doc, ["序号", "文件材料名称", "形成日期", "页数", "备注"], "e in entries",
               ["{{ e.number }}", "{{ e.title }}", "{{ e.made_on|cn_date }}", "{{ e.pages }}",
                "{{ e.note }}"], (10, 45, 22, 10, 20))
    signatures(doc, ["立卷人：　　　　　　　　检查人：　　　　　　　　"])


NOTICE_HEADERS = ["序号", "户主姓名", "保障人数", "救助类别", "救助金额(元)", "备注"]
NOTICE_CELLS = ["{{ r.number }}", "{{ r.name }}", "{{ r.persons }}", "{{ r.relief_name }}",
                "{{ r.amount|money }}", "{{ r.note }}"]
NOTICE_WIDTHS = (10, 22, 14, 18, 20, 20)


def _notice_footer(doc):
    body(doc, "合计：{{ total_households }}户，{{ total_persons }}人。")
    body(doc, "公示期间，如有异议，请向{{ region.township }}人民政府反映。"
              "异议电话：{{ office.objection_phone }}；地址：{{ office.objection_address }}。"
              "县级监督电话：{{ office.county_phone }}。")
    body(doc, "本公示不含身份证号码、银行账号和收入明细等个人信息，请勿拍照转发。", "JZ Small")
    body(doc, "扫描二维码或访问 {{ verify.address }} 核验本公示是否为最新版本，"
              "也可在该页面提出异议或反映问题。", "JZ Small")
    doc.add_paragraph("{{ verify.qr }}", style="JZ Image")
    signatures(doc, ["{{ region.township }}人民政府（盖章）",
                     "{{ region.village }}村(居)民委员会（盖章）"])


@template("publicity_notice")
def publicity_notice(doc):
    title(doc, "{{ region.village }}社会救助对象公示")
    body(doc, "根据社会救助有关规定，经调查核实和审核，现将以下社会救助对象予以公示。"
              "公示期为{{ period.start|cn_date }}至{{ period.end|cn_date }}（{{ period.days }}天）。")
    list_table(doc, NOTICE_HEADERS, "r in rows", NOTICE_CELLS, NOTICE_WIDTHS)
    _notice_footer(doc)


@template("standing_notice")
def standing_notice(doc):
    title(doc, "{{ region.village }}社会救助对象长期公示")
    meta(doc, "（{{ month|cn_month }}）")
    body(doc, "现将本村(社区)享受最低生活保障和特困人员救助供养的对象予以长期公示，接受群众监督。")
    list_table(doc, NOTICE_HEADERS, "r in rows", NOTICE_CELLS, NOTICE_WIDTHS)
    _notice_footer(doc)


@template("delegation_letter")
def delegation_letter(doc):
    title(doc, "社会救助审核确认权限放权委托书")
    meta(doc, "委托书编号：{{ letter_number }}")
    plain(doc, "{{ region.township }}人民政府：")
    body(doc, "根据《社会救助暂行办法》及上级关于社会救助审核确认权限下放的有关规定，"
              "{{ region.county }}民政局决定将下列社会救助事项委托你乡镇(街道)实施，"
              "委托期限自{{ period.start|cn_date }}至{{ period.end|cn_date }}。")
    heading(doc, "一、委托事项")
    each(doc, "p in powers", "{{ loop.index }}. {{ p }}")
    heading(doc, "二、监督管理")
    each(doc, "s in supervision", "{{ loop.index }}. {{ s }}")
    heading(doc, "三、印章管理")
    each(doc, "r in seal_rules", "{{ loop.index }}. {{ r }}")
    body(doc, "委托事项专用章保管使用人：{{ custodian.post }}{{ custodian.name }}。")
    heading(doc, "四、其他")
    body(doc, "受托方应严格按照委托事项和权限办理，不得再委托其他组织和个人。委托期间发现违规办理的，"
              "委托方可以收回委托。")
    signatures(doc, ["委托方：{{ region.county }}民政局（盖章）",
                     "受托方：{{ region.township }}人民政府（盖章）"])


# -- fonts, properties and output --------------------------------------------------------------

FONT_TABLE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/></w:font>
{entries}
</w:fonts>"""
FONT_ENTRY = ('<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
              '<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/>'
              '</w:font>')


def _font_table() -> bytes:
    entries = "\n".join(FONT_ENTRY.format(name=name, alt=alt, family=family, panose=panose)
                        for name, (alt, family, panose) in FONTS.items())
    return FONT_TABLE.format(entries=entries).encode("utf-8")


# python-docx's default template carries ~790 KB of styles no template uses (styles.xml's 160-odd
# built-in styles and stylesWithEffects.xml, Word 2010's copy of them): every render re-zips and
# every PDF conversion parses them. The shipped templates keep only what they can reach.
STYLE_REF = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle|basedOn|link|next|numStyleLink|styleLink)'
                       rb' w:val="([^"]+)"')
STYLE = re.compile(rb'<w:style [^>]*?w:styleId="([^"]+)".*?</w:style>', re.S)
EFFECTS = "word/stylesWithEffects.xml"


def trim_styles(styles: bytes, *referencing: bytes) -> bytes:
    """styles.xml with only the default styles, the JZ styles and what the parts (document,
    numbering) reference, closed over basedOn/link/next; no latent-style table."""
    bodies = {m.group(1): m.group(0) for m in STYLE.finditer(styles)}
    keep = {sid for sid, body in bodies.items()
            if sid.startswith(b"JZ") or b'w:default="1"' in body[:200]}
    keep |= {ref for part in referencing for ref in STYLE_REF.findall(part)} & bodies.keys()
    todo = list(keep)
    while todo:
        for ref in STYLE_REF.findall(bodies[todo.pop()]):
            if ref in bodies and ref not in keep:
                keep.add(ref)
                todo.append(ref)

    def kept(match):
        if match.group(1) not in keep:
            return b""
        return re.sub(rb'<w:(?:link|next) w:val="([^"]+)"/>',
                      lambda m: m.group(0) if m.group(1) in keep else b"", match.group(0))

    styles = re.sub(rb"<w:latentStyles\b.*?</w:latentStyles>", b"", styles, flags=re.S)
    return STYLE.sub(kept, styles)


def _without_effects(name: str, data: bytes) -> bytes:
    """Drop stylesWithEffects.xml's relationship and content type with the part."""
    if name == "word/_rels/document.xml.rels":
        return re.sub(rb'<Relationship [^>]*Target="stylesWithEffects.xml"/>', b"", data)
    if name == "[Content_Types].xml":
        return re.sub(rb'<Override PartName="/word/stylesWithEffects.xml"[^>]*/>', b"", data)
    return data


def finish(doc, name: str, *, trim: bool = True) -> bytes:
    """The template's bytes (``trim=False``: with python-docx's full style set, to compare)."""
    core = doc.core_properties
    core.title, core.author, core.last_modified_by = name, "Jiuzhu", "Jiuzhu"
    core.created = core.modified = core.last_printed = FIXED_CORE_TIME
    core.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == "docProps/thumbnail.jpeg" or (trim and info.filename == EFFECTS):
                continue
            data = source.read(info.filename)
            if trim:
                data = _without_effects(info.filename, data)
            if info.filename == "word/fontTable.xml":
                data = _font_table()
            elif trim and info.filename == "word/styles.xml":
                data = trim_styles(data, *(source.read(part) for part in
                                           ("word/document.xml", "word/numbering.xml")))
            elif info.filename == "_rels/.rels":  # no thumbnail of an empty page
                data = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"/>', b"", data)
            target.writestr(info.filename, data)
    return stable_zip(out.getvalue())


def template_bytes(name: str, *, trim: bool = True) -> bytes:
    """One kind's template as shipped (or untrimmed, to check trimming changes no page)."""
    doc = new_document()
    BUILDERS[name](doc)
    return finish(doc, name, trim=trim)


def build(names=None) -> list[Path]:
    written = []
    for name in BUILDERS:
        if names and name not in names:
            continue
        path = HERE / f"{name}.docx"
        path.write_bytes(template_bytes(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(sys.argv[1:]):
        print(path.relative_to(HERE.parent))
