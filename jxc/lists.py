"""One way to build a document list page: a ``DocumentList`` spec per list (who may
see it, the rows, the filter, the buttons), rendered by ``document_list``. Rows
link to each document's ``get_absolute_url()``. Kernel module: imports no app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from jxc.excel import DATE, DATETIME, MONEY, Col, Sheet, xlsx_response
from jxc.views import paginate


@dataclass(frozen=True)
class DocumentList:
    """What one document list shows. URL fields are URL names ("" for none)."""

    permission: str
    title: str
    rows: Callable  # () -> the queryset of the list's documents
    template: str = "documents/list.html"
    filterset: type | None = None
    create_url: str = ""
    create_label: str = ""
    # Empty: whoever sees the list may create (the create page checks again).
    create_permission: str = ""
    empty_label: str = ""
    export_url: str = ""
    settings_url: str = ""
    settings_permission: str = ""
    # The party column of purchasing and sales lists, and its heading.
    party: str = ""
    party_label: str = ""
    date_field: str = "occurred_at"
    date_format: str = "Y-m-d"
    # Empty: everyone who sees the list sees the totals.
    total_permission: str = ""
    # (rows, user) -> the rows this user may see (a chain: their shops' documents).
    scope: Callable | None = None

    def documents(self, request):
        """The list's documents as filtered by the request (PermissionDenied for a
        user who may not see them), and the filter, if the list has one."""
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        rows = self.rows()
        if self.scope is not None:
            rows = self.scope(rows, request.user)
        if self.filterset is None:
            return rows, None
        document_filter = self.filterset(request.GET, queryset=rows, request=request)
        return document_filter.qs, document_filter

    def shows_total(self, user) -> bool:
        return not self.total_permission or user.has_perm(self.total_permission)


def document_list(request, spec: DocumentList, **context):
    """The page of a document list: filter bar, one page of rows, the buttons."""
    documents, document_filter = spec.documents(request)
    user = request.user
    may_create = spec.create_url and (
        not spec.create_permission or user.has_perm(spec.create_permission)
    )
    may_configure = spec.settings_url and user.has_perm(spec.settings_permission)
    return render(
        request,
        spec.template,
        {
            "filter": document_filter,
            "page_obj": paginate(request, documents),
            "title": spec.title,
            "create_url": reverse(spec.create_url) if may_create else "",
            "create_label": spec.create_label,
            "empty_label": spec.empty_label,
            "export_url": reverse(spec.export_url) if spec.export_url else "",
            "settings_url": reverse(spec.settings_url) if may_configure else "",
            "party": spec.party,
            "party_label": spec.party_label,
            "date_field": spec.date_field,
            "date_format": spec.date_format,
            "show_total": spec.shows_total(user),
            **context,
        },
    )


def document_sheet(spec: DocumentList, documents, *, with_total: bool) -> Sheet:
    """A party list's documents as a sheet: number, date, party, warehouse,
    status, note and (``with_total``) the total. No queries of its own beyond
    iterating ``documents``."""
    dated = documents.model._meta.get_field(spec.date_field)
    columns = [
        Col(_("Number")),
        Col(_("Date"), DATE if dated.get_internal_type() == "DateField" else DATETIME),
        Col(str(spec.party_label), width=24),
        Col(_("Warehouse")),
        Col(_("Status")),
        Col(_("Note"), width=24),
    ]
    if with_total:
        columns.append(Col(_("Total"), MONEY))
    rows = (
        [
            document.number,
            getattr(document, spec.date_field),
            getattr(document, spec.party).name,
            document.warehouse.name,
            document.get_status_display(),
            document.note,
            *([document.total] if with_total else []),
        ]
        for document in documents.iterator(chunk_size=2000)
    )
    return Sheet(title=str(spec.title), columns=columns, rows=rows)


def document_export(request, spec: DocumentList, sheet=document_sheet):
    """The Excel download of a list as filtered on its page (``sheet`` makes the
    sheet from the spec and the documents)."""
    documents, _filter = spec.documents(request)
    made = sheet(spec, documents, with_total=spec.shows_total(request.user))
    return xlsx_response([made], str(made.title))


def list_urls(list_view, export_view, kinds: dict[str, str]) -> list:
    """The list page (``<kind>_list`` at its path) and the Excel export
    (``<kind>_export`` at ``<kind>/export/``) of each kind of document."""
    return [
        pattern
        for kind, route in kinds.items()
        for pattern in (
            path(route, list_view, {"kind": kind}, name=f"{kind}_list"),
            path(f"{kind}/export/", export_view, {"kind": kind}, name=f"{kind}_export"),
        )
    ]
