from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in, the two roles (owner, staff) and the owner's user management."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import receivers

        user_login_failed.connect(
            receivers.count_failure, dispatch_uid="accounts.count_login_failure"
        )
        user_logged_in.connect(
            receivers.clear_failures, dispatch_uid="accounts.clear_login_failures"
        )
        user_logged_in.connect(
            receivers.record_sign_in, dispatch_uid="accounts.record_sign_in"
        )
