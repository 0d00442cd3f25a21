"""Writes for supervision: the spot-check draw and assigning its checks.

A draw is reproducible: the population (the month's new recipients, sorted by case id), the
seed (``secrets.randbits(64)``) and the rate are stored, and ``pick`` gives the same cases from
the same three. It cannot be redone quietly: a second draw of the month needs a reason, the
first stays (no longer current) and every draw is in the audit trail.
"""
from __future__ import annotations

import math
import random
import secrets
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.operations import record
from ..auth.models import User
from ..auth.roles import Role
from ..cases.models import Case
from ..cases.workflows import FINAL_STATES, workflow_for
from ..db import db
from ..faults import UserFacing
from ..filings.stats import new_recipients
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from .models import Meeting, ReserveEntry, Review, SpotCheck, SpotCheckDraw
from .registry import MUST_VISIT, REVIEW_OUTCOMES, REVIEW_SOURCES

DEFAULT_PERCENT = 30
RANDOM = "random"


class DrawError(UserFacing):
    """A refused draw or assignment; the message is in the reader's language (a lazy msgid),
    ``path`` names the field."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.path = path


def minimum_percent() -> int:
    """The least share of new recipients a draw takes (``JIUZHU_SPOT_CHECK_PERCENT``, 30),
    kept within 1–100 so a mistyped setting cannot disable the draw."""
    return max(1, min(100, int(current_app.config.get("SPOT_CHECK_PERCENT", DEFAULT_PERCENT))))


def pick(population: list[int], seed: int, rate_percent: int) -> list[int]:
    """ceil(rate% of the population) case ids, by ``random.Random(seed)`` over the sorted ids."""
    ordered = sorted(population)
    count = math.ceil(len(ordered) * rate_percent / 100)
    return sorted(random.Random(seed).sample(ordered, count))


def population_of(township: Region, month: date) -> list[int]:
    """The month's new recipients of the township (as the monthly filing counts them)."""
    return populations_of([township], month)[township.id]


def populations_of(townships: list[Region], month: date) -> dict[int, list[int]]:
    """township id -> its month's new recipients (sorted case ids), one query for them all
    under their common prefix (the county's, when every township is asked)."""
    prefix = _common_prefix(townships)
    by_prefix = {t.prefix: t.id for t in townships}
    out: dict[int, list[int]] = {t.id: [] for t in townships}
    stmt = new_recipients(prefix, month).with_only_columns(
        Case.id, func.substr(Region.code, 1, 9)).order_by(Case.id)
    for case_id, town in db.session.execute(stmt):
        if town in by_prefix:
            out[by_prefix[town]].append(case_id)
    return out


def _common_prefix(townships: list[Region]) -> str:
    prefixes = {t.prefix for t in townships}
    return prefixes.pop() if len(prefixes) == 1 else townships[0].county.prefix


def must_visit_of(township: Region) -> dict[int, list[str]]:
    """Case id -> the sources that make it a 100% home visit (open or served cases only)."""
    return must_visits_of([township])[township.id]


def must_visits_of(townships: list[Region]) -> dict[int, dict[int, list[str]]]:
    """township id -> {case id -> its must-visit sources}, one query per source for them all."""
    prefix = _common_prefix(townships)
    by_prefix = {t.prefix: t.id for t in townships}
    out: dict[int, dict[int, list[str]]] = {t.id: {} for t in townships}
    for name, (_label, condition) in MUST_VISIT.items():
        if condition is None:
            continue
        rows = db.session.execute(
            select(Case.id, func.substr(Region.code, 1, 9)).join(
                Region, Region.id == Case.region_id)
            .where(Region.code.startswith(prefix, autoescape=True),
                   Case.state.not_in(FINAL_STATES), condition()).order_by(Case.id))
        for case_id, town in rows:
            if town in by_prefix:
                out[by_prefix[town]].setdefault(case_id, []).append(name)
    return out


def county_supervisors(county: Region) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.region_id == county.id, User.role == Role.county_supervisor,
        User.is_active_user.is_(True)).order_by(User.id)))


