"""Reads for the owner's reports. Every figure is an SQL aggregate from the apps'
own selectors; reports owns no data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, Shop
from inventory import selectors as inventory_selectors
from inventory.months import latest_closed, moment, next_month
from inventory.selectors import QTY_FIELD
from purchasing import selectors as purchasing_selectors
from sales import selectors as sales_selectors

ZERO = Decimal("0")
CENT, TENTH = Decimal("0.01"), Decimal("0.1")


def dashboard(*, today: date | None = None) -> dict:
    """Today's and this month's figures, the 30-day trend and the best sellers."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    month = today.replace(day=1)
    trend_start = today - timedelta(days=29)
    return {
        "today": sales_selectors.sales_totals(moment(today), moment(tomorrow)),
        "month": sales_selectors.sales_totals(moment(month), moment(tomorrow)),
        "stock_value": inventory_selectors.stock_value_total(),
        "below_safety": inventory_selectors.below_safety_count(),
        "purchase_orders_open": purchasing_selectors.open_order_count(),
        "sales_orders_open": sales_selectors.open_order_count(),
        "trend": _trend(trend_start, tomorrow),
        "top": sales_selectors.top_products(
            moment(today - timedelta(days=29)), moment(tomorrow)
        ),
    }


def _trend(start: date, end: date) -> list[tuple[str, Decimal]]:
    """One point per day (days without sales are 0)."""
    by_day = dict(sales_selectors.daily_sales(moment(start), moment(end)))
    days = (end - start).days
    return [
        (
            (start + timedelta(days=n)).strftime("%m-%d"),
            by_day.get(start + timedelta(days=n), ZERO),
        )
        for n in range(days)
    ]


def summary_default_month(today: date) -> tuple[date, date]:
    """The month the 进销存 summary opens on: the last month not yet closed. Last
    month until it is closed (on 5 December: November, the month the owner
    checks and closes), then the current one."""
    current = today.replace(day=1)
    previous = (current - timedelta(days=1)).replace(day=1)
    closed = latest_closed()
    first = previous if closed is None or closed < previous else current
    return first, next_month(first) - timedelta(days=1)


def summary(
    *,
    start: date,
    end: date,
    warehouse_id=None,
    category_id=None,
    window=None,
    fields=None,
    shop_id=None,
):
    """The 进销存 summary for [start, end): a closed month's as its close stored it
    (it cannot change); otherwise from the latest month-close snapshot when the
    period starts after it (no rescan of older history). ``shop_id``: that shop's
    warehouses only (the close stores no per-shop rows: read from the snapshot)."""
    closed = latest_closed()
    if (
        shop_id is None
        and closed is not None
        and start <= closed
        and start.day == 1
        and end == next_month(start)
    ):
        stored = inventory_selectors.stored_summary(
            month=start,
            warehouse_id=warehouse_id,
            category_id=category_id,
            window=window,
            fields=fields,
        )
        if stored is not None:
            return stored
    snapshot = None
    if closed is not None and next_month(closed) <= start:
        snapshot = closed
    return inventory_selectors.monthly_summary(
        start=moment(start),
        end=moment(end),
        warehouse_id=warehouse_id,
        category_id=category_id,
        snapshot_month=snapshot,
        window=window,
        fields=fields,
        shop_id=shop_id,
    )


@dataclass
class Suggestion:
    product: Product
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    backorder: Decimal
    projected: Decimal
    daily: Decimal
    cover_days: Decimal | None
    quantity: Decimal
    # (order number, quantity, order id) of the open sales orders waiting without a
    # reservation: what the backorder figure is made of.
    waiting: list = field(default_factory=list)


