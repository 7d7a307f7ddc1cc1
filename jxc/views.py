"""Error pages rendered in the layout, and small helpers every app's views share."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jxc.forms import ReasonForm

RECORD_ID = re.compile(r"[0-9]{1,12}")


def record_id(value: str) -> int | None:
    """A record id from a query string, or None for anything else ("²", 10^30...)."""
    return int(value) if RECORD_ID.fullmatch(value or "") else None


def cancel_posted(request, document, cancel, *, done: str, detail_url: str):
    """The body of every "cancel this posted document" view: read the reason, call
    ``cancel(reason)`` (a service), say what happened, back to the document."""
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                _("Say why the document is cancelled (at most 200 characters).")
            )
        cancel(form.cleaned_data["reason"])
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, done % {"number": document.number})
    return redirect(detail_url, pk=document.pk)


def paginate(request, items, size: int = 50):
    """The requested page of ``items`` (a bad or too-high page number: the last)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def refuse(request, error) -> None:
    """Show why a service refused (ValidationError or InsufficientStock)."""
    messages.error(request, " ".join(error.messages))


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