def draw(township: Region, month: date, actor, *, rate_percent: int | None = None,
         reason: str = "", seed: int | None = None, population: list[int] | None = None,
         must: dict[int, list[str]] | None = None) -> SpotCheckDraw:
    """Draw the township's month: ceil(rate%) of its new recipients plus every must-visit case,
    each check assigned in turn to the county's supervisors. ``population`` and ``must`` are
    for ``draw_all``, which reads them for every township at once."""
    if township.level != RegionLevel.township:
        raise DrawError(_l("A spot check is drawn per township"), "township_id")
    least = minimum_percent()
    rate = least if rate_percent is None else rate_percent
    if not least <= rate <= 100:
        raise DrawError(_l("The rate must be between %(least)s%% and 100%%", least=least), "rate_percent")
    reason = (reason or "").strip()
    previous = db.session.scalars(select(SpotCheckDraw).where(
        SpotCheckDraw.region_id == township.id, SpotCheckDraw.month == month,
        SpotCheckDraw.is_current.is_(True))).first()
    if previous is not None and not reason:
        raise DrawError(_l("This month is already drawn: a new draw needs a reason (it is audited)"), "reason")
    for row in db.session.scalars(select(SpotCheckDraw).where(
            SpotCheckDraw.region_id == township.id, SpotCheckDraw.month == month)):
        row.is_current = False
    number = (db.session.scalar(select(func.max(SpotCheckDraw.number)).where(
        SpotCheckDraw.region_id == township.id, SpotCheckDraw.month == month)) or 0) + 1
    seed = secrets.randbits(64) if seed is None else seed
    population = population_of(township, month) if population is None else population
    drawn = pick(population, seed, rate)
    must = must_visit_of(township) if must is None else must
    row = SpotCheckDraw(region_id=township.id, region=township, month=month, number=number,
                        seed=str(seed), rate_percent=rate, population=population, drawn=drawn,
                        must_visit={str(k): v for k, v in must.items()}, reason=reason,
                        created_by_id=actor.id, is_current=True)
    supervisors = county_supervisors(township.county)
    for i, case_id in enumerate(sorted(set(drawn) | set(must))):
        sources = ([RANDOM] if case_id in drawn else []) + must.get(case_id, [])
        row.checks.append(SpotCheck(case_id=case_id, sources=sources, assignee_id=(
            supervisors[i % len(supervisors)].id if supervisors else None)))
    db.session.add(row)
    db.session.flush()
    record("supervision.draw", row, actor=actor, details={
        "township": township.code, "month": month.isoformat(), "number": number,
        "seed": str(seed), "rate_percent": rate, "population": population, "drawn": drawn,
        "must_visit": row.must_visit, "reason": reason,
        "replaces": previous.id if previous is not None else None})
    return row


def draw_all(month: date, actor, townships: list[Region]) -> list[SpotCheckDraw]:
    """Draw the month of every given township not drawn yet (each draw as ``draw`` records
    it), reading the populations and must-visit cases of all of them in one pass."""
    drawn = {row.region_id for row in db.session.scalars(select(SpotCheckDraw).where(
        SpotCheckDraw.month == month, SpotCheckDraw.region_id.in_([t.id for t in townships])))}
    todo = [t for t in townships if t.id not in drawn and t.level == RegionLevel.township]
    if not todo:
        return []
    populations, musts = populations_of(todo, month), must_visits_of(todo)
    return [draw(t, month, actor, population=populations[t.id], must=musts[t.id]) for t in todo]


def is_reproduced(row: SpotCheckDraw) -> bool:
    """Whether the stored seed, population and rate still give the stored random cases."""
    return pick(row.population, int(row.seed), row.rate_percent) == row.drawn


def assign(check: SpotCheck, assignee_id: int | None, actor) -> SpotCheck:
    """Give the check to a county supervisor of the draw's county (audited)."""
    county = check.draw.region.county
    chosen = next((u for u in county_supervisors(county) if u.id == assignee_id), None)
    if chosen is None:
        raise DrawError(_l("Choose a supervisor of this county"), "assignee_id")
    before = check.assignee_id
    check.assignee_id = chosen.id
    record("supervision.assign", check.draw, actor=actor, details={
        "check": check.id, "case": check.case_id, "from": before, "to": chosen.id})
    return check


# -- township evaluation (联评): the county's weights and the close-supervision marks ---------

class EvaluationError(DrawError):
    """A refused evaluation setting or mark (``path`` names the field)."""


