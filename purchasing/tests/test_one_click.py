"""Issue 20, fewer steps per document: 保存并下单 on the purchase order form (a
refusal leaves the draft with the reason), and a new order opened prefilled from
the shortage panel's "buy the missing goods"."""

from decimal import Decimal as D

import pytest

from catalog.tests.factories import ProductFactory, SupplierFactory
from purchasing.models import OrderStatus, PurchaseOrder
from purchasing.tests.factories import ordered
from purchasing.tests.test_views import order_form

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_save_and_place_in_one_click(staff_client):
    supplier = SupplierFactory()
    ProductFactory(sku="SG001", purchase_price=D("4.50"))
    page = staff_client.get("/purchasing/orders/new/").content.decode()
    assert 'name="then" value="place"' in page
    assert 'data-enter="quantity"' in page
    response = staff_client.post(
        "/purchasing/orders/new/",
        order_form(supplier, [("SG001", "20", "4.50")], then="place"),
        follow=True,
    )
    order = PurchaseOrder.objects.get()
    assert order.status == OrderStatus.ORDERED
    assert response.redirect_chain[-1][0] == f"/purchasing/orders/{order.pk}/"
    assert f"{order.number} 已下单" in _messages(response)


def test_a_price_far_from_the_last_keeps_the_draft_with_the_reason(staff_client, owner):
    supplier = SupplierFactory()
    pencil = ProductFactory(sku="PEN1", purchase_price=D("4.00"))
    ordered(owner, [(pencil, 1, "4.50")], supplier=supplier)
    response = staff_client.post(
        "/purchasing/orders/new/",
        order_form(supplier, [("PEN1", "1", "99999.99")], then="place"),
        follow=True,
    )
    order = PurchaseOrder.objects.latest("pk")
    assert order.status == OrderStatus.DRAFT
    text = _messages(response)
    assert f"{order.number} 已保存为草稿" in text
    assert "批准价格" in text


def test_a_prefilled_order_names_the_goods_and_the_supplier(staff_client):
    supplier = SupplierFactory(code="S-PC", name="电脑批发")
    pc = ProductFactory(sku="PC01", name="电脑")
    mouse = ProductFactory(sku="MS01", name="鼠标")
    page = staff_client.get(
        "/purchasing/orders/new/",
        {
            "supplier": supplier.pk,
            "product": [pc.pk, mouse.pk],
            "quantity": ["5", "2.5"],
        },
    ).content.decode()
    assert 'value="S-PC 电脑批发"' in page
    assert 'name="lines-0-product" value="PC01"' in page
    assert 'name="lines-0-quantity" value="5"' in page
    assert 'name="lines-1-product" value="MS01"' in page
    assert 'name="lines-1-quantity" value="2.5"' in page
    assert not PurchaseOrder.objects.exists()  # the clerk saves it, or not


@pytest.mark.parametrize(
    "query",
    [
        {"supplier": "x", "product": "x", "quantity": "1"},
        {"supplier": "99999999", "product": "99999999", "quantity": "5"},
        {"product": "1", "quantity": "-5"},
        {"product": "1", "quantity": "1e400"},
        {"product": "1", "quantity": "NaN"},
        {"product": "²", "quantity": "1"},
        {"product": "1"},
        {"quantity": "1"},
    ],
)
def test_a_bad_prefill_is_left_out_and_saves_nothing(staff_client, query):
    ProductFactory(pk=1, sku="PC01")
    response = staff_client.get("/purchasing/orders/new/", query)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="lines-0-product" value="PC01"' not in page
    assert not PurchaseOrder.objects.exists()


def test_an_inactive_supplier_or_product_is_not_prefilled(staff_client):
    supplier = SupplierFactory(code="S-OLD", is_active=False)
    ProductFactory(pk=7, sku="OLD1", is_active=False)
    page = staff_client.get(
        "/purchasing/orders/new/",
        {"supplier": supplier.pk, "product": 7, "quantity": "1"},
    ).content.decode()
    assert "S-OLD" not in page
    assert 'value="OLD1"' not in page
