"""Excel sheets of purchasing lists (rows from selectors, no queries of their own)."""

from django.utils.translation import gettext as _

from jxc.excel import DATE, MONEY, Col, Sheet


def order_sheet(spec, documents, *, with_total: bool = True) -> Sheet:
    """Purchase orders: the list's columns and when each is expected."""
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
    return Sheet(title=str(spec.title), columns=columns, rows=rows)
