from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    """收银台: the checkout screen, parked sales, scale labels and the shift close.

    A counter sale is a sales retail sale (sales.services) with its payments; the
    counter owns only what is the counter's own: its settings, parked sales and
    shifts. It imports sales, catalog and finance (the drawer's cash
    paid out and over / short go to the cash book); nothing imports it.
    """

    name = "counter"
    verbose_name = _("Checkout counter")
