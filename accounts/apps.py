from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in, the two roles (owner, staff) and the owner's user management."""

    name = "accounts"
    verbose_name = _("Accounts")
