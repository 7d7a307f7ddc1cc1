"""The owner's audit pages: the searchable log and each record's history. Read
only: there is no page that adds, changes or deletes an entry."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from audit import records, selectors
from audit.filters import AuditFilter
from jxc.views import paginate

VIEW_AUDIT = "audit.view_auditentry"


@permission_required(VIEW_AUDIT, raise_exception=True)
@require_GET
def log(request):
    entries = AuditFilter(request.GET, queryset=selectors.entry_list())
    page = paginate(request, entries.qs)
    return render(
        request,
        "audit/log.html",
        {
            "filter": entries,
            "page_obj": page,
            "rows": [
                (entry, records.record_url(entry.content_type, entry.object_id))
                for entry in page
            ],
        },
    )


@permission_required(VIEW_AUDIT, raise_exception=True)
@require_GET
def history(request, kind, pk=None):
    """The latest entries about one record (or every record of a kind): the
    "history" part of its page, loaded by htmx."""
    model = records.record_model(kind)
    if model is None:
        raise Http404
    entries = selectors.record_history(model, pk)
    query = {"kind": kind} if pk is None else {"kind": kind, "record": pk}
    return render(
        request,
        "audit/history.html",
        {
            "entries": entries,
            "more": len(entries) == selectors.HISTORY_SIZE,
            "log_url": f"{reverse('audit:log')}?{urlencode(query)}",
        },
    )
