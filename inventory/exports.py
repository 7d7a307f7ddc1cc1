"""Excel sheets of stock: rows from selectors in, jxc.excel sheets out (no queries
of their own beyond iterating the querysets they are given)."""

from django.utils.translation import gettext as _

from catalog.imports import export_header
from inventory.imports import OPENING_COLUMNS
from inventory.models import MoveKind
from jxc.excel import COST, DATETIME, MONEY, QUANTITY, Col, Sheet


def stock_overview_sheet(products, totals, *, with_cost: bool) -> Sheet:
    columns = [
        Col(_("SKU")),
        Col(_("Name"), width=28),
        Col(_("Category")),
        Col(_("Unit"), width=6),
        Col(_("On hand"), QUANTITY),
        Col(_("Reserved"), QUANTITY),
        Col(_("Available"), QUANTITY),
        Col(_("Safety stock"), QUANTITY),
    ]
    if with_cost:
        columns += [Col(_("Unit cost"), COST), Col(_("Stock value"), MONEY)]

    def rows():
        for p in products.iterator(chunk_size=2000):
            row = [
                p.sku,
                p.name,
                p.category.name if p.category else "",
                p.unit,
                p.on_hand,
                p.reserved,
                p.available,
                p.safety_stock,
            ]
            if with_cost:
                row += [p.avg_cost, p.value]
            yield row

    total_row = [
        _("Total"),
        "",
        "",
        "",
        totals["total_on_hand"],
        totals["total_reserved"],
        totals["total_on_hand"] - totals["total_reserved"],
        None,
    ]
    if with_cost:
        total_row += [None, totals["total_value"]]
    return Sheet(title=_("Stock"), columns=columns, rows=rows(), totals=total_row)


def stock_card_sheet(product, card, *, with_cost: bool) -> Sheet:
    columns = [
        Col(_("Time"), DATETIME),
        Col(_("Kind")),
        Col(_("Document")),
        Col(_("Warehouse")),
        Col(_("In"), QUANTITY),
        Col(_("Out"), QUANTITY),
        Col(_("Balance"), QUANTITY),
    ]
    if with_cost:
        columns += [
            Col(_("Unit cost"), COST),
            Col(_("Value"), MONEY),
            Col(_("Value after"), MONEY),
        ]

    def rows():
        opening = [
            None,
            _("Opening balance"),
            "",
            "",
            None,
            None,
            card.opening_quantity,
        ]
        if with_cost:
            opening += [None, None, card.opening_value]
        yield opening
        # Plain tuples, and each kind's label translated once: a stock card can
        # have 100,000 moves (see docs/benchmarks.md).
        kinds = {kind: str(label) for kind, label in MoveKind.choices}
        moves = card.moves.values_list(
            "occurred_at", "kind", "source_number", "warehouse__name", "quantity",
            "balance", "unit_cost", "value", "running_value",
        )  # fmt: skip
        for when, kind, number, warehouse, quantity, balance, *costs in moves.iterator(
            chunk_size=5000
        ):
            row = [
                when,
                kinds[kind],
                number,
                warehouse,
                quantity if quantity > 0 else None,
                -quantity if quantity < 0 else None,
                balance,
            ]
            if with_cost:
                row += costs
            yield row

    return Sheet(
        title=_("Stock card %(sku)s %(name)s")
        % {"sku": product.sku, "name": product.name},
        columns=columns,
        rows=rows(),
    )


def opening_template_sheet() -> Sheet:
    return Sheet(
        title=_("Opening stock"), columns=export_header(OPENING_COLUMNS), rows=[]
    )
