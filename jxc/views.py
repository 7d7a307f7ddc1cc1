"""Error pages rendered in the layout, and small helpers every app's views share."""

import re
import sys

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from jxc.documents import failure_kind
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


def server_error(request):
    """The page for an unhandled exception. When the database failed (a statement
    or lock timeout, a lost connection, a server that is down) it says so with a
    503 instead of a 500, after dropping broken connections so the next request
    starts on a fresh one. Postings never get here: they report such failures on
    their own form (jxc.documents.posting)."""
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return defaults.server_error(request)
    for connection in connections.all(initialized_only=True):
        # Inside an atomic block the block's owner must roll back first.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    if failure_kind(error) == "too_long":
        message = _(
            "This page took too long and was stopped, so that the shop keeps "
            "working. Choose a shorter period or a narrower filter and try again."
        )
    else:
        message = _(
            "The database did not answer, so this request was not finished. "
            "Please try again in a moment; if it keeps happening, tell the shop "
            "owner."
        )
    if request.method == "POST":
        kept = _(
            "Nothing you submitted was saved. Your browser's Back button "
            "returns to the form with what you typed; submit it again from there."
        )
        message = f"{message} {kept}"
    # No request context: the user, the session and the messages need the
    # database this page is about.
    return HttpResponse(
        render_to_string("503.html", {"message": message}),
        status=503,
        headers={"Retry-After": "10"},
    )
