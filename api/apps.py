from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """数据对接: the JSON API under /api/v1/, its keys and webhooks.

    A project-level app: it reads every app through their selectors and writes
    only through their services (the same ones the pages call), so every rule of
    a page holds for a call. Nothing imports it. Its receivers listen to the
    stock ledger's ``stock_changed``, the documents' posting signals (after
    inventory's: INSTALLED_APPS order) and finance's ``payment_posted``, inside
    the posting transaction, and write the webhook outbox there.
    """

    name = "api"
    verbose_name = _("API")

    def ready(self):
        from api import receivers, schema  # noqa: F401 (registers the scheme)

        receivers.connect()