def save_evaluation_setting(county: Region, weights: dict, bottom_kind: str, bottom_value,
                            actor):
    """Store the county's weights (0–100 per registered figure; a missing one keeps the
    default) and the bottom rule (a count of townships or a percentage), audited."""
    from .evaluation import BOTTOM_KINDS, MAX_WEIGHT, setting_of, weights_of
    from .evaluation_models import EvaluationSetting
    from .registry import METRICS

    clean = {}
    for key, value in (weights or {}).items():
        if key not in METRICS:
            raise EvaluationError(_l("There is no such evaluation figure"), f"weights.{key}")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WEIGHT:
            raise EvaluationError(_l("A weight is a whole number from 0 to %(most)s", most=MAX_WEIGHT), f"weights.{key}")
        clean[key] = value
    if bottom_kind not in BOTTOM_KINDS:
        raise EvaluationError(_l("The way of choosing the bottom townships is not valid"), "bottom_kind")
    limit = 100 if bottom_kind == "percent" else 1000
    if isinstance(bottom_value, bool) or not isinstance(bottom_value, int) \
            or not 0 <= bottom_value <= limit:
        raise EvaluationError(_l("The number of bottom townships is a whole number from 0 to %(most)s", most=limit), "bottom_value")
    row = setting_of(county)
    before = None
    if row is None:
        row = EvaluationSetting(region_id=county.id)
        db.session.add(row)
    else:
        before = {"weights": weights_of(row), "bottom": [row.bottom_kind, row.bottom_value]}
    row.weights = {**(row.weights or {}), **clean}
    row.bottom_kind, row.bottom_value = bottom_kind, bottom_value
    row.updated_by_id = actor.id
    db.session.flush()
    record("supervision.evaluation_setting", row, actor=actor, details={
        "before": before, "weights": weights_of(row), "bottom": [bottom_kind, bottom_value]})
    return row


def mark_bottom(period, actor, reason: str = "") -> list:
    """Mark the year's bottom townships for close supervision the next year (列为次年度
    重点督导单位): one audited mark each, with its rank and score; a township already marked
    for that year keeps its mark. Only a year's evaluation marks."""
    from .evaluation import evaluate
    from .evaluation_models import CloseSupervisionMark

    if period.kind != "year":
        raise EvaluationError(_l("Only a year's evaluation marks townships for close supervision next year"), "period")
    result = evaluate(period, actor)
    if not result.bottom_rows:
        raise EvaluationError(_l("No township is at the bottom of this period's evaluation"), "period")
    marks = []
    for row in result.bottom_rows:
        if row.mark is not None:
            continue
        mark = CloseSupervisionMark(region_id=row.township.id, year=period.start.year + 1,
                                    period=period.key, rank=row.rank, score=row.score,
                                    reason=reason.strip(), marked_by_id=actor.id)
        db.session.add(mark)
        db.session.flush()
        record("supervision.close_supervision", mark, actor=actor, details={
            "township": row.township.id, "year": mark.year, "period": period.key,
            "rank": row.rank, "score": round(row.score, 2), "values": row.values})
        marks.append(mark)
    return marks


# --- 复核 review and correction (point 4) ------------------------------------------------


class ReviewError(DrawError):
    """A refused review write (``path`` names the field)."""


