"""Units on document lines (issue 19, 箱 / 瓶): a line keeps the unit it was
entered in, its factor and the quantity as typed; the ledger gets base units and
exact money. Receipt in 箱 → counter and shipment in 瓶 and 箱 → return in 箱 →
stocktake counted in 箱 + 瓶, with check_stock and check_money clean."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import PackageUnit, Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from counter import services as counter
from counter.services import PaymentEntry
from inventory import documents
from inventory.forms import CountSheetForm
from inventory.models import StockLevel, StockMove
from purchasing import services as purchasing
from purchasing.models import GoodsReceipt, GoodsReceiptLine
from sales import services as sales
from sales.models import ShipmentLine

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cola(db):
    product = ProductFactory(
        name="可乐", unit="瓶", sale_price=D("2.50"), purchase_price=D("2.00")
    )
    box = PackageUnit.objects.create(
        product=product, name="箱", factor=D(24), barcode="6900000000017"
    )
    return product, box


def level(product) -> StockLevel:
    return StockLevel.objects.get(
        product=product, warehouse=Warehouse.objects.get(is_default=True)
    )


def receipt_in_boxes(owner, product, box, boxes="5", cost="50.00"):
    return purchasing.receipt_post(
        supplier=SupplierFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[
            purchasing.ReceiptLineInput(product, D(boxes), unit_cost=D(cost), unit=box)
        ],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )


def test_receipt_sale_return_and_count_in_boxes_and_bottles(owner, cola):
    product, box = cola
    warehouse = Warehouse.objects.get(is_default=True)
    # Receipt: 5 箱 at ¥50.00 a 箱 is ¥250.00, 120 瓶 in stock worth exactly that.
    receipt = receipt_in_boxes(owner, product, box)
    line = receipt.lines.get()
    assert (line.quantity, line.entered_quantity, line.unit, line.unit_factor) == (
        D(120),
        D(5),
        box,
        D(24),
    )
    assert line.amount == D("250.00") and receipt.total == D("250.00")
    assert line.entered_text == "5 箱" and line.quantity_text == "5 箱 (120 瓶)"
    stock = level(product)
    assert (stock.on_hand, stock.value) == (D(120), D("250.00"))

    # The counter: a box barcode adds 1 箱, again 2 箱; the bottle's 3 瓶.
    counter.cart_warehouse_set(user=owner, warehouse=warehouse)
    counter.cart_scan(user=owner, code="6900000000017")
    counter.cart_scan(user=owner, code="6900000000017")
    for _ in range(3):
        counter.cart_scan(user=owner, code=product.sku)
    cart = counter._cart_locked(owner)
    assert [(row.get("unit", None), row["quantity"]) for row in cart.lines] == [
        (box.pk, "2"),
        (None, "3"),
    ]
    sale = counter.cart_checkout(user=owner, entry=PaymentEntry(amounts={}))
    lines = {line.unit_id: line for line in sale.lines.all()}
    # 2 箱 at the sale price × 24 (¥60.00 a 箱) and 3 瓶 at ¥2.50.
    assert lines[box.pk].amount == D("120.00") and lines[box.pk].quantity == D(48)
    assert lines[None].amount == D("7.50") and lines[None].quantity == D(3)
    assert sale.total == D("127.50")
    shipped = {
        row.unit_id: row for row in ShipmentLine.objects.filter(order_line__order=sale)
    }
    assert shipped[box.pk].entered_text == "2 箱"
    assert level(product).on_hand == D(69)
    slip = reverse("counter:slip", args=[sale.pk])

    # A sales order of 1 箱 at ¥55.00 shipped as 1 箱.
    customer = CustomerFactory()
    order = sales.sales_order_save(
        customer=customer,
        warehouse=warehouse,
        order_date=timezone.localdate(),
        note="",
        lines=[sales.SaleLineInput(product, D(1), D("55.00"), unit=box)],
        user=owner,
    )
    order_line = order.lines.get()
    assert (order_line.quantity, order_line.amount) == (D(24), D("55.00"))
    sales.sales_order_confirm(order=order, user=owner)
    shipment = sales.shipment_post(
        order=order,
        quantities={order_line.pk: D(24)},
        occurred_at=timezone.now(),
        user=owner,
    )
    ship_line = shipment.lines.get()
    assert ship_line.entered_text == "1 箱" and ship_line.amount == D("55.00")
    assert level(product).on_hand == D(45)

    # Back from the customer: 1 箱.
    returned = sales.sales_return_post(
        shipment=shipment,
        quantities={ship_line.pk: D(24)},
        reason="",
        occurred_at=timezone.now(),
        user=owner,
    )
    back = returned.lines.get()
    assert back.entered_text == "1 箱" and back.amount == D("55.00")
    assert level(product).on_hand == D(69)

    # The count: 2 箱 + 20 瓶 (one bottle missing), typed on the count sheet.
    stocktake = documents.stocktake_start(
        warehouse=warehouse, categories=[], note="", user=owner
    )
    sheet_lines = list(stocktake.lines.select_related("product"))
    sheet_line = next(line for line in sheet_lines if line.product_id == product.pk)
    form = CountSheetForm(
        {
            "version": stocktake.version,
            f"count_{sheet_line.pk}": "20",
            f"package_{sheet_line.pk}": "2",
        },
        lines=sheet_lines,
        packages={product.pk: box},
    )
    assert form.is_valid(), form.errors
    assert form.counts()[sheet_line.pk] == D(68)
    stocktake = documents.stocktake_counts_save(
        stocktake=stocktake, counts=form.counts(), version=stocktake.version, user=owner
    )
    # A scanned box adds 24 more: 92; set back with "2 箱 + 20" by typing.
    documents.stocktake_count_scan(
        stocktake=stocktake, code="6900000000017", quantity=None, user=owner
    )
    sheet_line.refresh_from_db()
    assert sheet_line.counted_quantity == D(92)
    documents.stocktake_count_scan(
        stocktake=stocktake, code=product.sku, quantity=D(68), user=owner
    )
    stocktake.refresh_from_db()
    documents.stocktake_post(
        stocktake=stocktake,
        version=stocktake.version,
        user=owner,
        confirmed={sheet_line.pk},
    )
    assert level(product).on_hand == D(68)
    call_command("check_stock")
    call_command("check_money")
    return slip


def test_the_counter_slip_and_documents_show_the_unit(owner_client, owner, cola):
    product, box = cola
    receipt = receipt_in_boxes(owner, product, box, boxes="2")
    page = owner_client.get(receipt.get_absolute_url())
    assert "2 箱 (48 瓶)" in page.content.decode()
    counter.cart_warehouse_set(
        user=owner, warehouse=Warehouse.objects.get(is_default=True)
    )
    counter.cart_scan(user=owner, code="6900000000017")
    view = owner_client.get(reverse("counter:index"))
    assert "箱" in view.content.decode()
    sale = counter.cart_checkout(user=owner, entry=PaymentEntry(amounts={}))
    slip = owner_client.get(reverse("counter:slip", args=[sale.pk])).content.decode()
    assert "1箱 × ¥60.00" in slip


def test_an_inexact_conversion_is_refused_and_nothing_is_written(owner, cola):
    product, box = cola
    before = (GoodsReceipt.objects.count(), StockMove.objects.count())
    with pytest.raises(ValidationError) as refused:
        receipt_in_boxes(owner, product, box, boxes="0.0001")
    assert "3" in str(refused.value)
    assert (GoodsReceipt.objects.count(), StockMove.objects.count()) == before


def test_the_receipt_form_takes_a_box_barcode_and_refuses_an_inexact_one(
    owner_client, cola
):
    product, box = cola
    supplier = SupplierFactory()
    url = reverse("purchasing:receipt_create")
    data = {
        "supplier": supplier.code,
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "date": timezone.localdate().isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "6900000000017",
        "lines-0-quantity": "0.0005",
        "lines-0-unit_cost": "48.00",
    }
    page = owner_client.post(url, data)
    assert page.status_code == 200 and not GoodsReceipt.objects.exists()
    data["lines-0-quantity"] = "2"
    page = owner_client.post(url, data)
    assert page.status_code == 302, page.content.decode()[:3000]
    line = GoodsReceiptLine.objects.get()
    # Scanned as a box: 2 箱 at ¥48.00 = ¥96.00, 48 瓶 in stock.
    assert (line.unit, line.entered_quantity, line.quantity, line.amount) == (
        box,
        D(2),
        D(48),
        D("96.00"),
    )
    assert level(product).value == D("96.00")


def test_the_unit_select_is_filled_for_the_product_a_code_names(owner_client, cola):
    product, box = cola
    url = reverse("catalog:unit_options")
    scanned = owner_client.get(url, {"code": "6900000000017"}).content.decode()
    assert f'value="{box.pk}" selected' in scanned and ">瓶<" in scanned
    typed = owner_client.get(url, {"code": product.sku}).content.decode()
    assert f'value="{box.pk}"' in typed and "selected" not in typed
    assert "option" in owner_client.get(url, {"code": "nothing"}).content.decode()


def test_a_shipment_is_typed_in_the_order_lines_unit(owner_client, owner, cola):
    product, box = cola
    receipt_in_boxes(owner, product, box, boxes="3")
    order = sales.sales_order_save(
        customer=CustomerFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        order_date=timezone.localdate(),
        note="",
        lines=[sales.SaleLineInput(product, D(2), unit=box)],
        user=owner,
    )
    line = order.lines.get()
    # The package's price: the sale price × 24.
    assert (line.unit_price, line.amount, line.quantity) == (
        D("60.00"),
        D("120.00"),
        D(48),
    )
    sales.sales_order_confirm(order=order, user=owner)
    order.refresh_from_db()
    url = reverse("sales:shipment_create") + f"?order={order.pk}"
    page = owner_client.get(url).content.decode()
    assert f'name="ship_{line.pk}" value="2"' in page  # 2 箱, not 48
    data = {"version": order.version, f"ship_{line.pk}": "0.0001"}
    page = owner_client.post(url, data)
    assert page.status_code == 200 and not order.shipments.exists()
    data[f"ship_{line.pk}"] = "1.5"
    assert owner_client.post(url, data).status_code == 302
    shipped = order.shipments.get().lines.get()
    assert (shipped.quantity, shipped.entered_text, shipped.amount) == (
        D(36),
        "1.5 箱",
        D("90.00"),
    )
    call_command("check_stock")


def test_the_minimum_price_compares_per_base_unit(owner, staff, cola):
    product, box = cola
    product.min_price = D("2.00")
    product.save()
    receipt_in_boxes(owner, product, box, boxes="2")
    # ¥50.00 a 箱 of 24 is ¥2.08 a 瓶: above the floor, no approval needed.
    order = sales.sales_order_save(
        customer=CustomerFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        order_date=timezone.localdate(),
        note="",
        lines=[sales.SaleLineInput(product, D(1), D("50.00"), unit=box)],
        user=staff,
    )
    assert order.total == D("50.00")
    with pytest.raises(ValidationError):  # ¥1.50 a 瓶 is below it
        sales.sales_order_save(
            customer=CustomerFactory(),
            warehouse=Warehouse.objects.get(is_default=True),
            order_date=timezone.localdate(),
            note="",
            lines=[sales.SaleLineInput(product, D(1), D("36.00"), unit=box)],
            user=staff,
        )


def test_the_api_shows_and_takes_package_units(owner, cola):
    from api.tests.helpers import KeyClient, key_for

    product, box = cola
    receipt_in_boxes(owner, product, box, boxes="2")
    _key, token = key_for(owner)
    client = KeyClient(token)
    body = {
        "customer": CustomerFactory().pk,
        "lines": [
            {"product": product.pk, "quantity": "1", "package_unit": box.pk},
            {"product": product.pk, "quantity": "3"},
        ],
    }
    response = client.post("/api/v1/sales-orders/", body)
    assert response.status_code == 201, response.content
    lines = sorted(response.json()["lines"], key=lambda line: line["entered_unit"])
    found = [
        (row["entered_quantity"], row["entered_unit"], row["quantity"], row["amount"])
        for row in lines
    ]
    assert found == [
        ("3.000", "瓶", "3.000", "7.50"),
        ("1.000", "箱", "24.000", "60.00"),
    ]


def test_the_counter_changes_the_line_in_the_unit_the_page_names(
    owner_client, owner, cola
):
    product, box = cola
    receipt_in_boxes(owner, product, box, boxes="3")
    counter.cart_warehouse_set(
        user=owner, warehouse=Warehouse.objects.get(is_default=True)
    )
    counter.cart_scan(user=owner, code=product.sku)
    counter.cart_scan(user=owner, code="6900000000017")
    line_url = reverse("counter:line")
    owner_client.post(line_url, {"product": product.pk, "unit": box.pk, "step": "1"})
    owner_client.post(line_url, {"product": product.pk, "quantity": "4"})
    cart = counter._cart_locked(owner)
    assert [(row.get("unit"), row["quantity"]) for row in cart.lines] == [
        (None, "4"),
        (box.pk, "2"),
    ]
    page = owner_client.get(reverse("counter:index")).content.decode()
    assert f'id="qty-{product.pk}-{box.pk}"' in page
    # 2 箱 + 4 瓶 = 52 瓶 wanted of 72: not short.
    assert "line-short" not in page
    owner_client.post(
        reverse("counter:remove"), {"product": product.pk, "unit": box.pk}
    )
    cart = counter._cart_locked(owner)
    assert [row.get("unit") for row in cart.lines] == [None]
