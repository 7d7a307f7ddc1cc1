"""Labels for what a goods receipt brought in (one per unit received, the count
editable) and for a package unit's own barcode and price (issue 19)."""

import base64
import re
from decimal import Decimal as D

import pytest

from catalog import services
from catalog.tests.factories import ProductFactory
from catalog.tests.test_labels import decode_ean13, modules
from purchasing.tests.factories import ordered, received

pytestmark = pytest.mark.django_db


def _counts(html) -> dict[str, str]:
    return dict(re.findall(r'name="([nu]_\d+)" id="id_[nu]_\d+" value="(\d+)"', html))


@pytest.fixture
def cola():
    product = ProductFactory(
        name="可乐", unit="瓶", barcode="6901234567892", sale_price=D("3.00")
    )
    services.package_units_save(
        product=product,
        rows=[
            {
                "pk": None,
                "name": "箱",
                "factor": D(24),
                "barcode": "6909999999996",
                "sale_price": D("60.00"),
            },
            {
                "pk": None,
                "name": "提",
                "factor": D(6),
                "barcode": "",
                "sale_price": None,
            },
        ],
    )
    return product


def test_a_receipt_links_to_one_label_per_unit_received(owner, owner_client):
    apple = ProductFactory(name="苹果", unit="斤")
    pen = ProductFactory(name="中性笔")
    order = ordered(owner, [(apple, "10", "2"), (pen, "12", "1")])
    receipt = received(owner, order, [(apple, "2.5"), (pen, "12")])
    html = owner_client.get(f"/purchasing/receipts/{receipt.pk}/").content.decode()
    link = re.search(r'href="(/catalog/labels/\?[^"]+)" id="receipt-labels"', html)
    page = owner_client.get(link.group(1).replace("&amp;", "&")).content.decode()
    # 2.5 斤 → 3 labels (a part unit is a label too); 12 pens → 12.
    assert _counts(page) == {f"n_{apple.pk}": "3", f"n_{pen.pk}": "12"}


def test_a_cancelled_receipt_offers_no_labels(owner, owner_client):
    from purchasing import services as purchasing

    apple = ProductFactory()
    order = ordered(owner, [(apple, "5", "2")])
    receipt = received(owner, order, [(apple, "5")])
    purchasing.receipt_cancel(receipt=receipt, reason="录错", user=owner)
    html = owner_client.get(f"/purchasing/receipts/{receipt.pk}/").content.decode()
    assert 'id="receipt-labels"' not in html


def test_asked_counts_are_kept_only_when_they_are_counts(owner_client):
    apple = ProductFactory()
    for asked, shown in (("7", "7"), ("-1", "1"), ("501", "1"), ("x", "1")):
        html = owner_client.get(
            f"/catalog/labels/?product={apple.pk}&n_{apple.pk}={asked}"
        ).content.decode()
        assert _counts(html) == {f"n_{apple.pk}": shown}


def test_a_box_label_carries_the_box_barcode_and_price(staff_client, cola):
    box = cola.package_units.get(name="箱")
    html = staff_client.get(f"/catalog/labels/?unit={box.pk}").content.decode()
    assert "6909999999996" in html and "¥60.00/箱" in html
    assert _counts(html) == {f"u_{box.pk}": "1"}
    response = staff_client.get(
        f"/catalog/labels/print/?unit={box.pk}&size=60x40&show_price=on&u_{box.pk}=2"
    )
    page = response.content.decode()
    assert page.count('class="label"') == 2
    assert "¥60.00" in page and "/箱" in page and "1箱 = 24瓶" in page
    image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert decode_ean13(modules(base64.b64decode(image).decode())) == "6909999999996"


def test_a_package_without_a_price_or_barcode_prints_the_computed_price_and_no_bars(
    staff_client, cola
):
    pack = cola.package_units.get(name="提")
    page = staff_client.get(
        f"/catalog/labels/print/?unit={pack.pk}&size=40x30&show_price=on&u_{pack.pk}=1"
    ).content.decode()
    assert "¥18.00" in page  # 6 × ¥3.00
    assert "data:image/svg" not in page


def test_products_and_boxes_print_together(staff_client, cola, count_queries):
    box = cola.package_units.get(name="箱")
    query = (
        f"?product={cola.pk}&unit={box.pk}&size=a4&show_price=on"
        f"&n_{cola.pk}=3&u_{box.pk}=1"
    )
    page = staff_client.get("/catalog/labels/print/" + query).content.decode()
    assert page.count('class="label"') == 4
    assert page.count("¥3.00") == 3 and page.count("¥60.00") == 1
    assert count_queries(staff_client, "/catalog/labels/print/" + query) <= 9


def test_the_product_page_links_to_its_box_labels(owner_client, cola):
    box = cola.package_units.get(name="箱")
    html = owner_client.get(f"/catalog/products/{cola.pk}/").content.decode()
    assert f"/catalog/labels/?unit={box.pk}" in html


@pytest.mark.parametrize("value", ["²", "٣", "１"])
def test_digits_int_cannot_read_are_no_ids_or_counts(staff_client, value):
    """Found by the query fuzz: "²" passes isdigit() and crashed int()."""
    product = ProductFactory()
    response = staff_client.get(
        "/catalog/labels/",
        {
            "product": [str(product.pk), value],
            "style": value,
            "unit": value,
            f"n_{product.pk}": value,
        },
    )
    assert response.status_code == 200
