"""Units (箱 / 瓶) on the stock documents (issue 19): adjustments, transfers and
opening stock take a line's unit; the ledger gets base units exactly, an inexact
conversion is refused with nothing written, and check_stock stays clean."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from catalog.models import PackageUnit, Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from inventory import documents
from inventory.models import (
    Adjustment,
    AdjustmentLine,
    OpeningStock,
    StockLevel,
    StockMove,
    Transfer,
    TransferLine,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cola(db):
    product = ProductFactory(
        sku="COLA", name="可乐", unit="瓶", sale_price=D("2.50"), purchase_price=D(2)
    )
    box = PackageUnit.objects.create(
        product=product, name="箱", factor=D(24), barcode="6900000000017"
    )
    return product, box


def default():
    return Warehouse.objects.get(is_default=True)


def on_hand(product, warehouse=None) -> Decimal:
    level = StockLevel.objects.filter(
        product=product, warehouse=warehouse or default()
    ).first()
    return level.on_hand if level else D(0)


def written():
    return (
        OpeningStock.objects.count(),
        Adjustment.objects.count(),
        Transfer.objects.count(),
        StockMove.objects.count(),
    )


def opening_in_boxes(owner, product, box, boxes="3", cost="50.00"):
    return documents.opening_stock_post(
        lines=[(product, default(), D(boxes), D(cost), box)], note="", user=owner
    )


def test_opening_stock_in_boxes_books_base_units_and_the_exact_value(owner, cola):
    product, box = cola
    opening = opening_in_boxes(owner, product, box)
    line = opening.lines.get()
    assert (line.unit, line.unit_factor, line.entered_quantity, line.quantity) == (
        box,
        D(24),
        D(3),
        D(72),
    )
    level = StockLevel.objects.get(product=product, warehouse=default())
    # 3 箱 × ¥50.00 = ¥150.00 exactly, not 72 × ¥2.0833.
    assert (level.on_hand, level.value) == (D(72), D("150.00"))
    call_command("check_stock")


def test_an_adjustment_in_boxes_writes_off_base_units(owner, cola):
    product, box = cola
    opening_in_boxes(owner, product, box)
    documents.adjustment_post(
        warehouse=default(),
        lines=[documents.AdjustmentInput(product, D(-1), "damaged", unit=box)],
        note="",
        user=owner,
    )
    line = AdjustmentLine.objects.get()
    assert (line.unit, line.entered_quantity, line.quantity) == (box, D(-1), D(-24))
    assert on_hand(product) == D(48)
    call_command("check_stock")


def test_a_transfer_in_boxes_moves_base_units(owner, cola):
    product, box = cola
    opening_in_boxes(owner, product, box)
    other = WarehouseFactory()
    documents.transfer_post(
        from_warehouse=default(),
        to_warehouse=other,
        lines=[(product, D("0.5"), box)],
        note="",
        user=owner,
    )
    line = TransferLine.objects.get()
    assert (line.unit, line.entered_quantity, line.quantity) == (box, D("0.5"), D(12))
    assert (on_hand(product), on_hand(product, other)) == (D(60), D(12))
    call_command("check_stock")


def test_inexact_conversions_are_refused_and_nothing_is_written(owner, cola):
    product, box = cola
    opening_in_boxes(owner, product, box)
    before = written()
    with pytest.raises(ValidationError, match="3"):
        opening_in_boxes(owner, product, box, boxes="0.0001")
    with pytest.raises(ValidationError, match="3"):
        documents.adjustment_post(
            warehouse=default(),
            lines=[
                documents.AdjustmentInput(product, D("-0.0001"), "damaged", unit=box)
            ],
            note="",
            user=owner,
        )
    with pytest.raises(ValidationError, match="3"):
        documents.transfer_post(
            from_warehouse=default(),
            to_warehouse=WarehouseFactory(),
            lines=[(product, D("0.0001"), box)],
            note="",
            user=owner,
        )
    other = ProductFactory()
    with pytest.raises(ValidationError):  # another product's unit
        documents.transfer_post(
            from_warehouse=default(),
            to_warehouse=WarehouseFactory(),
            lines=[(other, D(1), box)],
            note="",
            user=owner,
        )
    assert written() == before
    assert on_hand(product) == D(72)
    call_command("check_stock")


def adjustment_form(quantity, unit="", product="COLA"):
    return {
        "warehouse": default().pk,
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": product,
        "lines-0-direction": "out",
        "lines-0-quantity": quantity,
        "lines-0-unit": unit,
        "lines-0-reason": "damaged",
    }


def test_the_adjustment_form_takes_a_unit_and_refuses_an_inexact_one(
    owner, owner_client, cola
):
    product, box = cola
    opening_in_boxes(owner, product, box)
    url = reverse("inventory:adjustment_create")
    page = owner_client.get(url).content.decode()
    assert 'class="line-unit' in page and "data-units-url" in page
    before = written()
    refused = owner_client.post(url, adjustment_form("0.0001", str(box.pk)))
    assert refused.status_code == 200
    assert "line-unit" in refused.content.decode()
    assert written() == before
    # A box scanned picks the box; 1 箱 written off is 24 瓶.
    done = owner_client.post(url, adjustment_form("1", product="6900000000017"))
    assert done.status_code == 302
    line = AdjustmentLine.objects.get()
    assert (line.unit, line.entered_quantity, line.quantity) == (box, D(-1), D(-24))
    detail = owner_client.get(done.url).content.decode()
    assert "-1 箱 (-24 瓶)" in detail
    call_command("check_stock")


def test_the_transfer_form_takes_a_unit(owner, owner_client, cola):
    product, box = cola
    opening_in_boxes(owner, product, box)
    other = WarehouseFactory()
    url = reverse("inventory:transfer_create")
    data = {
        "from_warehouse": default().pk,
        "to_warehouse": other.pk,
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "COLA",
        "lines-0-quantity": "0.0001",
        "lines-0-unit": str(box.pk),
    }
    before = written()
    assert owner_client.post(url, data).status_code == 200
    assert written() == before
    data["lines-0-quantity"] = "2"
    done = owner_client.post(url, data)
    assert done.status_code == 302
    assert (on_hand(product), on_hand(product, other)) == (D(24), D(48))
    assert "2 箱 (48 瓶)" in owner_client.get(done.url).content.decode()
    call_command("check_stock")


def test_the_opening_import_takes_an_optional_unit_column(owner_client, cola):
    from jxc.testing.imports import upload

    product, box = cola
    data = "商品编码,数量,成本单价,单位\nCOLA,2,50,箱\n".encode()
    response = upload(owner_client, "/inventory/opening/", "o.csv", data, follow=True)
    assert response.status_code == 200
    line = OpeningStock.objects.get().lines.get()
    assert (line.unit, line.entered_quantity, line.quantity) == (box, D(2), D(48))
    level = StockLevel.objects.get(product=product, warehouse=default())
    assert (level.on_hand, level.value) == (D(48), D("100.00"))
    call_command("check_stock")


def test_the_opening_import_refuses_a_wrong_unit_and_writes_nothing(owner_client, cola):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "商品编码,数量,成本单价,单位\nCOLA,1,2,瓶\nCOLA,0.0001,50,箱\nCOLA,1,1,桶\n"
    before = written()
    response = owner_client.post(
        "/inventory/opening/", {"file": SimpleUploadedFile("o.csv", data.encode())}
    )
    problems = {(p.row, p.column) for p in response.context["problems"]}
    assert {(3, "数量"), (4, "单位")} <= problems
    assert (2, "单位") not in problems  # the product's own unit
    assert written() == before
