"""The supervision room's document kinds, registered into the documents registry: the
复核决定书 of a case's review and the county's 资金发放计划 for the finance bureau."""
from __future__ import annotations

from flask_babel import gettext as _

from ..db import db
from ..documents import context as ctx
from ..documents.registry import STEP_DOCUMENTS, DocumentKind, placeholder, register
from ..documents.views import STEP_LABELS
from ..money import fen_to_yuan
from ..periods import as_date, local_today, month_of

REVIEW = {"number": None, "source": None, "reason": None, "findings": None, "outcome": None,
          "amount": None, "from_month": None, "decided_on": None, "decided_by": None,
          "effect": None, "review_body": None, "review_days": None, "court": None,
          "lawsuit_months": None}
# the document is Chinese whatever the UI language: its own wording of sources and outcomes
SOURCE_TEXT = {"objection": "群众异议", "complaint": "举报投诉", "finding": "抽查发现的问题",
               "register": "备案审查", "other": "其他线索"}
OUTCOME_TEXT = {"uphold": "维持", "correct_amount": "更正救助金额", "revoke": "撤销",
                "reinvestigate": "责令重新调查"}
EFFECTS = {
    "uphold": "维持原审核确认决定",
    "correct_amount": "更正救助金额，自{from_month}起按每月{amount}元发放，当月仍按原金额发放",
    "revoke": "撤销原审核确认决定，自次月起停止发放",
    "reinvestigate": "责令乡镇（街道）重新调查核实，并按程序重新审核确认",
}


def decided_review(case, review_id=None):
    """The review the decision is about: the one named, else the case's newest decided one."""
    from sqlalchemy import select

    from .models import Review

    if getattr(case, "id", None) is None:
        return None
    stmt = select(Review).where(Review.case_id == case.id, Review.outcome.is_not(None))
    if review_id:
        stmt = stmt.where(Review.id == int(review_id))
    return db.session.scalars(stmt.order_by(Review.id.desc())).first()


def review_context(review, base: dict) -> dict:
    from ..cases.models import CaseEvent

    county = base["region"]["county"] or ""
    out = dict.fromkeys(REVIEW, None) | {
        "review_body": f"{county}人民政府", "review_days": 60, "court": f"{county}人民法院",
        "lawsuit_months": 6}
    if review is None:
        return out
    event = db.session.get(CaseEvent, review.case_event_id) if review.case_event_id else None
    from_month = as_date((event.data if event else {}).get("from_month"))
    amount = fen_to_yuan(review.amount_fen) if review.amount_fen is not None else None
    effect = EFFECTS[review.outcome].format(
        from_month=f"{from_month.year}年{from_month.month}月" if from_month else "",
        amount=amount)
    return out | {
        "number": f"复核〔{review.decided_on.year}〕{review.id}号",
        "source": SOURCE_TEXT.get(review.source, review.source),
        "reason": review.reason or None, "findings": review.findings,
        "outcome": OUTCOME_TEXT[review.outcome], "amount": amount,
        "from_month": from_month, "decided_on": review.decided_on,
        "decided_by": review.decided_by.display_name if review.decided_by else None,
        "effect": effect}


@register
class ReviewDecision(DocumentKind):
    """复核决定书: the county's decision on a township decision, sent to the township and the
    household."""

    name, title = "review_decision", "社会救助复核决定书"
    title_en = "Social assistance review decision"
    extra_contract = {"review": REVIEW}

    def issued_on(self, case):
        review = decided_review(case)
        return review.decided_on if review else (case.accepted_on or local_today())

    def refusal(self, case):
        if decided_review(case) is None:
            return _("The county has decided no review of this case: there is no review decision to issue")
        return None

    def build_context(self, subject, options=None):
        options = options or {}
        review = decided_review(subject, options.get("review_id"))
        if review is not None and not options.get("issued_on"):
            options = options | {"issued_on": review.decided_on}
        return super().build_context(subject, options)

    def extra_context(self, case, base, options):
        return {"review": review_context(decided_review(case, options.get("review_id")), base)}


PLAN_ROW = {"township": None, "relief": None, "households": None, "amount": None,
            "status": None, "checked": None}
PLAN_TOTAL = {"relief": None, "households": None, "amount": None}


@register
class FundingPlan(DocumentKind):
    """资金发放计划: the county's monthly plan for the finance bureau, one row per township and
    paid relief type from the accepted filings (made for any region; it prints its county)."""

    name, title = "funding_plan", "困难群众救助资金发放计划"
    title_en = "Assistance funding payment plan"
    scope = "township"

    @classmethod
    def contract(cls) -> dict:
        return {"region": ctx.REGION, "month": None, "rows": [PLAN_ROW], "totals": [PLAN_TOTAL],
                "total": None, "issued_on": None, "placeholder": None}

    def issued_on(self, region):
        return local_today()

    def build_context(self, region, options=None):
        from .queries import funding_plan

        options = options or {}
        county = region.county
        month = options.get("month") or month_of(local_today())
        plan = funding_plan(county, month)
        rows = [{"township": r["township"].name, "relief": name,
                 "households": r["figures"][code][0],
                 "amount": fen_to_yuan(r["figures"][code][1]),
                 "status": "已备案" if r["accepted"] else "未备案，不列入",
                 "checked": r["checked"]}
                for r in plan["rows"] for code, name in plan["types"]]
        return {
            "region": ctx.region_context(county), "month": month, "rows": rows,
            "totals": [{"relief": name, "households": plan["totals"][code][0],
                        "amount": fen_to_yuan(plan["totals"][code][1])}
                       for code, name in plan["types"]],
            "total": fen_to_yuan(plan["total_fen"]),
            "issued_on": options.get("issued_on") or self.issued_on(region),
            "placeholder": placeholder(),
        }

    def filename(self, region, options=None):
        month = (options or {}).get("month") or month_of(local_today())
        return f"{region.county.name}-{month:%Y-%m}-资金发放计划.docx"


STEP_DOCUMENTS["review"] = ("review_decision",)
STEP_LABELS["review"] = "县级复核"
