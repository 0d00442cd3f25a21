"""Writes for filings: build, reconcile, explain, submit, reopen, review, settings, reminders."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.operations import record
from ..audit.queries import chain_head
from ..db import db, utcnow
from ..extensions import data_dir
from ..faults import UserFacing
from ..jobs import UNFINISHED, stored_messages
from ..money import fen_text
from ..regions.models import Region, RegionLevel
from . import exports, roster, stats
from .models import Filing, FilingDifference, FilingSettings, FilingStatus, Reminder
from .periods import label


class FilingError(UserFacing):
    """A refusal with a message meant for the user."""


LOCKED = _l("This month's filing is submitted and locked; to change it, have it reopened first")
stored_messages(LOCKED)  # a build that finds the month locked says so on the filing's row


def _chain_note() -> tuple[dict | None, tuple[str, ...]]:
    """The audit chain head as recorded and as printed on the filing ("审计链头: #id hash")."""
    head = chain_head()
    if head is None:
        return None, ()
    return {"id": head[0], "hash": head[1]}, (f"审计链头: #{head[0]} {head[1][:16]}",)


def filing_for(township: Region, month: date) -> Filing:
    """The township's filing of the month, created as a draft on first use."""
    if township.level != RegionLevel.township:
        raise FilingError(_l("Filings are made per township (subdistrict)"))
    row = db.session.scalars(select(Filing).where(Filing.region_id == township.id,
                                                  Filing.month == month)).first()
    if row is None:
        row = Filing(region_id=township.id, region=township, month=month,
                     status=FilingStatus.draft, stats={}, files={}, check_failures=[])
        db.session.add(row)
        db.session.flush()
    return row


def prepare_build(township: Region, month: date) -> Filing:
    """The filing to build, marked queued (the caller commits, then ``tasks.enqueue_build``);
    a locked month is refused."""
    from flask_babel import gettext as _

    filing = filing_for(township, month)
    if filing.is_locked:
        raise FilingError(_("This month is locked; reopen it first."))
    if filing.build_status in UNFINISHED:  # a double click builds once
        raise FilingError(_("This filing is being built; wait until it is done."))
    filing.build_status, filing.build_error = "queued", ""
    return filing


def _editable(filing: Filing) -> None:
    if filing.is_locked:
        raise FilingError(LOCKED)


def _folder(code: str, month: date) -> Path:
    return data_dir() / "filings" / code / f"{month:%Y-%m}"


def _title(region: Region, month: date, what: str) -> str:
    return f"{region.full_name} {label(month)} {what}"


def build(filing: Filing, computed: dict | None = None, rows=None, actor=None) -> Filing:
    """Compute the table, stream the roster into its file, run the checks, write XLSX/DOCX.

    ``computed``/``rows``: this township's part of the county-wide figures and roster stream
    (batch builds; ``rows`` an iterable of roster tuples).
    """
    _editable(filing)
    township, month = filing.region, filing.month
    figures = computed if computed is not None else stats.compute(township.prefix, month)[township.prefix]
    folder = _folder(township.code, month)
    count, total = exports.write_roster_xlsx(folder / "roster.xlsx",
                                             _title(township, month, "发放花名册"),
                                             roster.stream_rows(township.prefix, month)
                                             if rows is None else rows)
    problems = stats.check(figures)
    due = (figures["types"]["DB"]["total"]["amount_fen"]
           + figures["types"]["TK"]["total"]["amount_fen"] + figures["ls"]["total"]["amount_fen"])
    if due != total:
        problems.append(f"花名册合计 {fen_text(total)} 元与统计表发放金额 {fen_text(due)} 元不符")
    title = _title(township, month, "城乡低保、特困供养资金和临时救助发放统计表")
    parts = exports.sections(figures)
    head, notes = _chain_note()
    exports.write_xlsx(folder / "statistics.xlsx", title, parts, notes)
    exports.write_docx(folder / "statistics.docx", title, parts, notes)
    rel = folder.relative_to(data_dir())
    filing.stats = figures
    filing.check_failures = problems
    filing.roster_count, filing.roster_total_fen = count, total
    filing.files = {"statistics_xlsx": str(rel / "statistics.xlsx"),
                    "statistics_docx": str(rel / "statistics.docx"),
                    "roster_xlsx": str(rel / "roster.xlsx")}
    filing.built_at = utcnow()
    filing.build_status, filing.build_error = "done", ""
    record("filing.build", filing, details={"month": f"{month:%Y-%m}", "problems": len(problems),
                                            "chain_head": head}, actor=actor)
    return filing


def build_county(county: Region, month: date, actor=None) -> dict:
    """Every township's filing of the month (the figures of all in one pass, the rosters of
    all streamed from one scan, township by township) plus the consolidation file."""
    per_township = stats.compute(county.prefix, month)
    rosters = roster.stream_by_township(county.prefix, month)
    pending = next(rosters, None)
    townships = db.session.scalars(select(Region).where(
        Region.level == RegionLevel.township,
        Region.code.startswith(county.prefix, autoescape=True)).order_by(Region.code)).all()
    built = []
    for township in townships:
        while pending is not None and pending[0] < township.prefix:
            pending = next(rosters, None)  # rows outside any township
        rows = ()
        if pending is not None and pending[0] == township.prefix:
            rows, pending = pending[1], None
        filing = filing_for(township, month)
        if not filing.is_locked:
            build(filing, per_township.get(township.prefix), rows, actor=actor)
            built.append(township.code)
        if pending is None:  # this township's rows are consumed (or skipped): the next one
            pending = next(rosters, None)
    path = write_consolidation(county, month, per_township,
                               {t.prefix: t.name for t in townships})
    return {"built": built, "consolidation": str(path.relative_to(data_dir()))}


