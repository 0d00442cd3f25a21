"""Sample objects for URL parameters, used by the access walk (test_access.py).

Each entry maps a URL parameter name to a function that returns an id of such an object
belonging to the given region (creating one if needed).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.auth.models import User
from server.auth.operations import create_user
from server.auth.roles import ROLE_LEVELS, Role
from server.db import db
from server.regions.models import Region


def _region_id(region):
    return region.id


def _user_id(region):
    """A user of its own in the region: routes that disable or reset a user (the fuzz walk
    posts to them) must not lock out the demo users the other tests log in as."""
    user = db.session.scalars(select(User).where(User.username == f"sample{region.code}")).first()
    if user is None:
        role = next(r for r in Role if ROLE_LEVELS[r] == region.level)
        user = create_user(f"sample{region.code}", "样例用户", "sample-pass-1", role, region)
        db.session.commit()
    return user.id


def _holiday_id(region):
    """A day in the holiday table of the region's county (the table is county-wide)."""
    from datetime import date

    from server.calendar.models import Holiday, HolidayKind

    county = region.county
    row = db.session.scalars(select(Holiday).where(Holiday.region_id == county.id)).first()
    if row is None:
        row = Holiday(region=county, day=date(2030, 5, 1), kind=HolidayKind.holiday, name="样例")
        db.session.add(row)
        db.session.commit()
    return row.id


def _case_id(region):
    """A decided case in a village under the region (created if the region has none)."""
    from datetime import datetime

    from server.cases.models import Case
    from server.regions.models import Region, RegionLevel
    from server.regions.queries import scoped

    from .archives.factories import make_case

    user = db.session.scalars(select(User).where(User.id == _user_id(region))).one()
    row = db.session.scalars(scoped(Case, user).order_by(Case.id)).first()
    if row is None:
        village = region if region.level == RegionLevel.village else db.session.scalars(
            select(Region).where(Region.parent_id == region.id).order_by(Region.code)).first()
        row = make_case(village.code, decided_at=datetime(2026, 3, 10, 2))
        db.session.commit()
    return row.id


def _archive_job_id(region):
    from server.archives.models import ArchiveJob
    from server.archives.operations import create_job
    from server.cases.models import Case

    case = db.session.get(Case, _case_id(region))
    # one job per case: a second start is refused while the first is queued
    job = db.session.scalars(select(ArchiveJob).where(ArchiveJob.case_id == case.id)).first()
    if job is None:
        job = create_job(region_id=case.region_id, case=case)
        db.session.commit()
    return job.id


def _relative_id(region):
    """An entry of the relatives register kept by the region."""
    from datetime import date

    from server.cases.operations import add_relative
    from server.demo import demo_user
    from server.idnumber import make

    entry = add_relative(region, make("220999", date(1970, 1, 1), region.id % 1000), "样例亲属",
                         "配偶", demo_user("admin"), cadre_name="村主任 样例")
    db.session.commit()
    return entry.id


def _dishonesty_id(region):
    """An entry of the dishonesty list kept by the region."""
    from datetime import date

    from server.cases.operations import add_dishonesty
    from server.demo import demo_user
    from server.idnumber import make

    entry = add_dishonesty(region, make("220999", date(1971, 1, 1), region.id % 1000), "样例户",
                           "隐瞒收入", demo_user("admin"))
    db.session.commit()
    return entry.id


def _warning_id(region):
    """A first occurrence of 失信 behaviour recorded by the region."""
    from datetime import date

    from server.cases.operations import warn_dishonesty
    from server.demo import demo_user
    from server.idnumber import make

    warning = warn_dishonesty(region, make("220999", date(1972, 2, 2), region.id % 1000),
                              "样例户", "hidden_income", "隐瞒收入", demo_user("admin"))
    db.session.commit()
    return warning.id


