from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    """The user guide (员工培训): one page per job, with screenshots the browser
    tests take; owns no data."""

    name = "guide"
    verbose_name = _("User guide")