def open_review(case: Case, source: str, actor, *, source_ref: int | None = None,
                reason: str = "") -> Review:
    """Open a county review of the case's township decision (audited)."""
    if source not in REVIEW_SOURCES:
        raise ReviewError(_l("The review's source is not valid"), "source")
    if not actor.region.contains(case.region):
        raise ReviewError(_l("The case does not exist"), "case_id")
    row = Review(case_id=case.id, case=case, region_id=case.region.township.id, source=source,
                 source_ref=source_ref, reason=(reason or "").strip(), opened_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("supervision.review_open", row, actor=actor, details={
        "case": case.id, "source": source, "source_ref": source_ref, "reason": row.reason})
    return row


def decide_review(review: Review, outcome: str, findings: str, actor, *,
                  amount=None, on: date | None = None) -> Review:
    """Record the findings and the decision; every outcome but uphold is a workflow step on
    the case (state, amount from next month, its own audit), then the 复核决定书 is made."""
    from ..cases.checks import CaseError
    from ..cases.operations import transition
    from ..db import lock_for_write
    from ..documents.errors import DocumentError
    from ..documents.operations import generate
    from ..money import yuan_to_fen

    lock_for_write()  # a second supervisor deciding the same review waits, then is refused
    db.session.refresh(review)
    if review.outcome is not None:
        raise ReviewError(_l("This review is already decided: it cannot be decided again"), "outcome")
    if outcome not in REVIEW_OUTCOMES:
        raise ReviewError(_l("Choose the review's decision"), "outcome")
    findings = (findings or "").strip()
    if not findings:
        raise ReviewError(_l("Enter the review's findings"), "findings")
    action = REVIEW_OUTCOMES[outcome][1]
    event = None
    if action is not None and workflow_for(review.case).transition(action) is None:
        raise ReviewError(_l("This decision cannot be made for this relief type (or at the case's current stage)"), "outcome")
    if action is not None:
        data = {"reason": findings} | ({"amount": amount} if amount not in (None, "") else {})
        try:
            event = transition(review.case, action, actor, data, effective_on=on)
        except CaseError as exc:
            path = exc.problems[0].path if exc.problems else "outcome"
            raise ReviewError(exc.message, path.replace("data.", "")) from None
    review.outcome, review.findings = outcome, findings
    review.decided_on = event.effective_on if event is not None else (on or local_today())
    review.decided_by_id = actor.id
    review.case_event_id = event.id if event is not None else None
    if outcome == "correct_amount":
        review.amount_fen = yuan_to_fen(event.data["amount"])
    db.session.flush()
    record("supervision.review_decide", review, actor=actor, details={
        "case": review.case_id, "outcome": outcome, "findings": findings,
        "amount_fen": review.amount_fen, "event": review.case_event_id})
    try:
        generate("review_decision", review.case, actor, {"review_id": review.id})
    except DocumentError as exc:  # e.g. a county's uploaded template fails: nothing is kept
        raise ReviewError(_l("The review decision could not be made: %(error)s", error=exc), "outcome") from None
    return review


# --- 一事一议 meetings and the reserve fund (point 8) -------------------------------------


def record_meeting(township: Region, held_on: date, attendees: list[str], case_ids: list[int],
                   actor, notes: str = "") -> Meeting:
    """The township's 会商 meeting and the county-queue cases it sends up (audited)."""
    if township.level != RegionLevel.township:
        raise DrawError(_l("A consultation meeting is recorded per township"), "township_id")
    if held_on > local_today():
        raise DrawError(_l("The meeting cannot be later than today"), "held_on")
    attendees = [a.strip() for a in attendees if a and a.strip()]
    if not attendees:
        raise DrawError(_l("Enter who attended"), "attendees")
    scope = select(Region.id).where(Region.code.startswith(township.prefix, autoescape=True))
    found = set(db.session.scalars(select(Case.id).where(
        Case.id.in_(case_ids), Case.region_id.in_(scope), Case.state == "county_review")))
    if not case_ids or found != set(case_ids):
        raise DrawError(_l("The cases sent up must be this township's cases waiting for the county's decision (case by case)"), "case_ids")
    row = Meeting(region_id=township.id, held_on=held_on, attendees=attendees,
                  case_ids=sorted(found), notes=(notes or "").strip(), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("supervision.meeting", row, actor=actor, details={
        "held_on": held_on.isoformat(), "attendees": attendees, "case_ids": row.case_ids,
        "notes": row.notes})
    return row


RESERVE_ACTIONS = {"top_up": "supervision.reserve_top_up", "draw": "supervision.reserve_draw"}


def _ledger(township: Region, kind: str, amount_fen: int, on: date, actor, *,
            case_id: int | None = None, note: str = "") -> ReserveEntry:
    row = ReserveEntry(region_id=township.id, kind=kind, amount_fen=amount_fen, on=on,
                       case_id=case_id, note=note, created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record(RESERVE_ACTIONS[kind], row, actor=actor, details={
        "township": township.code, "amount_fen": amount_fen, "on": on.isoformat(),
        "case": case_id, "note": note})
    return row


def top_up(township: Region, amount, actor, *, on: date | None = None,
           note: str = "") -> ReserveEntry:
    """The county adds to a township's 临时救助备用金 (a new ledger line, audited)."""
    from ..money import MoneyError, parse_yuan, yuan_to_fen

    if township.level != RegionLevel.township:
        raise DrawError(_l("The reserve fund is kept per township"), "township_id")
    try:
        fen = yuan_to_fen(parse_yuan(amount))
    except MoneyError as exc:
        raise DrawError(_l("The amount: %(error)s", error=exc), "amount") from None
    if fen <= 0:
        raise DrawError(_l("The amount must be more than 0"), "amount")
    return _ledger(township, "top_up", fen, on or local_today(), actor, note=(note or "").strip())


def draw_emergency_aid(case, event, step, actor) -> None:
    """After-transition hook: emergency aid paid out (先行救助) draws on the reserve fund."""
    if "record_emergency_aid" not in step.effects or not case.emergency_aid_fen:
        return
    _ledger(case.region.township, "draw", -case.emergency_aid_fen, event.effective_on, actor,
            case_id=case.id, note=case.case_number)


def funding_plan_export(county: Region, month: date, actor, fmt: str) -> bytes:
    """The 资金发放计划 as XLSX or DOCX; sending it to finance is an act, so it is audited."""
    from . import exports
    from .queries import funding_plan

    plan = funding_plan(county, month)
    data = exports.funding_plan_xlsx(plan) if fmt == "xlsx" else exports.funding_plan_docx(
        county, month)
    record("supervision.funding_plan", county, actor=actor, details={
        "month": month.isoformat(), "format": fmt, "total_fen": plan["total_fen"]})
    return data


# --- check findings and rectification (整改) ---------------------------------------------


class Refused(DrawError):
    """A refused finding, rectification step or complaint (message, field path)."""


def _days(key: str, default: int) -> int:
    """A configured number of working days, kept within 1–250 so a typo cannot void it."""
    return max(1, min(250, int(current_app.config.get(key, default))))


def _text(value, path: str, message: str, *, required: bool = True, limit: int = 10_000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Refused(message, path)
    if len(text) > limit:
        raise Refused(_l("The text is too long (at most %(limit)s characters)", limit=limit), path)
    return text


def _evidence(actor, files=(), upload_ids=()) -> list:
    """Uploads for evidence: new files checked by content and stored as intake stores scans
    (PDF/JPEG/PNG, a PDF must parse), or earlier uploads the actor's region owns."""
    from ..intake.models import Upload
    from ..intake.operations import IntakeError, create_upload
    from ..regions.queries import get_scoped

    out = []
    for storage in files or ():
        if storage is None or not getattr(storage, "filename", None):
            continue
        try:
            out.append(create_upload(storage, actor))
        except IntakeError as exc:
            raise Refused(f"{storage.filename}：{exc.errors[0][1]}", "evidence") from None
    for upload_id in upload_ids or ():
        upload = get_scoped(Upload, upload_id, actor)
        if upload is None:
            raise Refused(_l("The uploaded file does not exist or is outside your area: upload it again"), "upload_ids")
        out.append(upload)
    return out


def _attach(uploads, *, finding=None, step=None) -> list[int]:
    from .models import Evidence

    for upload in uploads:
        db.session.add(Evidence(upload_id=upload.id, finding_id=finding.id if finding else None,
                                step_id=step.id if step else None))
    db.session.flush()
    return [u.id for u in uploads]


def record_finding(check: SpotCheck, actor, *, visited_on: date | None, people_met: str,
                   problems: list[str] | None, notes: str = "", files=(), upload_ids=()):
    """Record the home visit of a check (once). A problem opens the township's rectification,
    due in ``JIUZHU_RECTIFICATION_DAYS`` working days."""
    from ..periods import local_today
    from .models import CheckFinding
    from .registry import FINDINGS

    if check.finding is not None:
        raise Refused(_l("This check's finding is already recorded"), "")
    if not check.draw.is_current:
        raise Refused(_l("This list was replaced by a new draw: record on the current list"), "")
    today = local_today()
    if visited_on is None:
        raise Refused(_l("Enter the day of the home visit"), "visited_on")
    if visited_on > today:
        raise Refused(_l("The home visit cannot be later than today"), "visited_on")
    people_met = _text(people_met, "people_met", _l("Enter whom the visit met"))
    if problems is None:
        raise Refused(_l("Choose the finding: no problem, or the problems found"), "problems")
    unknown = [p for p in problems if p not in FINDINGS]
    if unknown:
        raise Refused(_l("A problem type is not valid"), "problems")
    problems = [key for key in FINDINGS if key in problems]  # registry order, no repeats
    notes = _text(notes, "notes", _l("With \"Other problem\" say in the notes what it is"), required="other" in problems)
    uploads = _evidence(actor, files, upload_ids)
    finding = CheckFinding(check_id=check.id, visited_on=visited_on, people_met=people_met,
                           problems=problems, notes=notes, recorded_by_id=actor.id)
    db.session.add(finding)
    db.session.flush()
    evidence = _attach(uploads, finding=finding)
    record("supervision.finding", check.draw, actor=actor, details={
        "check": check.id, "case": check.case_id, "visited_on": visited_on.isoformat(),
        "problems": problems, "evidence": evidence})
    if problems:
        open_rectification(check, problems, actor, today)
    db.session.refresh(check)
    return finding


def open_rectification(check: SpotCheck, problems: list[str], actor, today: date):
    """The township's 整改 of a check's problems, due in working days of its county."""
    from ..calendar.workdays import add_working_days
    from .models import Rectification

    township = check.draw.region
    due = add_working_days(today, _days("RECTIFICATION_DAYS", 20), township.county.id)
    row = Rectification(region_id=township.id, check_id=check.id, case_id=check.case_id,
                        problems=problems, opened_on=today, due_on=due, state="open")
    db.session.add(row)
    db.session.flush()
    record("supervision.rectification_open", row, actor=actor, details={
        "check": check.id, "case": check.case_id, "problems": problems,
        "due_on": due.isoformat()})
    return row


def _step(rect, kind: str, text: str, actor):
    from .models import RectificationStep

    step = RectificationStep(rectification_id=rect.id, kind=kind, text=text, actor_id=actor.id)
    db.session.add(step)
    db.session.flush()
    return step


def answer_rectification(rect, actor, *, text: str, files=(), upload_ids=()):
    """The township says what it did (with proof); the county then closes or returns it."""
    if rect.state not in ("open", "returned"):
        raise Refused(_l("This rectification is already answered or closed"), "")
    text = _text(text, "text", _l("Enter what was rectified"))
    uploads = _evidence(actor, files, upload_ids)
    step = _step(rect, "answer", text, actor)
    proof = _attach(uploads, step=step)
    rect.state = "answered"
    record("supervision.rectification_answer", rect, actor=actor,
           details={"step": step.id, "evidence": proof})
    return step


def decide_rectification(rect, actor, *, close: bool, text: str = ""):
    """The county closes an answered rectification, or returns it (with why) to be answered
    again; the deadline stays, so a returned one can still become overdue."""
    from ..periods import local_today

    if rect.state != "answered":
        raise Refused(_l("Only a rectification the township has answered can be reviewed"), "")
    text = _text(text, "text", _l("Say why it is returned"), required=not close)
    step = _step(rect, "close" if close else "return", text, actor)
    rect.state = "closed" if close else "returned"
    rect.closed_on = local_today() if close else None
    record("supervision.rectification_close" if close else "supervision.rectification_return",
           rect, actor=actor,
           details={"step": step.id, "text": text})
    return step


# --- complaints (举报) and hotline records -----------------------------------------------


def _complaint_target(actor, concerns, case_id, township_id, staff_user_id):
    """(township, case, staff user) the complaint concerns, looked up within the actor's
    county (anywhere for a public submission, whose actor is None)."""
    from ..regions.queries import get_scoped

    def find(model, object_id, path, message):
        if object_id is None:
            return None
        row = (db.session.get(model, object_id) if actor is None
               else get_scoped(model, object_id, actor))
        if row is None:
            raise Refused(message, path)
        return row

    case = find(Case, case_id, "case_id", _l("The case the complaint concerns does not exist"))
    staff = find(User, staff_user_id, "staff_user_id", _l("The staff member the complaint concerns does not exist"))
    town = find(Region, township_id, "township_id", _l("The township the complaint concerns does not exist"))
    if concerns == "case" and case is None:
        raise Refused(_l("Choose the household (case) the complaint concerns"), "case_id")
    if concerns == "staff":
        if staff is None:
            raise Refused(_l("Choose the township staff member complained about"), "staff_user_id")
        if staff.region.township is None:
            raise Refused(_l("The person complained about is not township staff"), "staff_user_id")
    if town is not None and town.level != RegionLevel.township:
        raise Refused(_l("Choose a township, not a county or village"), "township_id")
    town = town or (staff.region.township if concerns == "staff" and staff else None) or (
        case.region.township if case else None)
    if town is None:
        raise Refused(_l("Choose the township the complaint concerns"), "township_id")
    return town, case, staff


def record_complaint(actor, *, channel: str, concerns: str, content: str, case_id=None,
                     township_id=None, staff_user_id=None, complainant_name=None,
                     complainant_phone=None, received_on: date | None = None):
    """Record a complaint or hotline call (county staff), or a public online report (actor
    None). Due in ``JIUZHU_COMPLAINT_DAYS`` working days; the complainant's name and phone
    stay out of the audit trail and out of every township's sight."""
    from ..calendar.workdays import add_working_days
    from ..periods import local_today
    from .models import Complaint
    from .registry import CHANNELS, CONCERNS

    if channel not in CHANNELS:
        raise Refused(_l("The complaint's channel is not valid"), "channel")
    if concerns not in CONCERNS:
        raise Refused(_l("Choose what the complaint concerns"), "concerns")
    if actor is None and channel != "online":
        raise Refused(_l("An online complaint's channel must be online"), "channel")
    content = _text(content, "content", _l("Enter the complaint"))
    name = _text(complainant_name, "complainant_name", "", required=False, limit=100)
    phone = _text(complainant_phone, "complainant_phone", "", required=False, limit=40)
    town, case, staff = _complaint_target(actor, concerns, case_id, township_id, staff_user_id)
    today = local_today()
    received = received_on or today
    if received > today:
        raise Refused(_l("The day received cannot be later than today"), "received_on")
    county = town.county
    due = add_working_days(received, _days("COMPLAINT_DAYS", 15), county.id)
    reference = _reference(received)
    row = Complaint(region_id=county.id, reference=reference, channel=channel,
                    concerns=concerns, case_id=case.id if case else None, township_id=town.id,
                    staff_user_id=staff.id if staff else None, complainant_name=name,
                    complainant_phone=phone, content=content, received_on=received,
                    due_on=due, created_by_id=actor.id if actor else None)
    db.session.add(row)
    db.session.flush()
    record("supervision.complaint", row, actor=actor, actor_name=None if actor else "公众",
           region_id=county.id, details={
               "reference": reference, "channel": channel, "concerns": concerns,
               "case": row.case_id, "township": town.code, "staff": row.staff_user_id,
               "anonymous": not (name or phone), "due_on": due.isoformat()})
    return row


def _reference(received: date) -> str:
    """JB + date + 8 random hex digits: the number a complainant quotes, hard to guess."""
    from .models import Complaint

    while True:
        reference = f"JB{received:%Y%m%d}{secrets.token_hex(4).upper()}"
        if db.session.scalar(select(Complaint.id).where(Complaint.reference == reference)) is None:
            return reference


def county_staff(county: Region) -> list[User]:
    """Who may handle a complaint: the county's active administrators and supervisors."""
    return list(db.session.scalars(select(User).where(
        User.region_id == county.id, User.role.in_((Role.county_admin, Role.county_supervisor)),
        User.is_active_user.is_(True)).order_by(User.id)))


def assign_complaint(complaint, handler_id: int | None, actor):
    """Give the complaint to a county staff member to check (audited)."""
    if complaint.answered_on is not None:
        raise Refused(_l("This complaint is already answered and closed"), "")
    chosen = next((u for u in county_staff(complaint.region) if u.id == handler_id), None)
    if chosen is None:
        raise Refused(_l("Choose a handler of this county"), "handler_id")
    before = complaint.handler_id
    complaint.handler_id = chosen.id
    record("supervision.complaint_assign", complaint, actor=actor,
           details={"from": before, "to": chosen.id})
    return complaint


def answer_complaint(complaint, actor, *, findings: str, outcome: str, reply: str):
    """Close the complaint with what the check found, whether it was substantiated and the
    reply to the complainant (once; the reply is what the public status shows)."""
    from ..periods import local_today
    from .registry import OUTCOMES

    if complaint.answered_on is not None:
        raise Refused(_l("This complaint is already answered and closed"), "")
    findings = _text(findings, "findings", _l("Enter what the check found"))
    if outcome not in OUTCOMES:
        raise Refused(_l("Choose whether it was substantiated"), "outcome")
    reply = _text(reply, "reply", _l("Enter the reply to the complainant"))
    complaint.findings, complaint.outcome, complaint.reply = findings, outcome, reply
    complaint.answered_on = local_today()
    if complaint.handler_id is None:
        complaint.handler_id = actor.id
    record("supervision.complaint_answer", complaint, actor=actor, details={
        "outcome": outcome, "answered_on": complaint.answered_on.isoformat(),
        "late": complaint.answered_on > complaint.due_on})
    return complaint
