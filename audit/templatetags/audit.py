"""{% audit_history record %}: the owner's "history" part of a record's page,
loaded by htmx (a plain link to the log without JavaScript)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from audit import records
from audit.views import VIEW_AUDIT

register = template.Library()


@register.inclusion_tag("audit/includes/history_slot.html", takes_context=True)
def audit_history(context, record=None, kind=""):
    """The history of ``record``, or of every record of ``kind`` ("app.model",
    for pages that show a kind rather than one record: settings, month close)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(VIEW_AUDIT):
        return {"show": False}
    if getattr(record, "pk", None) is not None:
        kind = records.record_key(record._meta.model)
        url = reverse("audit:history", args=[kind, record.pk])
        query = {"kind": kind, "record": record.pk}
    elif not record and kind:
        url = reverse("audit:kind_history", args=[kind])
        query = {"kind": kind}
    else:
        return {"show": False}  # a record not saved yet has no history
    return {
        "show": True,
        "history_url": url,
        "log_url": f"{reverse('audit:log')}?{urlencode(query)}",
    }
