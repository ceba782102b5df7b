"""The five roles are Django groups; what each may do is decided in trackers/rules.py."""
from django.utils.translation import gettext_lazy as _

SUBMITTER = "submitter"
REVIEWER = "reviewer"
LEADER = "leader"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"

ROLES = {
    SUBMITTER: _("Department submitter"),
    REVIEWER: _("Reviewer"),
    LEADER: _("Leader"),
    AUDITOR: _("Auditor"),
    ADMINISTRATOR: _("Administrator"),
}