def reorder_suggestions(
    *, days: int = 28, review_days: int = 7, shop_id=None
) -> list[Suggestion]:
    """Products whose projected stock (on hand − reserved + on order − backorders)
    is below their safety stock — with a safety stock of 0 too, when backorders
    take it below 0 — or at it when the product has a safety stock or sold in the
    period, with the quantity to order and the orders waiting for it.

    quantity = max(reorder quantity, ⌈daily sales × (lead time + review days) +
    safety stock − projected⌉), daily sales = net sold in the last ``days`` / days;
    a negative projected stock is added in full, so the order covers the backorder.
    """
    since = timezone.now() - timedelta(days=days)
    # Backorders are read first, from the open orders' lines (one query whatever
    # the planner's statistics say): as a subquery per product, stale statistics
    # on a server without autovacuum walked every open order for every product
    # (14 s instead of 60 ms at benchmark size after a day of orders). A backorder
    # only lowers the projection, so the products listed are those listed without
    # it plus those with one, checked again below.
    waiting = sales_selectors.backorders_by_product(None, shop_id=shop_id)
    backorders = {pk: sum(w.quantity for w in lines) for pk, lines in waiting.items()}
    rows = (
        Product.objects.filter(is_active=True)
        .select_related("preferred_supplier", "category")
        .annotate(
            on_hand=inventory_selectors.level_sum_subquery("on_hand", shop_id=shop_id),
            reserved=inventory_selectors.level_sum_subquery(
                "reserved", shop_id=shop_id
            ),
            on_order=purchasing_selectors.on_order_subquery(shop_id=shop_id),
            sold=inventory_selectors.sold_subquery(since, shop_id=shop_id),
        )
        .annotate(
            free=ExpressionWrapper(
                F("on_hand") - F("reserved") + F("on_order"),
                output_field=QTY_FIELD,
            )
        )
        .filter(
            Q(free__lt=F("safety_stock"))
            | (Q(free__lte=F("safety_stock")) & (Q(safety_stock__gt=0) | Q(sold__gt=0)))
            | Q(pk__in=list(backorders))
        )
        .order_by("sku")
    )
    listed = []
    for product in rows:
        product.backorder = backorders.get(product.pk, ZERO)
        product.projected = product.free - product.backorder
        if product.projected < product.safety_stock or (
            product.projected <= product.safety_stock
            and (product.safety_stock > 0 or product.sold > 0)
        ):
            listed.append(product)
    rows = listed
    suggestions = []
    for product in rows:
        daily = (product.sold / days).quantize(Decimal("0.001"))
        need = (
            daily * (product.lead_time_days + review_days)
            + product.safety_stock
            - product.projected
        )
        quantity = max(product.reorder_quantity, Decimal(math.ceil(max(need, 0))))
        cover = (
            (max(product.projected, ZERO) / daily).quantize(Decimal("0.1"))
            if daily
            else None
        )
        suggestions.append(
            Suggestion(
                product,
                product.on_hand,
                product.reserved,
                product.on_order,
                product.backorder,
                product.projected,
                daily,
                cover,
                quantity,
                waiting.get(product.pk, []),
            )
        )
    return suggestions


def supplier_for(products) -> dict[int, int | None]:
    """Preferred supplier, else the one last bought from, per product."""
    last = purchasing_selectors.last_supplier_ids([p.pk for p in products])
    return {p.pk: p.preferred_supplier_id or last.get(p.pk) for p in products}


# --- tables: turnover, sales analyses, price volatility ------------------------------

MONEY, QUANTITY, TEXT, NUMBER = "money", "quantity", "text", "number"


@dataclass
class Table:
    """A report as columns and rows, shown on a page and exported to Excel alike."""

    title: str
    columns: list  # (key, label, kind)
    rows: list
    totals: dict | None = None
    notes: str = ""


def _ratio(a: Decimal, b: Decimal, places: str = "0.01") -> Decimal | None:
    return (a / b).quantize(Decimal(places)) if b else None


def turnover(
    *, start: date, end: date, by: str = "product", shop_id=None
) -> list[dict]:
    """Per product (or category): cost of goods sold = shipments − sales returns at
    cost; average inventory = (opening value + closing value) / 2; turnover = COGS
    ÷ average inventory; days of inventory = period days ÷ turnover."""
    rows, _totals = summary(
        start=start,
        end=end,
        fields=["opening_v", "shipment_v", "sales_return_v", "closing_v"],
        shop_id=shop_id,
    )
    if by == "category":
        grouped: dict = {}
        for row in rows:
            product = row["product"]
            key = product.category_name or "—"
            item = grouped.setdefault(
                key,
                {
                    "name": key,
                    "cogs": ZERO,
                    "opening": ZERO,
                    "closing": ZERO,
                    "lead": product.lead_time_days,
                },
            )
            item["cogs"] += row["shipment_v"] - row["sales_return_v"]
            item["opening"] += row["opening_v"]
            item["closing"] += row["closing_v"]
        items = list(grouped.values())
    else:
        # One row per product already: no grouping (10,000 rows at chain size).
        items = [
            {
                "name": f"{row['product'].sku} {row['product'].name}",
                "cogs": row["shipment_v"] - row["sales_return_v"],
                "opening": row["opening_v"],
                "closing": row["closing_v"],
                "lead": row["product"].lead_time_days,
            }
            for row in rows
        ]
    days = Decimal((end - start).days)
    for item in items:
        average = (item["opening"] + item["closing"]) / 2
        rate = (item["cogs"] / average).quantize(CENT) if average else None
        days_left = (days / rate).quantize(TENTH) if rate else None
        flag = ""
        if days_left is None and item["closing"] > 0 or days_left and days_left > 90:
            flag = "slow"
        elif days_left is not None and days_left < item["lead"] + 7:
            flag = "fast"
        item["average"] = average.quantize(CENT)
        item["turnover"] = rate
        item["days"] = days_left
        item["flag"] = flag
    return sorted(items, key=lambda r: (r["turnover"] is None, -(r["turnover"] or 0)))


