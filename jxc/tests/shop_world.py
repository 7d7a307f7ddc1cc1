"""A small shop with one record of every kind, built through the real services, for
the permission matrix and the cost-visibility tests.

Its cost figures are chosen so that they cannot turn up on a page by accident and
can be searched for: product A (SEC-A) only ever came in through opening stock at
¥7,913.47 (a document a clerk cannot open), so no figure a clerk may see (a sale
price, a price on a purchase document) is derived from it. Product B (SEC-B) came
in at ¥2,345.67 (opening) and ¥1,234.56 (a receipt, which a clerk may see) and so
costs ¥1,604.93 on average.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from api import services as api_services
from catalog.models import Warehouse
from catalog.tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
)
from counter import services as counter_services
from finance import services as finance
from finance.models import Account
from inventory import documents, transfer_requests
from inventory.models import AdjustmentReason, StockLevel
from purchasing import services as purchasing
from purchasing.tests.factories import ordered, received
from sales import services as sales
from sales.models import SalePayment
from sales.tests.factories import confirmed, draft, ship

SALE_PRICE_A = Decimal("9876.54")
COST_A = Decimal("7913.47")
COST_B = Decimal("1604.93")
# (9,876.54 − 7,913.47) ÷ 9,876.54: no page shows a margin yet; should one come,
# a clerk must not see it either.
MARGIN_A = Decimal("19.88")

# Figures a clerk must never see, in any form (¥7,913.47, 7913.47, 7913.4700).
COST_FIGURES = {
    COST_A: "unit cost of A",
    Decimal("23740.41"): "stock value of A in the main warehouse (3 × cost)",
    Decimal("31653.88"): "stock value of A (4 × cost)",
    Decimal("39567.35"): "opening stock value of A (5 × cost)",
    Decimal("15826.94"): "cost of goods of the shipment (2 × cost of A)",
    Decimal("1963.07"): "gross profit per unit of A (sale price − cost)",
    Decimal("3926.14"): "gross profit of the shipment",
    MARGIN_A: "gross margin of A, percent",
    Decimal("2345.67"): "opening unit cost of B",
    COST_B: "average unit cost of B",
    Decimal("3209.86"): "cost of the purchase return (2 × average cost of B)",
    Decimal("33258.81"): "stock value of the shop",
}


def build(owner) -> dict[str, int]:
    """Every kind of record, posted through the services; the ids by name."""
    main = Warehouse.objects.get(is_default=True)
    second = WarehouseFactory(code="W2", name="门店仓")
    category = CategoryFactory(name="安全测试")
    supplier = SupplierFactory(code="SUP-SEC", name="测试供应商")
    customer = CustomerFactory(code="CUS-SEC", name="测试客户")
    product = ProductFactory(
        sku="SEC-A",
        name="测试商品甲",
        category=category,
        sale_price=SALE_PRICE_A,
        purchase_price=Decimal("6500.00"),
        preferred_supplier=supplier,
    )
    product_b = ProductFactory(
        sku="SEC-B",
        name="测试商品乙",
        category=category,
        sale_price=Decimal("2999.00"),
        purchase_price=Decimal("1234.56"),
    )
    product_c = ProductFactory(
        sku="SEC-C", name="测试商品丙", category=category, unit="公斤", plu="42"
    )
    clerk = StaffFactory(username="xiaoli")

    opening = documents.opening_stock_post(
        lines=[
            (product, main, Decimal(5), COST_A),
            (product_b, main, Decimal(1), Decimal("2345.67")),
        ],
        note="",
        user=owner,
    )
    transfer = documents.transfer_post(
        from_warehouse=main,
        to_warehouse=second,
        lines=[(product, Decimal(1))],
        note="",
        user=owner,
    )
    transfer_request = transfer_requests.transfer_request_create(
        from_warehouse=main,
        to_warehouse=second,
        lines=[(product, Decimal(1))],
        note="",
        user=owner,
    )
    purchase_draft = ordered(
        owner, [(product_b, 10, "1234.56")], supplier=supplier, confirm=False
    )
    purchase_order = ordered(owner, [(product_b, 5, "1234.56")], supplier=supplier)
    receipt = received(owner, purchase_order, [(product_b, 2)])
    purchase_return = purchasing.purchase_return_post(
        supplier=supplier,
        warehouse=main,
        lines=[purchasing.ReturnLineInput(product_b, Decimal(2))],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )
    # A direct return leaves at the average cost; what is left is written off.
    adjustment = documents.adjustment_post(
        warehouse=main,
        lines=[
            documents.AdjustmentInput(product_b, Decimal(-1), AdjustmentReason.DAMAGED)
        ],
        note="",
        user=owner,
    )
    documents.opening_stock_post(
        lines=[(product_b, second, Decimal(1), COST_B)], note="", user=owner
    )
    # At the cost it has: the correction adds no figure of its own.
    cost_adjustment = documents.cost_adjustment_post(
        warehouse=second,
        product=product_b,
        new_unit_cost=COST_B,
        reason="核对成本",
        user=owner,
    )

    sales_draft = draft(owner, [(product, 1)], customer=customer)
    sales_order = confirmed(owner, [(product, 3)], customer=customer)
    shipment = ship(owner, sales_order, {product: 2})
    shipment_line = shipment.lines.get()
    sales_return = sales.sales_return_post(
        shipment=shipment,
        quantities={shipment_line.pk: Decimal(1)},
        reason="尺码不合适",
        occurred_at=timezone.now(),
        user=owner,
    )

    # A counter sale paid two ways of all the stock C had (the shop's stock value
    # stays A's and B's), and the shift of a clerk other than the matrix's (a clerk
    # opens only their own).
    documents.opening_stock_post(
        lines=[(product_c, main, Decimal(2), Decimal("3.00"))], note="", user=owner
    )
    counter_sale = sales.retail_sale_post(
        warehouse=main,
        lines=[sales.SaleLineInput(product_c, Decimal(2), Decimal("6.80"))],
        amount_received=Decimal("20"),
        user=clerk,
    )
    SalePayment.objects.bulk_create(
        [
            SalePayment(
                order=counter_sale,
                method="wechat",
                amount=Decimal("3.60"),
                created_by=clerk,
            ),
            SalePayment(
                order=counter_sale,
                method="cash",
                amount=Decimal("10.00"),
                tendered=Decimal("20"),
                created_by=clerk,
            ),
        ]
    )
    shift = counter_services.shift_open(clerk=clerk)
    # Money: a customer pays into the till, the shop pays the supplier from it.
    till = Account.objects.get(payment_method="cash")
    customer_payment = finance.payment_post(
        customer=customer,
        account=till,
        amount=Decimal("100"),
        occurred_at=timezone.now(),
        user=owner,
    )
    supplier_payment = finance.payment_post(
        supplier=supplier,
        account=till,
        amount=Decimal("50"),
        occurred_at=timezone.now(),
        user=owner,
    )

    stocktake = documents.stocktake_start(
        warehouse=main, categories=[category], note="", user=owner
    )
    line = stocktake.lines.get(product=product)
    documents.stocktake_counts_save(
        stocktake=stocktake,
        counts={line.pk: Decimal(2)},
        version=stocktake.version,
        user=owner,
    )

    _check_figures(product, product_b, main, second, shipment)
    from jxc.tests.fuzz_world import _cash_book

    money = {name: row.pk for name, row in _cash_book(owner).items()}
    goods = _goods(product_b, category)
    backup_file()
    api_key = api_services.api_key_create(
        name="网店",
        scope="full",
        user=owner,
        webhook_url="http://127.0.0.1:9/hook",
    ).key
    api_services.webhook_events_add(
        [api_key.pk], [("document.posted", {"document": {"type": "shipment"}})]
    )
    return {
        **money,
        **goods,
        "api_key": api_key.pk,
        "product": product.pk,
        "product_b": product_b.pk,
        "category": category.pk,
        "supplier": supplier.pk,
        "customer": customer.pk,
        "warehouse": main.pk,
        "warehouse2": second.pk,
        "shop": main.shop_id,
        "clerk": clerk.pk,
        "opening": opening.pk,
        "transfer": transfer.pk,
        "transfer_request": transfer_request.pk,
        "adjustment": adjustment.pk,
        "costadjustment": cost_adjustment.pk,
        "stocktake": stocktake.pk,
        "purchase_draft": purchase_draft.pk,
        "purchase_order": purchase_order.pk,
        "receipt": receipt.pk,
        "purchase_return": purchase_return.pk,
        "sales_draft": sales_draft.pk,
        "sales_order": sales_order.pk,
        "shipment": shipment.pk,
        "sales_return": sales_return.pk,
        "counter_sale": counter_sale.pk,
        "shift": shift.pk,
        "customer_payment": customer_payment.pk,
        "supplier_payment": supplier_payment.pk,
    }


def _check_figures(product, product_b, main, second, shipment) -> None:
    """The world holds the figures COST_FIGURES names (else the search proves
    nothing)."""
    levels = {
        (level.product_id, level.warehouse_id): level
        for level in StockLevel.objects.all()
    }
    a_main = levels[product.pk, main.pk]
    assert (a_main.on_hand, a_main.unit_cost, a_main.value) == (
        3,
        COST_A,
        Decimal("23740.41"),
    )
    assert levels[product.pk, second.pk].value == COST_A
    assert levels[product_b.pk, second.pk].unit_cost == COST_B
    assert sum(level.value for level in levels.values()) == Decimal("33258.81")
    shipment.refresh_from_db()
    assert shipment.cost_total == Decimal("15826.94")
    assert shipment.profit == Decimal("3926.14")


def _goods(product_b, category) -> dict[str, int]:
    """A style with variants, a price level and a box of product B: their pages."""
    from catalog import services as catalog
    from catalog.tests.factories import style_with

    style = style_with(code="TEE9", colours=("RD",), sizes=("S",), category=category)
    catalog.style_variants_generate(style=style)
    level = catalog.price_level_save(data={"name": "批发价"})
    catalog.package_units_save(
        product=product_b,
        rows=[
            {
                "pk": None,
                "name": "箱",
                "factor": Decimal(6),
                "barcode": "",
                "sale_price": None,
            }
        ],
    )
    return {
        "style": style.pk,
        "attribute": style.values.first().attribute_id,
        "pricelevel": level.pk,
    }


BACKUP_NAME = "jxc-20261126-023000.sqlite3"


def backup_file() -> None:
    """A backup in the backup folder (its name as manage.py backup writes it)."""
    folder = Path(settings.JXC_BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BACKUP_NAME).write_bytes(b"SQLite format 3\x00")
