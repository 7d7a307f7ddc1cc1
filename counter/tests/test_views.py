"""The counter's pages: a scan answers the sale part of the page in a fixed number
of queries, the old retail page leads to the counter, payments show on the sale."""

import uuid
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from counter import services
from counter.models import Cart
from counter.services import PaymentEntry
from inventory.tests.factories import receive

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def goods(owner):
    found = []
    for n in range(6):
        product = ProductFactory(name=f"苹果{n}", barcode=f"69200000000{n:02d}")
        receive(product, "50", "3.00", user=owner)
        found.append(product)
    return found


def test_a_scan_answers_the_sale_with_the_name_amount_and_stock(staff_client, goods):
    response = staff_client.post("/counter/scan/", {"code": goods[0].barcode}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "苹果0" in html and "¥6.80" in html and "50 件" in html
    assert "<nav" not in html  # the sale part only


def scan_queries(client, code) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/counter/scan/", {"code": code}, **HTMX)
    assert response.status_code == 200
    return len(queries)


def test_the_scan_query_count_stays_flat_as_the_sale_grows(staff_client, goods):
    staff_client.post("/counter/scan/", {"code": goods[0].barcode}, **HTMX)
    one = scan_queries(staff_client, goods[1].barcode)
    for product in goods[2:5]:
        staff_client.post("/counter/scan/", {"code": product.barcode}, **HTMX)
    many = scan_queries(staff_client, goods[5].barcode)
    # A product's barcode: no scale label read (the prefix is read only for a code
    # no product carries).
    assert one == many == 16


def test_the_counter_page_query_count(staff_client, goods, count_queries):
    for product in goods:
        staff_client.post("/counter/scan/", {"code": product.barcode}, **HTMX)
    assert count_queries(staff_client, "/counter/") <= 16


def test_a_reload_keeps_the_sale(staff_client, goods):
    staff_client.post("/counter/scan/", {"code": goods[0].barcode}, **HTMX)
    assert "苹果0" in staff_client.get("/counter/").content.decode()


def test_the_old_retail_page_leads_to_the_counter(staff_client):
    response = staff_client.get("/sales/retail/")
    assert response.status_code == 302 and response["Location"] == "/counter/"


def test_paying_shows_the_last_sale_and_the_payments_on_the_sale(
    staff_client, staff, goods
):
    services.cart_scan(user=staff, code=goods[0].barcode)
    response = staff_client.post(
        "/counter/pay/",
        {"submission": str(uuid.uuid4()), "wechat": "2", "cash": "10"},
        **HTMX,
    )
    html = response.content.decode()
    assert "data-slip-url" in html and "last-sale" in html
    assert "¥5.20" in html  # change: 10 − (6.80 − 2)
    order = Cart.objects.get(clerk=staff).last_sale
    page = staff_client.get(f"/sales/orders/{order.pk}/").content.decode()
    assert "微信" in page and "现金" in page and "¥10.00" in page


def test_a_refused_payment_keeps_the_sale_and_says_what_is_missing(
    staff_client, staff, goods
):
    services.cart_scan(user=staff, code=goods[0].barcode)
    response = staff_client.post(
        "/counter/pay/", {"submission": str(uuid.uuid4()), "cash": "5"}, **HTMX
    )
    assert "还差 ¥1.80" in response.content.decode()
    assert len(Cart.objects.get(clerk=staff).lines) == 1


def test_the_slip_of_a_counter_sale_opens(staff_client, staff, goods):
    services.cart_scan(user=staff, code=goods[0].barcode)
    order = services.cart_checkout(
        user=staff, entry=PaymentEntry({}, D("10")), submission=uuid.uuid4()
    )
    response = staff_client.get(reverse("counter:slip", args=[order.pk]))
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "苹果0" in response.content.decode()


def test_with_auto_print_off_no_slip_opens(staff_client, staff, goods):
    from counter.models import CounterSettings

    CounterSettings.objects.create(pk=1, auto_print=False)
    services.cart_scan(user=staff, code=goods[0].barcode)
    html = staff_client.post(
        "/counter/pay/", {"submission": str(uuid.uuid4())}, **HTMX
    ).content.decode()
    assert "last-sale" in html and "data-slip-url" not in html


def test_on_account_with_the_customer_chosen_on_the_counter(staff_client, staff, goods):
    from catalog.tests.factories import CustomerFactory

    customer = CustomerFactory(code="WLB", name="王老板")
    services.cart_scan(user=staff, code=goods[0].barcode)
    refused = staff_client.post(
        "/counter/pay/", {"submission": str(uuid.uuid4()), "account": "6.80"}, **HTMX
    )
    assert "挂账需要具名客户" in refused.content.decode()
    staff_client.post("/counter/customer/", {"customer": "WLB"}, **HTMX)
    staff_client.post(
        "/counter/pay/", {"submission": str(uuid.uuid4()), "account": "6.80"}, **HTMX
    )
    order = Cart.objects.get(clerk=staff).last_sale
    assert order.customer == customer
    assert order.payments.get().method == "account"


def test_a_shop_with_two_warehouses_chooses_where_the_counter_sells(
    staff_client, staff, goods
):
    from catalog.tests.factories import WarehouseFactory

    back = WarehouseFactory(name="后仓")
    services.cart_scan(user=staff, code=goods[0].barcode)
    page = staff_client.get("/counter/").content.decode()
    assert 'name="warehouse"' in page and "后仓" in page
    html = staff_client.post(
        "/counter/warehouse/", {"warehouse": str(back.pk)}, **HTMX
    ).content.decode()
    assert "0 件" in html  # nothing of it in the back room
    assert Cart.objects.get(clerk=staff).warehouse == back