def shops_side_by_side(*, start: date, end: date) -> list[dict]:
    """One row per shop: net sales, cost of goods sold, stock value now, average
    inventory, turnover and days of inventory over [start, end) (the turnover
    report's arithmetic on the shop's warehouses)."""
    sales = sales_selectors.sales_by_shop(moment(start), moment(end))
    values = inventory_selectors.stock_value_by_shop()
    days = Decimal((end - start).days)
    rows = []
    for shop in Shop.objects.order_by("code"):
        _rows, totals = summary(
            start=start,
            end=end,
            shop_id=shop.pk,
            window=(0, 1),
            fields=["opening_v", "shipment_v", "sales_return_v", "closing_v"],
        )
        cogs = totals["shipment_v"] - totals["sales_return_v"]
        average = ((totals["opening_v"] + totals["closing_v"]) / 2).quantize(CENT)
        rate = (cogs / average).quantize(CENT) if average else None
        rows.append(
            {
                "name": shop.name,
                "sales": sales.get(shop.pk, ZERO),
                "cogs": cogs,
                "stock_value": values.get(shop.pk, ZERO),
                "average": average,
                "turnover": rate,
                "days": (days / rate).quantize(TENTH) if rate else None,
            }
        )
    if values.get(None):  # goods between two shops (transfer requests): 在途
        rows.append(
            {
                "name": _("In transit"),
                "sales": ZERO,
                "cogs": ZERO,
                "stock_value": values[None],
                "average": None,
                "turnover": None,
                "days": None,
            }
        )
    return rows


def sales_ranking(
    *, start: date, end: date, by: str = "product", shop_id=None
) -> list[dict]:
    """Net sales ranked by amount, with each row's ABC class (A: the first 80 % of
    revenue, B: the next 15 %, C: the rest); ``shop_id``: that shop's only."""
    rows = sales_selectors.sales_by(by, moment(start), moment(end), shop_id=shop_id)
    rows.sort(key=lambda r: r["amount"], reverse=True)
    grand = sum((r["amount"] for r in rows), ZERO)
    running = ZERO
    for row in rows:
        running += row["amount"]
        share = running / grand if grand else ZERO
        row["abc"] = (
            "A" if share <= Decimal("0.8") else "B" if share <= Decimal("0.95") else "C"
        )
        row["share"] = (
            (row["amount"] / grand * 100).quantize(Decimal("0.1")) if grand else ZERO
        )
    return rows


def period_comparison(*, start: date, end: date, shop_id=None) -> dict:
    """This period's sales beside the previous period of the same length."""
    length = end - start
    now = sales_selectors.sales_totals(moment(start), moment(end), shop_id)
    before = sales_selectors.sales_totals(
        moment(start - length), moment(start), shop_id
    )
    change = _ratio((now["amount"] - before["amount"]) * 100, before["amount"], "0.1")
    return {"now": now, "before": before, "change": change}


def counter_takings(*, start: date, end: date, shop_id=None) -> list:
    """Counter takings per payment method in the period (sales, refunds, net), the
    methods that took or gave back money only: none for a shop that sells only by
    order."""
    rows = sales_selectors.takings(moment(start), moment(end), shop_id)
    return [row for row in rows if row.sales or row.refunds]


def price_volatility(*, start: date, end: date) -> list[dict]:
    """Per product and supplier: min, max, mean, standard deviation, coefficient of
    variation (σ ÷ mean), last price and trend (last − first). A CV above 10 % is
    flagged: that supplier's prices swing."""
    rows = []
    for row in purchasing_selectors.price_spread(moment(start), moment(end)):
        n = Decimal(row["n"])
        mean = Decimal(row["sx"]) / n
        variance = max(Decimal(row["sxx"]) / n - mean * mean, ZERO)
        sigma = variance.sqrt().quantize(Decimal("0.0001"))
        cv = _ratio(sigma * 100, mean, "0.1") if mean else None
        rows.append(
            {
                **row,
                "mean": mean.quantize(Decimal("0.0001")),
                "sigma": sigma,
                "cv": cv,
                "trend": row["last"] - row["first"],
                "flag": "swing" if cv is not None and cv > 10 else "",
            }
        )
    return sorted(rows, key=lambda r: -(r["cv"] or 0))
