"""Issue 20, fewer steps per document: 保存并确认 and 确认并发货 on the sales order
form; a refusal leaves the order saved as a draft with the reason shown; the
shortage panel's "buy the missing goods" opens new purchase orders prefilled per
preferred supplier."""

import uuid
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest

from catalog.models import Customer
from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from inventory.models import StockLevel, StockMove
from inventory.tests.factories import receive
from sales.models import OrderStatus, SalesOrder, Shipment
from sales.tests.test_views import order_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def pc(owner):
    supplier = SupplierFactory(code="S-PC", name="电脑批发")
    product = ProductFactory(
        sku="PC01", name="电脑", sale_price=D("3000"), preferred_supplier=supplier
    )
    receive(product, "15", "2000", user=owner)
    return product


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_form_offers_both_one_click_buttons_to_a_clerk(staff_client, pc):
    page = staff_client.get("/sales/orders/new/").content.decode()
    assert 'id="post-document"' in page  # 保存草稿 stays the first (Enter's) button
    assert page.index('id="post-document"') < page.index('id="then-confirm"')
    assert 'name="then" value="ship"' in page


def test_save_and_confirm_reserves_in_one_click(staff_client, pc):
    response = staff_client.post(
        "/sales/orders/new/",
        order_form([("PC01", "5", "", "")], then="confirm"),
        follow=True,
    )
    order = SalesOrder.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    assert response.redirect_chain[-1][0] == f"/sales/orders/{order.pk}/"
    assert StockLevel.objects.get(product=pc).reserved == D("5")
    assert f"{order.number} 已确认" in _messages(response)


def test_confirm_and_ship_opens_the_prefilled_shipment_which_posts_once(
    staff_client, pc
):
    response = staff_client.post(
        "/sales/orders/new/",
        order_form([("PC01", "5", "", "")], then="ship"),
        follow=True,
    )
    order = SalesOrder.objects.get()
    assert response.redirect_chain[-1][0] == f"/sales/shipments/new/?order={order.pk}"
    page = response.content.decode()
    assert 'value="5"' in page  # everything reserved can go now
    assert StockMove.objects.filter(product=pc).count() == 1  # nothing left yet
    line = order.lines.get()
    data = {
        "version": order.version,
        "submission": uuid.uuid4(),
        f"ship_{line.pk}": "5",
    }
    url = f"/sales/shipments/new/?order={order.pk}"
    staff_client.post(url, data)
    staff_client.post(url, data)  # a double click
    assert Shipment.objects.count() == 1
    level = StockLevel.objects.get(product=pc)
    assert (level.on_hand, level.reserved) == (D("10"), D("0"))
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_short_stock_keeps_the_draft_and_shows_the_panel(staff_client, pc):
    response = staff_client.post(
        "/sales/orders/new/", order_form([("PC01", "20", "", "")], then="ship")
    )
    order = SalesOrder.objects.get()
    assert order.status == OrderStatus.DRAFT
    assert StockLevel.objects.get(product=pc).reserved == D("0")
    page = response.content.decode()
    assert 'id="shortage-panel"' in page
    assert f"{order.number} 已保存为草稿" in _messages(response)
    # Choosing "backorder" on the panel goes on to the shipment, as first asked.
    assert page.count('name="then" value="ship"') == 2
    backorder = staff_client.post(
        f"/sales/orders/{order.pk}/confirm/",
        {"version": order.version, "on_shortage": "backorder", "then": "ship"},
    )
    assert backorder.url == f"/sales/shipments/new/?order={order.pk}"
    assert StockLevel.objects.get(product=pc).reserved == D("15")


def test_over_the_credit_limit_keeps_the_draft_with_the_reason(staff_client, pc):
    CustomerFactory(code="C-LIM", name="赊账客户", credit_limit=D("100"))
    response = staff_client.post(
        "/sales/orders/new/",
        order_form([("PC01", "1", "", "")], customer="C-LIM", then="confirm"),
        follow=True,
    )
    order = SalesOrder.objects.get()
    assert order.status == OrderStatus.DRAFT
    assert order.customer == Customer.objects.get(code="C-LIM")
    assert response.redirect_chain[-1][0] == f"/sales/orders/{order.pk}/"
    text = _messages(response)
    assert f"{order.number} 已保存为草稿" in text
    assert "信用额度" in text
    assert StockLevel.objects.get(product=pc).reserved == D("0")


def test_a_bad_line_saves_nothing_and_confirms_nothing(staff_client, pc):
    response = staff_client.post(
        "/sales/orders/new/", order_form([("PC01", "-1", "", "")], then="ship")
    )
    assert response.status_code == 200
    assert not SalesOrder.objects.exists()
    assert StockLevel.objects.get(product=pc).reserved == D("0")


def test_an_unknown_next_step_only_saves_the_draft(staff_client, pc):
    staff_client.post(
        "/sales/orders/new/", order_form([("PC01", "1", "", "")], then="post<b>")
    )
    assert SalesOrder.objects.get().status == OrderStatus.DRAFT


def test_the_panel_offers_one_purchase_order_per_preferred_supplier(
    staff_client, owner, pc
):
    other = SupplierFactory(code="S-MOUSE", name="鼠标厂")
    mouse = ProductFactory(sku="MS01", name="鼠标", preferred_supplier=other)
    cable = ProductFactory(sku="CB01", name="网线", preferred_supplier=None)
    receive(mouse, "1", "10", user=owner)
    page = staff_client.post(
        "/sales/orders/new/",
        order_form(
            [("PC01", "20", "", ""), ("MS01", "3", "", ""), ("CB01", "2", "", "")],
            then="confirm",
        ),
    ).content.decode()
    assert 'id="buy-missing"' in page
    links = [
        parse_qs(urlparse(href.replace("&amp;", "&")).query)
        for href in page.split('class="btn btn-outline-secondary buy-missing" href="')[
            1:
        ]
        for href in [href.split('"', 1)[0]]
    ]
    assert links == [  # suppliers by code, the goods without one last
        {"supplier": [str(other.pk)], "product": [str(mouse.pk)], "quantity": ["2"]},
        {
            "supplier": [str(pc.preferred_supplier_id)],
            "product": [str(pc.pk)],
            "quantity": ["5"],
        },
        {"product": [str(cable.pk)], "quantity": ["2"]},
    ]
    assert "向 鼠标厂 采购：1 种商品" in page


def test_the_panel_offers_no_purchase_to_who_may_not_buy(client, pc, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("seller", password="x")
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "add_salesorder",
                "change_salesorder",
                "view_salesorder",
                "view_product",
                "view_customer",
            ]
        )
    )
    client.force_login(user)
    response = client.post(
        "/sales/orders/new/", order_form([("PC01", "20", "", "")], then="confirm")
    )
    page = response.content.decode()
    assert 'id="shortage-panel"' in page
    assert 'id="buy-missing"' not in page
    assert 'value="ship"' not in client.get("/sales/orders/new/").content.decode()


def test_the_panel_reads_the_suppliers_in_one_query(owner, django_assert_num_queries):
    from sales import selectors
    from sales.services import ShortRow
    from sales.tests.factories import draft

    products = [ProductFactory(preferred_supplier=SupplierFactory()) for _ in range(5)]
    order = draft(owner, [(product, "2") for product in products])
    lines = list(order.lines.select_related("product"))
    rows = [ShortRow(line, D("0")) for line in lines]
    with django_assert_num_queries(1):
        groups = selectors.shortage_by_supplier(rows)
    assert len(groups) == 5
    assert all(missing == D("2") for _s, wanted in groups for _p, missing in wanted)
