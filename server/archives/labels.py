"""How the audit trail names the archives room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import ArchiveJob

labels.actions({
    "archive.pattern": _l("Archive number pattern changed"),
    "archive.number": _l("Archive number assigned"),
    "archive.job": _l("Archive bundle requested"),
    "archive.bundle": _l("Archive bundle built"),
    "archive.retention": _l("Retention periods changed"),
})
labels.objects(
    ArchiveSettings=labels.ObjectKind(_l("Archive settings")),
    ArchiveRetention=labels.ObjectKind(_l("Retention periods")),
    ArchiveJob=labels.ObjectKind(_l("Archive bundle job"), labels.named(ArchiveJob, "month")),
)
