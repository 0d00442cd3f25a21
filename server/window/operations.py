"""Writes of the one window, each audited: departments, requests, referral, result, feedback,
satisfaction. The due dates come from the working-day calendar of the township's county."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.operations import record
from ..calendar.workdays import add_working_days
from ..db import db, lock_for_write
from ..periods import local_today
from ..regions.models import Region, RegionLevel
from .labels import MATTERS, SATISFACTION
from .models import WindowDepartment, WindowRequest

REFERRAL_DAYS = 2  # 服务窗口在2个工作日内办理转办手续 (Jiangyin seed)
FEEDBACK_DAYS = 2  # 办结完成2日内将处理结果反馈救助申请人 (counted in working days)


class WindowError(ValueError):
    """A refused window write; ``field`` names the input at fault, the message is a lazy
    msgid (read in the language of whoever is shown it)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _day(on: date | None, not_before: date | None, field: str) -> date:
    on = on or local_today()
    if on > local_today():
        raise WindowError(_l("The date cannot be later than today"), field)
    if not_before and on < not_before:
        raise WindowError(_l("The date cannot be earlier than %(day)s", day=not_before.isoformat()), field)
    return on


def _county_id(request: WindowRequest) -> int:
    return request.region.county.id


def add_department(county: Region, name: str, matters: str, actor) -> WindowDepartment:
    name = (name or "").strip()[:100]
    if not name:
        raise WindowError(_l("Enter the department's name"), "name")
    exists = db.session.scalar(select(WindowDepartment.id).where(
        WindowDepartment.region_id == county.id, WindowDepartment.name == name))
    if exists:
        raise WindowError(_l("The department \"%(name)s\" already exists", name=name), "name")
    department = WindowDepartment(region=county, name=name, matters=(matters or "").strip()[:200])
    db.session.add(department)
    db.session.flush()
    record("window.department_add", department, actor=actor, details={"after": {"name": name}})
    return department


def set_department_active(department: WindowDepartment, is_active: bool, actor) -> None:
    department.is_active = is_active
    record("window.department_active", department, actor=actor,
           details={"after": {"is_active": is_active}})


def register_request(township: Region, applicant_name: str, matter: str, actor, *,
                     phone: str = "", description: str = "",
                     received_on: date | None = None) -> WindowRequest:
    """Register a request at the township window; the referral clock starts."""
    if township.level != RegionLevel.township:
        raise WindowError(_l("Only a township window registers requests"), "township")
    if not (applicant_name or "").strip():
        raise WindowError(_l("Enter the applicant's name"), "applicant_name")
    if matter not in MATTERS:
        raise WindowError(_l("Choose the kind of matter"), "matter")
    received_on = _day(received_on, None, "received_on")
    lock_for_write()
    count = db.session.scalar(select(func.count(WindowRequest.id)).where(
        WindowRequest.region_id == township.id)) or 0
    request = WindowRequest(
        region=township, number=f"CK{township.code[:9]}{received_on:%Y}{count + 1:05d}",
        applicant_name=applicant_name.strip()[:50], phone=(phone or "").strip()[:40],
        matter=matter, description=(description or "").strip()[:2000], received_on=received_on,
        referral_due_on=add_working_days(received_on, REFERRAL_DAYS, township.county.id),
        created_by_id=getattr(actor, "id", None))
    db.session.add(request)
    db.session.flush()
    record("window.register", request, actor=actor,
           details={"after": {"number": request.number, "matter": matter}})
    return request


def refer(request: WindowRequest, department: WindowDepartment, actor,
          on: date | None = None) -> None:
    """The referral leaves for the department (转办)."""
    if request.referred_on:
        raise WindowError(_l("This matter is already referred"), "department")
    if department is None or not department.is_active or \
            department.region_id != request.region.county.id:
        raise WindowError(_l("Choose a department of this county"), "department")
    request.department, request.referred_on = department, _day(on, request.received_on, "on")
    record("window.refer", request, actor=actor,
           details={"after": {"department": department.name,
                              "referred_on": request.referred_on.isoformat()}})


def record_result(request: WindowRequest, result: str, actor, on: date | None = None) -> None:
    """The department finished; the feedback clock starts."""
    if not request.referred_on:
        raise WindowError(_l("Not referred yet: the department's result cannot be recorded"), "result")
    if request.completed_on:
        raise WindowError(_l("The result is already recorded"), "result")
    if not (result or "").strip():
        raise WindowError(_l("Enter the department's result"), "result")
    request.completed_on = _day(on, request.referred_on, "on")
    request.result = result.strip()[:2000]
    request.feedback_due_on = add_working_days(request.completed_on, FEEDBACK_DAYS,
                                               _county_id(request))
    record("window.result", request, actor=actor,
           details={"after": {"completed_on": request.completed_on.isoformat()}})


def record_feedback(request: WindowRequest, actor, on: date | None = None) -> None:
    """The result reached the applicant (反馈申请人)."""
    if not request.completed_on:
        raise WindowError(_l("The department has not finished: the feedback cannot be recorded"), "on")
    if request.fed_back_on:
        raise WindowError(_l("The applicant already had the feedback"), "on")
    request.fed_back_on = _day(on, request.completed_on, "on")
    record("window.feedback", request, actor=actor,
           details={"after": {"fed_back_on": request.fed_back_on.isoformat()}})


def record_satisfaction(request: WindowRequest, answer: str, actor,
                        on: date | None = None) -> None:
    """The applicant's satisfaction with the result (群众满意度)."""
    if answer not in SATISFACTION:
        raise WindowError(_l("Choose the satisfaction"), "satisfaction")
    if not request.fed_back_on:
        raise WindowError(_l("Satisfaction is recorded after the feedback to the applicant"), "satisfaction")
    before = request.satisfaction
    request.satisfaction, request.satisfaction_on = answer, _day(on, request.fed_back_on, "on")
    record("window.satisfaction", request, actor=actor,
           details={"before": {"satisfaction": before}, "after": {"satisfaction": answer}})
