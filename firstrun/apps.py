from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FirstRunConfig(AppConfig):
    """分步设置: the wizard an empty shop's owner meets at the first sign-in, and the
    dashboard's checklist until it is done or put away.

    It owns only its progress (which steps are done or skipped); every step writes
    through the owning app's services (catalog's shop profile, warehouses and
    products, inventory's opening stock, accounts' user creation). It imports
    catalog, inventory, accounts, purchasing and sales (to tell an empty shop);
    accounts' sign-in and reports' dashboard ask its selectors.
    """

    name = "firstrun"
    verbose_name = _("First run")
