from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JxcConfig(AppConfig):
    """Shared helpers: formatting, decimal rounding, middleware, demo data."""

    name = "jxc"
    verbose_name = _("JXC")

    def ready(self):
        from jxc import checks  # noqa: F401 - registers the deployment checks