def _other_county():
    """A second county beside the demo's (county-wide objects of another county are 404s)."""
    from server.regions.models import Region, RegionLevel

    county = db.session.scalars(select(Region).where(Region.code == "220998000000")).first()
    if county is None:
        county = Region(code="220998000000", name="样例邻县", level=RegionLevel.county)
        db.session.add(county)
        db.session.flush()
    return county


def _item_code(region):
    """An unpublished relief item of another county (a county sees only its own)."""
    from server.items.models import ReliefItem

    if db.session.get(ReliefItem, "YL") is None:
        db.session.add(ReliefItem(code="YL", position=50, name="样例邻县项目", short_name="邻县",
                                  unit="household", family="monthly", is_paid=True,
                                  settings={}, county_id=_other_county().id))
        db.session.commit()
    return "YL"


def _other_county_version(number: int) -> int:
    """A published form version of a second county: versions are county-wide (every township
    of the county reads them), so only another county's version must be a 404."""
    from server.schemas.models import SchemaStatus, SchemaVersion

    county = _other_county()
    version = db.session.scalars(select(SchemaVersion).where(
        SchemaVersion.county_id == county.id, SchemaVersion.number == number)).first()
    if version is None:
        version = SchemaVersion(county_id=county.id, relief_type="DB", number=number,
                                status=SchemaStatus.published, source="{}", definition={
                                    "format": 1, "relief_type": "DB", "title": "样例",
                                    "fields": [{"name": "x", "type": "text", "label": "样例"}]})
        db.session.add(version)
        db.session.commit()
    return version.id


def _version_id(region):
    return _other_county_version(1)


def _other_version_id(region):
    return _other_county_version(2)


def _draft_id(region):
    """An intake draft started in the region (drafts are region-scoped)."""
    from server.intake.models import IntakeDraft

    row = db.session.scalars(select(IntakeDraft).where(IntakeDraft.region_id == region.id)).first()
    if row is None:
        row = IntakeDraft(region_id=region.id, relief_type="DB",
                          schema_version_id=_other_county_version(1), answers={})
        db.session.add(row)
        db.session.commit()
    return row.id


def _filing_id(region):
    """A draft filing of the region's township for March 2026."""
    from datetime import date

    from server.filings.operations import filing_for
    from server.regions.models import Region, RegionLevel

    township = region.township or db.session.scalars(select(Region).where(
        Region.parent_id == region.id, Region.level == RegionLevel.township)
        .order_by(Region.code)).first()  # a county's: its first township's
    filing = filing_for(township, date(2026, 3, 1))
    db.session.commit()
    return filing.id


def _difference_id(region):
    from server.filings.models import Filing, FilingDifference

    filing = db.session.get(Filing, _filing_id(region))
    row = FilingDifference(filing=filing, kind="missing", id_number="", name="样例")
    db.session.add(row)
    db.session.commit()
    return row.id


def _document_id(region):
    """A generated document of a case in the region (the row only: the walk never opens it)."""
    from server.cases.models import Case
    from server.documents.models import GeneratedDocument

    case = db.session.get(Case, _case_id(region))
    row = GeneratedDocument(case_id=case.id, region_id=case.region_id, kind="application",
                            title="社会救助申请书", template_sha256="0" * 64, sha256="0" * 64,
                            path="documents/none.docx")
    db.session.add(row)
    db.session.commit()
    return row.id


def _print_job_id(region):
    from server.cases.models import Case
    from server.documents.models import PrintJob

    case = db.session.get(Case, _case_id(region))
    row = PrintJob(case_id=case.id, region_id=case.region_id, step="acceptance",
                   kinds=["acceptance_slip"])
    db.session.add(row)
    db.session.commit()
    return row.id


def _kind(region):
    """Document kinds are names, the same in every region (templates are per county)."""
    return "acceptance_slip"


