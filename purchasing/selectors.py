"""Reads of purchasing: document lists, what is still to receive, prices paid."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery

from catalog.models import Product
from jxc.decimals import money
from jxc.models import DocumentStatus, quantity_field
from purchasing.models import (
    OPEN_ORDER_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseReturn,
    PurchasingSettings,
)


def purchasing_settings() -> PurchasingSettings:
    """The owner's purchasing rules (defaults until the owner saves them)."""
    return PurchasingSettings.objects.filter(pk=1).first() or PurchasingSettings(pk=1)


def order_list() -> QuerySet:
    return PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by")


def order_detail(pk: int) -> QuerySet:
    return PurchaseOrder.objects.select_related(
        "supplier", "warehouse", "created_by", "ordered_by", "closed_by"
    ).filter(pk=pk)


def order_lines(order: PurchaseOrder) -> QuerySet:
    return order.lines.select_related("product", "unit").order_by("pk")


def open_orders() -> QuerySet:
    return order_list().filter(status__in=OPEN_ORDER_STATUSES)


def receipt_list() -> QuerySet:
    return GoodsReceipt.objects.select_related(
        "supplier", "warehouse", "order", "created_by"
    )


def return_list() -> QuerySet:
    return PurchaseReturn.objects.select_related(
        "supplier", "warehouse", "receipt", "created_by"
    )


def _paid() -> QuerySet:
    """Receipt lines of posted receipts that brought goods in: prices really paid."""
    return GoodsReceiptLine.objects.filter(
        receipt__status=DocumentStatus.POSTED, quantity__gt=0
    )


def last_prices(*, supplier_id: int, product_ids) -> dict[int, Decimal]:
    """The last unit price paid to this supplier, per product (one query)."""
    latest = (
        _paid()
        .filter(receipt__supplier_id=supplier_id, product_id=OuterRef("product_id"))
        .order_by("-receipt__occurred_at", "-pk")
    )
    rows = (
        _paid()
        .filter(receipt__supplier_id=supplier_id, product_id__in=list(product_ids))
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("product_id", "unit_cost", "unit_factor")
    )
    return {product_id: per_base(cost, factor) for product_id, cost, factor in rows}


def per_base(cost: Decimal, factor: Decimal) -> Decimal:
    """A receipt line's cost (per the unit it was entered in) per base unit, so
    prices compare like with like: to the fen for a base-unit line (as always),
    to the cost's 4 decimals for a package (¥50.00 a 箱 of 24: ¥2.0833)."""
    if factor == 1:
        return cost.quantize(Decimal("0.01"))
    return (cost / factor).quantize(Decimal("0.0001"))


def price_references(product_ids) -> dict[int, Decimal]:
    """What a purchase price is checked against, per product (two queries): the
    last price paid for it to any supplier, else its reference purchase price.

    Any supplier, not only this one: the band guards the product's cost, which
    is one figure whoever sold it, and a first order from a new supplier is
    still compared with what the shop really paid rather than a catalogue price.
    """
    product_ids = list(product_ids)
    latest = (
        _paid()
        .filter(product_id=OuterRef("product_id"))
        .order_by("-receipt__occurred_at", "-pk")
    )
    paid = {
        product_id: per_base(cost, factor)
        for product_id, cost, factor in _paid()
        .filter(product_id__in=product_ids)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("product_id", "unit_cost", "unit_factor")
    }
    return {
        pk: paid.get(pk, price)
        for pk, price in Product.objects.filter(pk__in=product_ids).values_list(
            "pk", "purchase_price"
        )
    }


def price_band(reference: Decimal | None, factor: Decimal) -> tuple | None:
    """(lowest, highest) price that needs no approval; None when not checked (the
    check is off, or there is nothing to compare with)."""
    if not factor or not reference:
        return None
    return (money(reference / factor), money(reference * factor))


def out_of_band(price: Decimal, reference: Decimal | None, factor: Decimal) -> bool:
    band = price_band(reference, factor)
    return band is not None and not band[0] <= price <= band[1]


def order_prices_checked(lines) -> list:
    """An order's lines with each unapproved price checked against the band as it
    is now (in memory): ``price_reference`` set when outside, else None. Catches
    orders saved before the band, or under a wider one."""
    lines = list(lines)
    factor = purchasing_settings().price_band_factor
    references = price_references([line.product_id for line in lines])
    for line in lines:
        if line.price_approved_by_id is None:
            reference = references.get(line.product_id)
            price = line.unit_price / line.unit_factor  # per base, as the reference
            line.price_reference = (
                reference if out_of_band(price, reference, factor) else None
            )
    return lines


