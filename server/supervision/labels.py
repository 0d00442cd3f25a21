"""How the audit trail names the supervision room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .evaluation_models import CloseSupervisionMark
from .models import SpotCheckDraw

labels.actions({
    "supervision.draw": _l("Spot checks drawn"),
    "supervision.assign": _l("Spot check assigned"),
    "supervision.evaluation_setting": _l("Evaluation weights changed"),
    "supervision.close_supervision": _l("Township marked for close supervision next year"),
})
labels.objects(
    SpotCheckDraw=labels.ObjectKind(_l("Spot-check draw"), labels.named(SpotCheckDraw, "month")),
    EvaluationSetting=labels.ObjectKind(_l("Evaluation settings")),
    CloseSupervisionMark=labels.ObjectKind(_l("Close-supervision mark"),
                                           labels.named(CloseSupervisionMark, "year")),
)
