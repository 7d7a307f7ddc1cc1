from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who created, changed, posted and cancelled what, and when.

    A shared layer like ``jxc``: every app's services write their entries here, so
    it imports no other app of the project.
    """

    name = "audit"
    verbose_name = _("Audit trail")
