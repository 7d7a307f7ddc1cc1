from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Dashboard and reports; reads every app through selectors, owns no data."""

    name = "reports"
    verbose_name = _("Reports")
