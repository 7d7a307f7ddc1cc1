"""Excel sheets of purchasing lists (rows from selectors, no queries of their own)."""

from django.utils.translation import gettext as _

from jxc.excel import DATE, DATETIME, MONEY, Col, Sheet


def document_sheet(kind: str, documents, *, with_total: bool = True) -> Sheet:
    if kind == "order":
        columns = [
            Col(_("Number")),
            Col(_("Order date"), DATE),
            Col(_("Supplier"), width=24),
            Col(_("Warehouse")),
            Col(_("Status")),
            Col(_("Expected date"), DATE),
            Col(_("Total"), MONEY),
            Col(_("Note"), width=24),
        ]
        rows = (
            [
                d.number,
                d.order_date,
                d.supplier.name,
                d.warehouse.name,
                d.get_status_display(),
                d.expected_date,
                d.total,
                d.note,
            ]
            for d in documents.iterator(chunk_size=2000)
        )
        return Sheet(title=_("Purchase orders"), columns=columns, rows=rows)
    columns = [
        Col(_("Number")),
        Col(_("Date"), DATETIME),
        Col(_("Supplier"), width=24),
        Col(_("Warehouse")),
        Col(_("Status")),
        Col(_("Note"), width=24),
    ]
    if with_total:
        columns.append(Col(_("Total"), MONEY))
    rows = (
        [
            d.number,
            d.occurred_at,
            d.supplier.name,
            d.warehouse.name,
            d.get_status_display(),
            d.note,
            *([d.total] if with_total else []),
        ]
        for d in documents.iterator(chunk_size=2000)
    )
    title = _("Goods receipts") if kind == "receipt" else _("Purchase returns")
    return Sheet(title=title, columns=columns, rows=rows)
