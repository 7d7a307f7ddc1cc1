from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopPermission(models.Model):
    """Holds permissions that belong to no single model; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_users", _("Can add, deactivate and reset staff accounts")),
            ("view_cost", _("Can see costs, stock value, margins and analyses")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
