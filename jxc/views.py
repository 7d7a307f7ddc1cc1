"""Error pages rendered in the layout, and small helpers every app's views share."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render


def paginate(request, items, size: int = 50):
    """The requested page of ``items`` (a bad or too-high page number: the last)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def refuse(request, error) -> None:
    """Show why a service refused (ValidationError or InsufficientStock)."""
    messages.error(request, " ".join(error.messages))


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