def price_history(
    *, product_id: int | None = None, supplier_id: int | None = None, limit: int = 50
) -> list:
    """Prices paid, newest first: date, supplier, product, unit price, quantity."""
    rows = _paid().select_related("product", "unit")
    if product_id:
        rows = rows.filter(product_id=product_id)
    if supplier_id:
        rows = rows.filter(receipt__supplier_id=supplier_id)
    return list(
        rows.annotate(
            occurred_at=F("receipt__occurred_at"),
            supplier_name=F("receipt__supplier__name"),
            receipt_number=F("receipt__number"),
        ).order_by("-receipt__occurred_at", "-pk")[:limit]
    )


def on_order_subquery(product_ref="pk", shop_id=None):
    """SQL for a product's quantity still to arrive on placed purchase orders
    (``shop_id``: orders into that shop's warehouses)."""
    from django.db.models import Sum, Value
    from django.db.models.functions import Coalesce

    from purchasing.models import PurchaseOrderLine

    remaining = (
        PurchaseOrderLine.objects.filter(
            product_id=OuterRef(product_ref), order__status__in=OPEN_ORDER_STATUSES
        )
        .filter(**({} if shop_id is None else {"order__warehouse__shop_id": shop_id}))
        .values("product_id")
        .annotate(s=Sum(F("quantity") - F("received_quantity")))
        .values("s")
    )
    return Coalesce(
        Subquery(remaining),
        Value(Decimal(0)),
        output_field=quantity_field(),
    )


def open_order_count() -> int:
    return PurchaseOrder.objects.filter(status__in=OPEN_ORDER_STATUSES).count()


def last_supplier_ids(product_ids) -> dict[int, int]:
    """The supplier each product was last bought from (one query)."""
    latest = (
        _paid()
        .filter(product_id=OuterRef("product_id"))
        .order_by("-receipt__occurred_at", "-pk")
    )
    rows = (
        _paid()
        .filter(product_id__in=list(product_ids))
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("product_id", "receipt__supplier_id")
    )
    return dict(rows)


def price_spread(start, end) -> list[dict]:
    """Per product and supplier, the prices paid in [start, end): count, min, max,
    mean and the sums for the spread (Σx, Σx²), all in SQL; first and last price."""
    from django.db.models import (
        Avg,
        Case,
        Count,
        DecimalField,
        ExpressionWrapper,
        Max,
        Min,
        Sum,
        When,
    )

    COST = DecimalField(max_digits=20, decimal_places=4)

    # Per base unit: a line in 箱 at ¥50.00 of 24 is ¥2.0833 a 瓶 (a base-unit
    # line's cost as it is).
    paid = (
        _paid()
        .filter(receipt__occurred_at__gte=start, receipt__occurred_at__lt=end)
        .annotate(
            base_cost=Case(
                When(unit_factor=1, then=F("unit_cost")),
                default=ExpressionWrapper(
                    F("unit_cost") / F("unit_factor"), output_field=COST
                ),
                output_field=COST,
            )
        )
    )
    first = (
        paid.filter(
            product_id=OuterRef("product_id"),
            receipt__supplier_id=OuterRef("receipt__supplier_id"),
        )
        .order_by("receipt__occurred_at", "pk")
        .values("base_cost")[:1]
    )
    last = (
        paid.filter(
            product_id=OuterRef("product_id"),
            receipt__supplier_id=OuterRef("receipt__supplier_id"),
        )
        .order_by("-receipt__occurred_at", "-pk")
        .values("base_cost")[:1]
    )
    return list(
        paid.values(
            "product_id",
            "product__sku",
            "product__name",
            "receipt__supplier_id",
            "receipt__supplier__name",
        )
        .annotate(
            n=Count("id"),
            low=Min("base_cost"),
            high=Max("base_cost"),
            mean=Avg("base_cost"),
            sx=Sum("base_cost"),
            sxx=Sum(F("base_cost") * F("base_cost")),
            first=Subquery(first),
            last=Subquery(last),
        )
        .order_by("product__sku", "receipt__supplier__name")
    )


# The most labels one product's row asks for (the label page's limit per row).
LABELS_PER_PRODUCT = 500


def receipt_label_counts(lines) -> dict[int, int]:
    """One label per unit received (a part unit counts as one: 2.5 斤 → 3), per
    product of a receipt's lines, at most LABELS_PER_PRODUCT each."""
    counts: dict[int, Decimal] = {}
    for line in lines:
        if line.quantity > 0:
            counts[line.product_id] = counts.get(line.product_id, 0) + line.quantity
    return {
        product_id: min(
            int(quantity.to_integral_value(rounding=ROUND_CEILING)),
            LABELS_PER_PRODUCT,
        )
        for product_id, quantity in counts.items()
    }
