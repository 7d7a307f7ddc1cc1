from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ShopPermission(models.Model):
    """Holds permissions that belong to no single model; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_users", _("Can add, deactivate and reset staff accounts")),
            ("view_cost", _("Can see costs, stock value, margins and analyses")),
            ("manage_backups", _("Can take and download backups of the shop")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class LoginFailure(models.Model):
    """One failed sign-in, counted by the login protection (accounts.lockout).

    Only the last cool-off period matters, so older rows are deleted as new ones
    come: the table stays small however long the shop runs.
    """

    username = models.CharField(_("username"), max_length=150)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        default_permissions = ()
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_username_at"),
            models.Index(fields=["ip", "at"], name="loginfailure_ip_at"),
        ]

    def __str__(self):
        return f"{self.username} {self.ip or ''} {self.at:%Y-%m-%d %H:%M:%S}"
