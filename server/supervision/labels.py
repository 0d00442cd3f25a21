"""How the audit trail names the supervision room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .evaluation_models import CloseSupervisionMark
from .models import Complaint, Meeting, ReserveEntry, SpotCheckDraw

labels.actions({
    "supervision.draw": _l("Spot checks drawn"),
    "supervision.assign": _l("Spot check assigned"),
    "supervision.evaluation_setting": _l("Evaluation weights changed"),
    "supervision.close_supervision": _l("Township marked for close supervision next year"),
    "supervision.review_open": _l("County review opened"),
    "supervision.review_decide": _l("County review decided"),
    "supervision.meeting": _l("Township consultation meeting recorded"),
    "supervision.reserve_top_up": _l("Reserve fund topped up by the county"),
    "supervision.reserve_draw": _l("Emergency aid paid from the reserve fund"),
    "supervision.funding_plan": _l("Funding plan exported"),
    "supervision.finding": _l("Spot-check finding recorded"),
    "supervision.rectification_open": _l("Rectification opened"),
    "supervision.rectification_answer": _l("Township answered the rectification"),
    "supervision.rectification_close": _l("Rectification closed"),
    "supervision.rectification_return": _l("Rectification returned to the township"),
    "supervision.complaint": _l("Complaint recorded"),
    "supervision.complaint_assign": _l("Complaint assigned to a handler"),
    "supervision.complaint_answer": _l("Complaint answered"),
})
labels.objects(
    SpotCheckDraw=labels.ObjectKind(_l("Spot-check draw"), labels.named(SpotCheckDraw, "month")),
    EvaluationSetting=labels.ObjectKind(_l("Evaluation settings")),
    Review=labels.ObjectKind(_l("County review")),
    Rectification=labels.ObjectKind(_l("Rectification")),
    Complaint=labels.ObjectKind(_l("Complaint"), labels.named(Complaint, "reference")),
    Meeting=labels.ObjectKind(_l("Consultation meeting"), labels.named(Meeting, "held_on")),
    ReserveEntry=labels.ObjectKind(_l("Reserve fund entry"), labels.named(ReserveEntry, "on")),
    CloseSupervisionMark=labels.ObjectKind(_l("Close-supervision mark"),
                                           labels.named(CloseSupervisionMark, "year")),
)
