"""Chinese labels of the window's matters, states and satisfaction answers."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MATTERS = {
    "assistance": _l("Social assistance (Jiuzhu case)"),
    "education": _l("Education aid"),
    "housing": _l("Housing aid"),
    "medical": _l("Medical aid"),
    "employment": _l("Employment aid"),
    "disaster": _l("Disaster relief"),
    "charity": _l("Charity referral"),
    "other": _l("Other"),
}
SATISFACTION = {"satisfied": _l("Satisfied"), "neutral": _l("Neutral"),
                "dissatisfied": _l("Dissatisfied")}
STATES = {"received": _l("Waiting for referral"), "referred": _l("With the department"),
          "completed": _l("Result to be given to the applicant"), "closed": _l("Closed")}


def state_of(request) -> str:
    if request.fed_back_on:
        return "closed"
    if request.completed_on:
        return "completed"
    if request.referred_on:
        return "referred"
    return "received"


def _audit_labels() -> None:
    """How the audit trail names the window's actions and objects."""
    from ..audit import labels
    from .models import WindowDepartment, WindowRequest

    labels.actions({
        "window.department_add": _l("Department added"),
        "window.department_active": _l("Department switched on or off"),
        "window.register": _l("Request registered at the window"),
        "window.refer": _l("Request referred to a department"),
        "window.result": _l("Department's result recorded"),
        "window.feedback": _l("Result given to the applicant"),
        "window.satisfaction": _l("Satisfaction recorded"),
    })
    labels.objects(
        WindowDepartment=labels.ObjectKind(_l("Department"), labels.named(WindowDepartment, "name")),
        WindowRequest=labels.ObjectKind(_l("Window request"),
                                        labels.named(WindowRequest, "applicant_name")),
    )


_audit_labels()
