"""How the audit trail names the public side's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import PostedNotice, PublicSubmission

labels.actions({
    "notice.post": _l("Notice printed for posting"),
    "notice.photo": _l("Photo of the posted notice uploaded"),
    "notice.policy": _l("Policy notice lines changed"),
    "public.objection": _l("Objection from the public"),
    "public.report": _l("Report from the public"),
    "public.checking": _l("Public submission being checked"),
    "public.answered": _l("Public submission answered"),
})
labels.objects(
    PostedNotice=labels.ObjectKind(_l("Posted notice"), labels.named(PostedNotice, "title")),
    PublicSubmission=labels.ObjectKind(_l("Public submission"),
                                       labels.named(PublicSubmission, "receipt")),
    PolicyNotice=labels.ObjectKind(_l("Policy notice")),
)
