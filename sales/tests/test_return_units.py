"""A line entered in 箱 ships and comes back in 瓶 too (issue 19): the shipment,
return and counter-return forms take base units beside the line's unit, so 1 瓶
of a 24-瓶 箱 line can be returned; its refund is the line's amount × 1/24 rounded
half-up, and all returns of a line never exceed its amount."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import PackageUnit, Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory import documents
from inventory.models import StockLevel, StockMove
from sales import services as sales
from sales.forms import ReturnForm, ShipmentForm
from sales.models import SalesReturn, SalesReturnLine

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cola(db):
    product = ProductFactory(
        sku="COLA", name="可乐", unit="瓶", sale_price=D("2.50"), purchase_price=D(2)
    )
    box = PackageUnit.objects.create(product=product, name="箱", factor=D(24))
    return product, box


def default():
    return Warehouse.objects.get(is_default=True)


def shipped_in_boxes(owner, product, box, boxes="1", price="50.00"):
    documents.opening_stock_post(
        lines=[(product, default(), D(3), D("48.00"), box)], note="", user=owner
    )
    order = sales.sales_order_save(
        customer=CustomerFactory(),
        warehouse=default(),
        order_date=timezone.localdate(),
        note="",
        lines=[sales.SaleLineInput(product, D(boxes), D(price), unit=box)],
        user=owner,
    )
    sales.sales_order_confirm(order=order, user=owner)
    line = order.lines.get()
    return sales.shipment_post(
        order=order,
        quantities={line.pk: line.quantity},
        occurred_at=timezone.now(),
        user=owner,
    )


def returned(owner, shipment, quantity):
    line = shipment.lines.get()
    return sales.sales_return_post(
        shipment=shipment,
        quantities={line.pk: D(quantity)},
        reason="",
        occurred_at=timezone.now(),
        user=owner,
    )


def test_one_bottle_of_a_box_line_refunds_a_24th_rounded_half_up(owner, cola):
    product, box = cola
    shipment = shipped_in_boxes(owner, product, box)
    line = shipment.lines.get()
    assert (line.quantity, line.amount) == (D(24), D("50.00"))
    first = returned(owner, shipment, "1")
    row = first.lines.get()
    # ¥50.00 / 24 = ¥2.0833… → ¥2.08; the line is 1 瓶 (no whole 箱).
    assert (row.amount, row.quantity, row.unit, row.entered_text) == (
        D("2.08"),
        D(1),
        None,
        "1 瓶",
    )
    returned(owner, shipment, "23")  # the rest: exactly what is left
    total = sum(r.amount for r in SalesReturnLine.objects.all())
    assert total == line.amount
    assert StockLevel.objects.get(product=product, warehouse=default()).on_hand == 72
    call_command("check_stock")
    call_command("check_money")


def test_returns_of_a_line_never_exceed_its_amount(owner, cola):
    product, box = cola
    # 1 箱 at ¥0.05: every 瓶 is ¥0.0021 → ¥0.00; the last takes the ¥0.05.
    shipment = shipped_in_boxes(owner, product, box, price="0.05")
    for _n in range(23):
        returned(owner, shipment, "1")
    returned(owner, shipment, "1")
    amounts = [r.amount for r in SalesReturnLine.objects.all()]
    assert sum(amounts) == D("0.05") and min(amounts) >= 0
    call_command("check_stock")


def test_partial_returns_are_capped_at_what_is_left(owner, cola):
    product, box = cola
    # ¥0.05 for 24 瓶 returned 3 瓶 at a time: ¥0.00625 → ¥0.01 each; 8 parts
    # would be ¥0.08 but the line was ¥0.05.
    shipment = shipped_in_boxes(owner, product, box, price="0.05")
    for _n in range(8):
        returned(owner, shipment, "3")
    amounts = [r.amount for r in SalesReturnLine.objects.all()]
    assert sum(amounts) == D("0.05")
    assert amounts[:5] == [D("0.01")] * 5 and amounts[5:] == [D(0)] * 3
    call_command("check_stock")


def test_more_than_is_left_is_refused_and_nothing_is_written(owner, cola):
    product, box = cola
    shipment = shipped_in_boxes(owner, product, box)
    returned(owner, shipment, "1")
    before = (SalesReturn.objects.count(), StockMove.objects.count())
    with pytest.raises(ValidationError):
        returned(owner, shipment, "24")
    assert (SalesReturn.objects.count(), StockMove.objects.count()) == before


def test_the_return_form_takes_boxes_and_bottles(owner, owner_client, cola):
    product, box = cola
    shipment = shipped_in_boxes(owner, product, box, boxes="2", price="50.00")
    line = shipment.lines.get()
    url = reverse("sales:return_create") + f"?shipment={shipment.pk}"
    page = owner_client.get(url).content.decode()
    assert f'name="return_{line.pk}_base"' in page
    before = (SalesReturn.objects.count(), StockMove.objects.count())
    # 1/24 箱 is no exact number: refused, nothing written.
    refused = owner_client.post(url, {f"return_{line.pk}": "0.0001"})
    assert refused.status_code == 200
    # 2 箱 + 1 瓶 is more than the 48 瓶 shipped.
    refused = owner_client.post(
        url, {f"return_{line.pk}": "2", f"return_{line.pk}_base": "1"}
    )
    assert refused.status_code == 200
    assert (SalesReturn.objects.count(), StockMove.objects.count()) == before
    done = owner_client.post(
        url, {f"return_{line.pk}": "1", f"return_{line.pk}_base": "1"}
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    row = SalesReturnLine.objects.get()
    # 25 瓶 of a ¥100.00 line of 48: ¥52.0833… → ¥52.08, shown in 瓶.
    assert (row.quantity, row.amount, row.entered_text) == (
        D(25),
        D("52.08"),
        "25 瓶",
    )
    call_command("check_stock")


def test_the_forms_split_what_is_no_whole_box(owner, cola):
    product, box = cola
    shipment = shipped_in_boxes(owner, product, box)
    line = shipment.lines.get()
    form = ReturnForm({f"return_{line.pk}_base": "1"}, lines=[line])
    assert form.is_valid(), form.errors
    assert form.quantities() == {line.pk: D(1)}
    form = ReturnForm(
        {f"return_{line.pk}": "0.5", f"return_{line.pk}_base": "2"}, lines=[line]
    )
    assert form.is_valid() and form.quantities() == {line.pk: D(14)}
    form = ReturnForm({f"return_{line.pk}": "0.0001"}, lines=[line])
    assert not form.is_valid() and f"return_{line.pk}" in form.errors
    # Shipping 29 瓶 of a 箱 line starts as 1 箱 + 5 瓶.
    line.remaining, line.reserved_quantity, line.available = D(29), D(29), D(0)
    form = ShipmentForm(None, lines=[line])
    assert form[f"ship_{line.pk}"].initial == "1"
    assert form[f"ship_{line.pk}_base"].initial == "5"


def test_the_shipment_form_ships_bottles_of_a_box_line(owner, owner_client, cola):
    product, box = cola
    documents.opening_stock_post(
        lines=[(product, default(), D(3), D("48.00"), box)], note="", user=owner
    )
    order = sales.sales_order_save(
        customer=CustomerFactory(),
        warehouse=default(),
        order_date=timezone.localdate(),
        note="",
        lines=[sales.SaleLineInput(product, D(1), D("50.00"), unit=box)],
        user=owner,
    )
    sales.sales_order_confirm(order=order, user=owner)
    order.refresh_from_db()
    line = order.lines.get()
    url = reverse("sales:shipment_create") + f"?order={order.pk}"
    assert f'name="ship_{line.pk}_base"' in owner_client.get(url).content.decode()
    data = {
        "version": order.version,
        f"ship_{line.pk}": "",
        f"ship_{line.pk}_base": "5",
    }
    assert owner_client.post(url, data).status_code == 302
    shipped = order.shipments.get().lines.get()
    # 5 瓶 of a ¥50.00 箱: ¥10.4166… → ¥10.42.
    assert (shipped.quantity, shipped.entered_text, shipped.amount) == (
        D(5),
        "5 瓶",
        D("10.42"),
    )
    call_command("check_stock")