def _draw_id(region):
    """A spot-check draw of the region's township for March 2026, with one check."""
    from datetime import date

    from server.supervision.models import SpotCheck, SpotCheckDraw

    township = region.township or region
    row = db.session.scalars(select(SpotCheckDraw).where(SpotCheckDraw.region_id == township.id)
                             ).first()
    if row is None:
        row = SpotCheckDraw(region=township, month=date(2026, 3, 1), seed="1", rate_percent=30,
                            population=[], drawn=[], must_visit={})
        row.checks.append(SpotCheck(case_id=_case_id(region), sources=["random"]))
        db.session.add(row)
        db.session.commit()
    return row.id


def _check_id(region):
    from server.supervision.models import SpotCheckDraw

    return db.session.get(SpotCheckDraw, _draw_id(region)).checks[0].id


def _item_id(region):
    """A ledger row of the region's township (the demo grants every township every type)."""
    from server.delegation.models import DelegatedItem

    township = region.township or region
    row = db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == township.id)).first()
    if row is None:
        row = DelegatedItem(region=township, relief_type="DB", starts_on=date(2020, 1, 1))
        db.session.add(row)
        db.session.commit()
    return row.id


def _review_id(region):
    """A 复核 review of a case of the region's township (opened, not decided)."""
    from server.cases.models import Case
    from server.supervision.models import Review

    township = region.township or region
    row = db.session.scalars(select(Review).where(Review.region_id == township.id)).first()
    if row is None:
        case = db.session.get(Case, _case_id(region))
        row = Review(region=case.region.township, case=case, source="register")
        db.session.add(row)
        db.session.commit()
    return row.id


def _request_id(region):
    """A window request registered at the region's township."""
    from server.window.models import WindowRequest

    township = region.township or region
    row = db.session.scalars(select(WindowRequest).where(
        WindowRequest.region_id == township.id)).first()
    if row is None:
        row = WindowRequest(region=township, number=f"CK-sample-{township.code}",
                            applicant_name="样例", matter="other", received_on=date(2026, 3, 2),
                            referral_due_on=date(2026, 3, 4))
        db.session.add(row)
        db.session.commit()
    return row.id


def _department_id(region):
    """A window department of the region's county (departments are county-wide)."""
    from server.window.models import WindowDepartment

    county = region.county
    if county.code == "220999000000":  # the walk's regions share the demo county: use another
        county = db.session.get(Region, _other_county_id())
    row = db.session.scalars(select(WindowDepartment).where(
        WindowDepartment.region_id == county.id)).first()
    if row is None:
        row = WindowDepartment(region=county, name="样例部门")
        db.session.add(row)
        db.session.commit()
    return row.id


def _other_county_id():
    from server.regions.models import RegionLevel

    county = db.session.scalars(select(Region).where(Region.code == "220998000000")).first()
    if county is None:
        county = Region(code="220998000000", name="样例邻县", level=RegionLevel.county)
        db.session.add(county)
        db.session.commit()
    return county.id


def _step(region):
    """Window steps are names, the same in every region."""
    return "refer"


def _import_id(region):
    """A roll import (check) of the region: imports are the county's, kept per region."""
    from server.roll.models import RollImport

    row = RollImport(region_id=region.id, filename="样例.xlsx", sha256="0" * 64,
                     path="roll/none.xlsx", status="done")
    db.session.add(row)
    db.session.commit()
    return row.id


def _rectification_id(region):
    """A rectification of the region's township, opened on its sample check."""
    from datetime import date

    from server.supervision.models import Rectification, SpotCheck

    check = db.session.get(SpotCheck, _check_id(region))
    row = db.session.scalars(select(Rectification).where(Rectification.check_id == check.id)
                             ).first()
    if row is None:
        row = Rectification(region_id=check.draw.region_id, check_id=check.id,
                            case_id=check.case_id, problems=["wrong_amount"],
                            opened_on=date(2026, 3, 20), due_on=date(2026, 4, 17))
        db.session.add(row)
        db.session.commit()
    return row.id


