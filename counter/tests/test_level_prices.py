"""Level prices at the counter (issue 19): a customer with a price level is sold at
the level price (the sale price where the product has none), lines are priced
again when the customer changes, a price typed on a line stays, and the slip
shows the prices charged."""

import re
import uuid
from decimal import Decimal as D

import pytest

from catalog import services as catalog
from catalog.tests.factories import CustomerFactory, ProductFactory
from counter import services
from counter.models import Cart
from inventory.tests.factories import receive

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(owner):
    """Cola (sale ¥3.00, 批发价 ¥2.40) and chips (sale ¥5.50, no 批发价); a
    wholesale customer on 批发价 and a walk-in-like customer without a level."""
    wholesale = catalog.price_level_save(data={"name": "批发价"})
    cola = ProductFactory(name="可乐", barcode="6900000000011", sale_price=D("3.00"))
    chips = ProductFactory(name="薯片", barcode="6900000000028", sale_price=D("5.50"))
    for product in (cola, chips):
        receive(product, "100", "1.00", user=owner)
    catalog.level_prices_save(product=cola, prices={(wholesale.pk, None): D("2.40")})
    trade = CustomerFactory(code="PF1", name="批发张", price_level=wholesale)
    plain = CustomerFactory(code="LK1", name="老客")
    return cola, chips, trade, plain


def _prices(html) -> list[str]:
    return re.findall(r'id="price-\d+" name="price" value="([\d.]+)"', html)


def test_choosing_a_customer_with_a_level_prices_the_lines_at_it(
    staff_client, staff, shop
):
    cola, chips, _trade, _plain = shop
    services.cart_scan(user=staff, code=cola.barcode)
    services.cart_scan(user=staff, code=chips.barcode)
    assert _prices(staff_client.get("/counter/").content.decode()) == ["3.00", "5.50"]
    html = staff_client.post(
        "/counter/customer/", {"customer": "PF1"}, **HTMX
    ).content.decode()
    assert _prices(html) == ["2.40", "5.50"]  # chips: no 批发价, its sale price
    assert 'id="price-level-note"' in html and "批发价" in html
    assert "¥7.90" in html  # the total follows


def test_changing_the_customer_prices_the_lines_again(staff_client, staff, shop):
    cola, _chips, _trade, _plain = shop
    services.cart_scan(user=staff, code=cola.barcode)
    staff_client.post("/counter/customer/", {"customer": "PF1"}, **HTMX)
    html = staff_client.post(
        "/counter/customer/", {"customer": "LK1"}, **HTMX
    ).content.decode()
    assert _prices(html) == ["3.00"]
    assert 'id="price-level-note"' not in html
    html = staff_client.post("/counter/customer/", {"customer": ""}, **HTMX)
    assert _prices(html.content.decode()) == ["3.00"]


def test_a_price_typed_on_a_line_stays_when_the_customer_changes(
    staff_client, staff, shop
):
    cola, chips, _trade, _plain = shop
    services.cart_scan(user=staff, code=cola.barcode)
    services.cart_scan(user=staff, code=chips.barcode)
    services.cart_line_set(user=staff, product_id=chips.pk, price=D("5.00"))
    html = staff_client.post(
        "/counter/customer/", {"customer": "PF1"}, **HTMX
    ).content.decode()
    assert _prices(html) == ["2.40", "5.00"]


def test_the_sale_posts_and_the_slip_shows_the_level_prices(staff_client, staff, shop):
    cola, chips, _trade, _plain = shop
    services.cart_scan(user=staff, code=cola.barcode)
    services.cart_scan(user=staff, code=cola.barcode)
    services.cart_scan(user=staff, code=chips.barcode)
    staff_client.post("/counter/customer/", {"customer": "PF1"}, **HTMX)
    staff_client.post(
        "/counter/pay/", {"submission": str(uuid.uuid4()), "cash": "20"}, **HTMX
    )
    order = Cart.objects.get(clerk=staff).last_sale
    assert order is not None
    prices = {line.product_id: line.unit_price for line in order.lines.all()}
    assert prices == {cola.pk: D("2.40"), chips.pk: D("5.50")}
    assert order.total == D("10.30")
    slip = staff_client.get(f"/counter/slip/{order.pk}/").content.decode()
    assert "¥2.40" in slip and "¥4.80" in slip and "¥10.30" in slip
    assert "¥3.00" not in slip


def test_a_parked_sale_keeps_its_customer_and_level_prices(staff, shop):
    cola, _chips, trade, _plain = shop
    services.cart_scan(user=staff, code=cola.barcode)
    services.cart_customer_set(user=staff, customer=trade)
    held = services.held_sale_park(user=staff)
    assert held.total == D("2.40")


def test_the_counter_page_costs_one_query_more_with_a_level(
    staff_client, staff, shop, count_queries
):
    cola, chips, trade, _plain = shop
    services.cart_scan(user=staff, code=cola.barcode)
    services.cart_scan(user=staff, code=chips.barcode)
    walk_in = count_queries(staff_client, "/counter/")
    services.cart_customer_set(user=staff, customer=trade)
    assert count_queries(staff_client, "/counter/") == walk_in + 1
