"""Counter takings per payment method in the sales report."""

from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from counter import services
from counter.tests.factories import counter_sale
from inventory.tests.factories import receive

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_sales_report_shows_counter_takings_per_method(owner_client, staff):
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "100", "4", user=staff)
    sale = counter_sale(
        staff, [(apple, "5")], payments=[("wechat", "20"), ("cash", "30")]
    )
    line = sale.shipments.get().lines.get()
    services.counter_return_post(
        order=sale, quantities={line.pk: D("1")}, reason="", user=staff
    )
    page = owner_client.get("/reports/sales/").content.decode()
    section = page[page.index('id="counter-takings"') :]
    section = section[: section.index("</table>")]
    assert "¥30.00" in section and "-¥10.00" in section and "¥20.00" in section


def test_no_takings_section_without_counter_sales(owner_client):
    page = owner_client.get("/reports/sales/").content.decode()
    assert 'id="counter-takings"' not in page
