"""How the audit trail names the documents room's actions and objects."""
from flask_babel import lazy_gettext as _l

from ..audit import labels
from .models import DocTemplateVersion, GeneratedDocument, OfficeContact

labels.actions({
    "document.generate": _l("Document generated"),
    "template.upload": _l("Template uploaded"),
    "template.activate": _l("Template activated"),
    "office_contact.save": _l("Office contacts saved"),
    "print_job.create": _l("Print pack requested"),
    "print_job.finish": _l("Print pack finished"),
    "document.seal_use": _l("Printed as final under the delegated seal"),
})
labels.objects(
    GeneratedDocument=labels.ObjectKind(_l("Document"), labels.named(GeneratedDocument, "title")),
    DocTemplateVersion=labels.ObjectKind(_l("Template version"),
                                         labels.named(DocTemplateVersion, "filename")),
    OfficeContact=labels.ObjectKind(_l("Office contacts"),
                                    labels.named(OfficeContact, "office_name")),
    PrintJob=labels.ObjectKind(_l("Print pack")),
    SealUse=labels.ObjectKind(_l("Seal-use log entry")),
)
