"""A sale's default price follows the customer's price level, and the last price
this customer paid is shown beside it."""

from decimal import Decimal

import pytest

from catalog import services as catalog
from catalog.models import Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory import documents
from sales import selectors
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(owner):
    level = catalog.price_level_save(data={"name": "批发价"})
    water = ProductFactory(sku="YL001", unit="瓶", sale_price=Decimal("2.00"))
    catalog.level_prices_save(product=water, prices={(level.pk, None): Decimal("1.50")})
    documents.opening_stock_post(
        lines=[
            (water, Warehouse.objects.get(is_default=True), Decimal(100), Decimal(1))
        ],
        note="",
        user=owner,
    )
    trader = CustomerFactory(code="PF1", price_level=level)
    return water, trader


def test_last_price_paid_is_the_net_price_of_the_latest_shipment(owner, shop):
    water, trader = shop
    assert selectors.last_price_paid(customer_id=trader.pk, product_id=water.pk) is None
    ship(owner, confirmed(owner, [(water, 10, "1.60")], customer=trader))
    ship(owner, confirmed(owner, [(water, 3, "1.50", "10")], customer=trader))
    # 3 × 1.50 less 10 %: 4.05 for 3, 1.35 each.
    assert selectors.last_price_paid(
        customer_id=trader.pk, product_id=water.pk
    ) == Decimal("1.35")
    other = CustomerFactory()
    assert selectors.last_price_paid(customer_id=other.pk, product_id=water.pk) is None


def test_the_line_lookup_answers_with_the_customers_level_price(
    owner, staff_client, shop
):
    water, trader = shop
    warehouse = Warehouse.objects.get(is_default=True).pk
    url = "/sales/availability/"
    plain = staff_client.get(url, {"product": "YL001", "warehouse": warehouse}).json()
    assert (plain["price"], plain["last_price"]) == ("2.00", None)
    ship(owner, confirmed(owner, [(water, 2, "1.40")], customer=trader))
    answer = staff_client.get(
        url, {"product": "YL001", "warehouse": warehouse, "customer": "pf1"}
    ).json()
    assert (answer["price"], answer["last_price"]) == ("1.50", "1.40")
    # A customer typed as "code name" (a suggestion) is found too; nobody: none.
    answer = staff_client.get(
        url, {"product": "YL001", "warehouse": warehouse, "customer": str(trader)}
    ).json()
    assert answer["price"] == "1.50"
    answer = staff_client.get(
        url, {"product": "YL001", "warehouse": warehouse, "customer": "nobody"}
    ).json()
    assert (answer["price"], answer["last_price"]) == ("2.00", None)