def write_consolidation(county: Region, month: date, per_township: dict, names: dict) -> Path:
    parts = [exports.township_section(per_township, names),
             *exports.sections(stats.consolidate(per_township))]
    path = _folder(county.code, month) / "consolidated.xlsx"
    exports.write_xlsx(path, _title(county, month, "汇总表"), parts, _chain_note()[1])
    return path


def reconcile(filing: Filing, filename: str, data: bytes, actor=None) -> list[FilingDifference]:
    """Compare the bank's roster with Jiuzhu's; the differences replace earlier ones.

    A difference explained before keeps its note when it shows up again unchanged.
    """
    _editable(filing)
    actual = roster.parse_bank_roster(filename, data)
    expected = roster.expected_rows(filing.region, filing.month)
    notes = {(d.kind, d.id_number, d.expected, d.actual): (d.note, d.explained_by_id, d.explained_at)
             for d in filing.differences if d.is_explained}
    filing.differences.clear()
    db.session.flush()
    for diff in roster.differences(expected, actual):
        row = FilingDifference(kind=diff["kind"], id_number=diff["id_number"][:18],
                               name=diff["name"][:100], expected=diff["expected"][:100],
                               actual=diff["actual"][:100])
        note = notes.get((row.kind, row.id_number, row.expected, row.actual))
        if note:
            row.note, row.explained_by_id, row.explained_at = note
        filing.differences.append(row)
    filing.bank_roster_name = filename[:200]
    filing.reconciled_at = utcnow()
    db.session.flush()
    record("filing.reconcile", filing, details={"file": filename, "rows": len(actual),
                                                "differences": len(filing.differences)},
           actor=actor)
    return filing.differences


def explain(difference: FilingDifference, note: str, actor=None) -> None:
    _editable(difference.filing)
    note = (note or "").strip()
    if not note:
        raise FilingError(_l("Please write an explanation"))
    difference.note = note
    difference.explained_by_id = actor.id if actor is not None else None
    difference.explained_at = utcnow()
    record("filing.explain", difference.filing, details={"difference": difference.id, "note": note},
           actor=actor)


def submit(filing: Filing, actor=None) -> None:
    """File the month with the county: checks pass, roster reconciled, differences explained."""
    _editable(filing)
    if filing.built_at is None:
        raise FilingError(_l("Build this month's table and roster first"))
    if filing.check_failures:
        raise FilingError(_l("The table's own checks failed: %(problems)s",
                              problems="；".join(filing.check_failures[:3])))
    if filing.reconciled_at is None:
        raise FilingError(_l("Upload the bank's (payment system's) roster to reconcile first"))
    if filing.unexplained:
        raise FilingError(_l("%(count)s differences are not explained yet; the filing cannot "
                              "be submitted", count=len(filing.unexplained)))
    filing.status = FilingStatus.submitted
    filing.submitted_at, filing.submitted_by_id = utcnow(), actor.id if actor else None
    filing.review_comment = ""
    for reminder in db.session.scalars(select(Reminder).where(
            Reminder.region_id == filing.region_id, Reminder.month == filing.month)):
        reminder.is_resolved = True
    record("filing.submit", filing, details={"month": f"{filing.month:%Y-%m}"}, actor=actor)


def reopen(filing: Filing, reason: str, actor=None) -> None:
    """Unlock a submitted or accepted month for a correction; the reason is audited."""
    if not filing.is_locked:
        raise FilingError(_l("This filing is not locked"))
    reason = (reason or "").strip()
    if not reason:
        raise FilingError(_l("Reopening needs a reason"))
    previous = filing.status.value
    filing.status = FilingStatus.draft
    filing.reopen_count += 1
    record("filing.reopen", filing, details={"reason": reason, "from": previous}, actor=actor)


def review(filing: Filing, accept: bool, comment: str, actor=None) -> None:
    """The county accepts a submitted filing or returns it with a comment."""
    if filing.status != FilingStatus.submitted:
        raise FilingError(_l("Only a submitted filing can be reviewed"))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise FilingError(_l("Write a comment when returning a filing"))
    filing.status = FilingStatus.accepted if accept else FilingStatus.returned
    filing.review_comment = comment
    filing.reviewed_at, filing.reviewed_by_id = utcnow(), actor.id if actor else None
    record("filing.accept" if accept else "filing.return", filing,
           details={"comment": comment}, actor=actor)


def settings_for(county: Region) -> FilingSettings:
    row = db.session.scalars(select(FilingSettings).where(FilingSettings.county_id == county.id)).first()
    return row or FilingSettings(county_id=county.id, adjust_day=15, filing_day=20, remind_days=3)


def set_settings(county: Region, adjust_day: int, filing_day: int, remind_days: int,
                 actor=None) -> FilingSettings:
    if not (1 <= adjust_day <= filing_day <= 28) or not (0 <= remind_days <= 10):
        raise FilingError(_l("Days must be between 1 and 28, the adjustment deadline no later "
                              "than the filing deadline; reminders 0 to 10 days ahead"))
    row = settings_for(county)
    row.adjust_day, row.filing_day, row.remind_days = adjust_day, filing_day, remind_days
    db.session.add(row)
    record("filing.settings", row, details={"adjust_day": adjust_day, "filing_day": filing_day,
                                            "remind_days": remind_days},
           actor=actor, region_id=county.id)
    return row


def add_reminder(township: Region, kind: str, month: date, due_on: date, message: str) -> bool:
    """Add a reminder once per township, kind and month; True when it is new."""
    exists = db.session.scalar(select(Reminder.id).where(
        Reminder.region_id == township.id, Reminder.kind == kind, Reminder.month == month))
    if exists:
        return False
    db.session.add(Reminder(region_id=township.id, kind=kind, month=month, due_on=due_on,
                            message=message))
    return True