def _evidence_id(region):
    """A proof file of the region's sample rectification, uploaded by the township."""
    from server.intake.models import Upload
    from server.supervision.models import Evidence, Rectification, RectificationStep

    rect = db.session.get(Rectification, _rectification_id(region))
    row = db.session.scalars(select(Evidence).join(RectificationStep).where(
        RectificationStep.rectification_id == rect.id)).first()
    if row is None:
        import hashlib

        from server.extensions import data_dir
        from server.faults import atomic_write
        from server.schemas.fields import stored_name

        data = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
        upload = Upload(sha256=hashlib.sha256(data).hexdigest(), size=len(data), kind="png",
                        content_type="image/png", region_id=rect.region_id, name="样例.png")
        atomic_write(data_dir() / stored_name(upload.describe()), data)
        step = RectificationStep(rectification_id=rect.id, kind="answer", text="样例")
        db.session.add_all([step, upload])
        db.session.flush()
        row = Evidence(upload_id=upload.id, step_id=step.id)
        db.session.add(row)
        db.session.commit()
    return row.id


def _complaint_id(region):
    """A complaint about the region's township (kept by its county)."""
    from server.regions.models import Region, RegionLevel
    from server.supervision.models import Complaint
    from server.supervision.operations import record_complaint

    township = region.township or db.session.scalars(select(Region).where(
        Region.code.startswith(region.prefix), Region.level == RegionLevel.township)
        .order_by(Region.code)).first()
    row = db.session.scalars(select(Complaint).where(Complaint.township_id == township.id)
                             ).first()
    if row is None:
        row = record_complaint(None, channel="online", concerns="township", content="样例举报",
                               township_id=township.id)
        db.session.commit()
    return row.id


def _file_key(region):
    """A filing's file names are the same in every region."""
    return "statistics_xlsx"


def _notice_id(region):
    """A posted notice of the case's village (the notices room)."""
    from server.cases.models import Case
    from server.notices.models import PostedNotice

    case = db.session.get(Case, _case_id(region))
    row = db.session.scalars(select(PostedNotice).where(
        PostedNotice.region_id == case.region_id)).first()
    if row is None:
        row = PostedNotice(region_id=case.region_id, kind="publicity_notice",
                           token=f"sample{case.region_id:010d}", fingerprint=f"{case.id}",
                           snapshot={}, case_ids=[case.id])
        db.session.add(row)
        db.session.commit()
    return row.id


def _submission_id(region):
    """Something the public sent about the region's case (an objection)."""
    from server.notices.models import PostedNotice, PublicSubmission

    notice = db.session.get(PostedNotice, _notice_id(region))
    row = db.session.scalars(select(PublicSubmission).where(
        PublicSubmission.notice_id == notice.id)).first()
    if row is None:
        row = PublicSubmission(kind="objection", receipt=f"SAMP-LE{notice.id:04d}",
                               region_id=notice.region_id, notice_id=notice.id,
                               case_id=notice.case_ids[0], text="样例")
        db.session.add(row)
        db.session.commit()
    return row.id


def _token(region):
    """Public notice pages take a token, not an object of a region: an unknown one (404)."""
    return "unknown-token-00"


SAMPLES = {
    "code": _item_code,
    "file_key": _file_key,
    "item_id": _item_id,
    "request_id": _request_id,
    "department_id": _department_id,
    "step": _step,
    "import_id": _import_id,
    "document_id": _document_id,
    "print_job_id": _print_job_id,
    "kind": _kind,
    "region_id": _region_id,
    "user_id": _user_id,
    "relative_id": _relative_id,
    "dishonesty_id": _dishonesty_id,
    "warning_id": _warning_id,
    "holiday_id": _holiday_id,
    "case_id": _case_id,
    "job_id": _archive_job_id,
    "version_id": _version_id,
    "other_id": _other_version_id,
    "draft_id": _draft_id,
    "filing_id": _filing_id,
    "difference_id": _difference_id,
    "draw_id": _draw_id,
    "check_id": _check_id,
    "review_id": _review_id,
    "rectification_id": _rectification_id,
    "evidence_id": _evidence_id,
    "complaint_id": _complaint_id,
    "notice_id": _notice_id,
    "submission_id": _submission_id,
    "token": _token,
}
