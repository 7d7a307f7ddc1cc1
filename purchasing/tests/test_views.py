import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory
from inventory.models import StockLevel, StockMove
from purchasing.models import GoodsReceipt, OrderStatus, PurchaseOrder
from purchasing.tests.factories import ordered, received

pytestmark = pytest.mark.django_db
D = Decimal


def order_form(supplier, lines, **extra):
    data = {
        "supplier": supplier.code,
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "order_date": timezone.localdate().isoformat(),
        "expected_date": "",
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for index, (code, quantity, price) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-product": code,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price": price,
            }
        )
    data.update(extra)
    return data


def test_clerk_creates_places_and_receives_an_order(staff_client):
    supplier = SupplierFactory()
    apple = ProductFactory(sku="SG001", purchase_price=D("4.50"))
    ProductFactory(sku="WJ001", barcode="6900000000001")
    response = staff_client.post(
        "/purchasing/orders/new/",
        order_form(
            supplier,
            [("sg001", "10", ""), ("6900000000001", "3", "2.20"), ("", "", "")],
        ),
    )
    order = PurchaseOrder.objects.get()
    assert response.url == f"/purchasing/orders/{order.pk}/"
    assert order.total == D("51.60")
    assert order.lines.get(product=apple).unit_price == D("4.50")
    staff_client.post(f"/purchasing/orders/{order.pk}/confirm/")
    page = staff_client.get(f"/purchasing/receipts/new/?order={order.pk}")
    html = page.content.decode()
    assert 'value="SG001"' in html and 'value="10"' in html
    assert "unit_cost" not in html  # staff do not set the cost of an ordered receipt
    staff_client.post(
        f"/purchasing/receipts/new/?order={order.pk}",
        {
            "date": timezone.localdate().isoformat(),
            "note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG001",
            "lines-0-quantity": "6",
            "lines-0-rejected_quantity": "1",
            "lines-0-reject_reason": "烂了",
        },
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    assert StockLevel.objects.get(product=apple).on_hand == D("6")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("", "", "")], "请至少录入一行"),
        ([("SG001", "0", "")], "大于或等于0.001"),
        ([("SG001", "-2", "")], "大于或等于0.001"),
        ([("SG001", "1.0001", "")], "3 位"),
        ([("SG001", "1", "-1")], "大于或等于0"),
        ([("SG001", "1", "1.001")], "2 位"),
        ([("SG001", "1", ""), ("sg001", "2", "")], "出现在两行"),
        ([("NOPE", "1", "")], "没有编码或条码"),
    ],
)
def test_bad_orders_show_why_and_save_nothing(staff_client, lines, message):
    ProductFactory(sku="SG001")
    response = staff_client.post(
        "/purchasing/orders/new/", order_form(SupplierFactory(), lines), follow=True
    )
    assert message in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_staff_cannot_cancel_posted_documents_or_edit_costs(staff_client, owner):
    apple = ProductFactory(sku="SG001")
    order = ordered(owner, [(apple, "5", "2")])
    receipt = received(owner, order, [(apple, "5")])
    assert (
        staff_client.post(
            f"/purchasing/receipts/{receipt.pk}/cancel/", {"reason": "x"}
        ).status_code
        == 403
    )
    refused = staff_client.post(
        f"/purchasing/orders/{order.pk}/end/", {"reason": "x"}, follow=True
    )
    assert "只有店主" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert staff_client.get("/purchasing/settings/").status_code == 403
    assert (
        staff_client.get(f"/purchasing/prices/product/{apple.pk}/").status_code == 403
    )
    receipt.refresh_from_db()
    assert receipt.status == "posted"


def test_owner_cancels_a_receipt_from_its_page(owner_client, owner):
    apple = ProductFactory(sku="SG001")
    order = ordered(owner, [(apple, "5", "2")])
    receipt = received(owner, order, [(apple, "5")])
    response = owner_client.post(
        f"/purchasing/receipts/{receipt.pk}/cancel/", {"reason": "送错"}, follow=True
    )
    assert "已作废" in response.content.decode()
    assert StockLevel.objects.get(product=apple).on_hand == 0


def test_over_receipt_tolerance_is_an_owner_setting(owner_client, owner):
    apple = ProductFactory(sku="SG001")
    order = ordered(owner, [(apple, "10", "2")])
    form = {
        "date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "SG001",
        "lines-0-quantity": "11",
    }
    refused = owner_client.post(f"/purchasing/receipts/new/?order={order.pk}", form)
    assert "超出订单" in refused.content.decode()
    assert not GoodsReceipt.objects.exists()
    owner_client.post("/purchasing/settings/", {"over_receipt_percent": "10"})
    owner_client.post(f"/purchasing/receipts/new/?order={order.pk}", form)
    assert StockLevel.objects.get(product=apple).on_hand == D("11")


def test_last_price_endpoint(staff_client, owner):
    apple = ProductFactory(sku="SG001", purchase_price=D("9.90"))
    supplier = SupplierFactory()
    response = staff_client.get(
        "/purchasing/price/", {"supplier": supplier.pk, "product": "sg001"}
    )
    assert response.json()["price"] == "9.90"
    order = ordered(owner, [(apple, "1", "4.20")], supplier=supplier)
    received(owner, order, [(apple, "1")])
    response = staff_client.get(
        "/purchasing/price/", {"supplier": supplier.pk, "product": "SG001"}
    )
    assert response.json()["price"] == "4.20"


def test_lists_filter_export_and_print(owner_client, owner):
    apple = ProductFactory()
    supplier = SupplierFactory(name="南方果业")
    order = ordered(owner, [(apple, "2", "3")], supplier=supplier)
    ordered(owner, [(apple, "1", "1")])
    response = owner_client.get("/purchasing/", {"supplier": supplier.code})
    assert [o.pk for o in response.context["page_obj"]] == [order.pk]
    export = owner_client.get("/purchasing/order/export/", {"supplier": supplier.code})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert len(rows) == 2 and rows[1][0] == order.number
    printed = owner_client.get(f"/purchasing/orders/{order.pk}/print/").content.decode()
    assert order.number in printed and "南方果业" in printed


def test_price_history_shows_on_the_product_page_for_the_owner(owner_client, owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "2", "3.30")])
    received(owner, order, [(apple, "2")], days_ago=3)
    order = ordered(owner, [(apple, "2", "3.50")], supplier=order.supplier)
    received(owner, order, [(apple, "2")])
    html = owner_client.get(f"/purchasing/prices/product/{apple.pk}/").content.decode()
    assert "¥3.30" in html and "¥3.50" in html and "<svg" in html
    supplier_html = owner_client.get(
        f"/purchasing/prices/supplier/{order.supplier_id}/"
    ).content.decode()
    assert "¥3.50" in supplier_html


def test_receipt_double_submit_posts_once(owner_client, owner):
    apple = ProductFactory(sku="SG001")
    order = ordered(owner, [(apple, "10", "2")])
    form = {
        "date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "SG001",
        "lines-0-quantity": "4",
        "submission": "7a0e1f22-1111-4c1e-9e2b-123456789abc",
    }
    first = owner_client.post(f"/purchasing/receipts/new/?order={order.pk}", form)
    second = Client()
    second.force_login(owner)
    again = second.post(f"/purchasing/receipts/new/?order={order.pk}", form)
    assert first.url == again.url
    assert StockMove.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/purchasing/receipts/new/?order=²",
        "/purchasing/receipts/new/?order=99999999999999999999",
        "/purchasing/returns/new/?receipt=abc",
        "/purchasing/price/?supplier=²&product=x",
    ],
)
def test_odd_ids_never_fail(staff_client, url):
    assert staff_client.get(url).status_code in {200, 404}


def test_staff_never_see_what_a_return_cost(staff_client, owner):
    apple = ProductFactory(sku="SG001")
    order = ordered(owner, [(apple, "5", "7.77")])
    received(owner, order, [(apple, "5")])
    from purchasing import services as purchasing_services

    document = purchasing_services.purchase_return_post(
        supplier=order.supplier,
        warehouse=order.warehouse,
        note="",
        user=owner,
        occurred_at=order.created_at,
        lines=[purchasing_services.ReturnLineInput(apple, D("1"))],
    )
    for url in (f"/purchasing/returns/{document.pk}/", "/purchasing/returns/"):
        assert "7.77" not in staff_client.get(url).content.decode()
    content = staff_client.get("/purchasing/return/export/").content
    rows = list(
        openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert "合计" not in rows[0]


def test_staff_receive_at_the_order_price_without_a_cost_field(staff_client):
    page = staff_client.get("/purchasing/receipts/new/").content.decode()
    assert "unit_cost" not in page


def test_a_closed_order_offers_no_receive_form(owner_client, owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "5", "1")])
    from purchasing import services as purchasing_services

    purchasing_services.purchase_order_end(order=order, user=owner, reason="不要了")
    response = owner_client.get(
        f"/purchasing/receipts/new/?order={order.pk}", follow=True
    )
    assert "不能再按它入库" in response.content.decode()


def test_amounts_too_large_for_the_system_are_refused(staff_client):
    ProductFactory(sku="SG001")
    response = staff_client.post(
        "/purchasing/orders/new/",
        order_form(SupplierFactory(), [("SG001", "999999999", "99999999.99")]),
        follow=True,
    )
    assert (
        "超出系统" in response.content.decode() or "太大" in response.content.decode()
    )
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    "url", ["/purchasing/", "/purchasing/receipts/", "/purchasing/returns/"]
)
def test_list_query_count_does_not_grow_with_documents(
    owner_client, owner, url, count_queries
):

    def count():
        return count_queries(owner_client, url)

    apple = ProductFactory()
    received(owner, ordered(owner, [(apple, "1", "1")]), [(apple, "1")])
    few = count()
    for _ in range(6):
        received(owner, ordered(owner, [(apple, "1", "1")]), [(apple, "1")])
    assert count() == few


def test_saving_a_draft_from_an_older_tab_is_refused(staff_client, owner):
    ProductFactory(sku="SG001")
    supplier = SupplierFactory()
    staff_client.post(
        "/purchasing/orders/new/", order_form(supplier, [("SG001", "1", "2")])
    )
    order = PurchaseOrder.objects.get()
    opened = order.version
    staff_client.post(
        f"/purchasing/orders/{order.pk}/edit/",
        order_form(supplier, [("SG001", "2", "2")], version=str(opened)),
    )
    response = staff_client.post(
        f"/purchasing/orders/{order.pk}/edit/",
        order_form(supplier, [("SG001", "9", "2")], version=str(opened)),
        follow=True,
    )
    assert "有人修改了它" in response.content.decode()
    assert order.lines.get().quantity == D("2")


def test_a_second_click_after_the_first_received_everything_lands_on_the_receipt(
    owner_client, owner
):
    """As with shipments (found by the soak): the first click's receipt finished
    the order, so the second click met "nothing can be received" and was told it
    failed. It lands on the receipt."""
    import uuid

    from catalog.tests.factories import ProductFactory
    from purchasing.models import GoodsReceipt
    from purchasing.tests.factories import ordered

    apple = ProductFactory(sku="SG001")
    order = ordered(owner, [(apple, "4", "2")])
    url = f"/purchasing/receipts/new/?order={order.pk}"
    data = {
        "submission": uuid.uuid4(),
        "date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "SG001",
        "lines-0-quantity": "4",
        "lines-0-unit_cost": "2",
    }
    first = owner_client.post(url, data)
    receipt = GoodsReceipt.objects.get()
    assert first.url == f"/purchasing/receipts/{receipt.pk}/"
    second = owner_client.post(url, data, follow=True)
    assert second.redirect_chain[-1][0] == f"/purchasing/receipts/{receipt.pk}/"
    assert "不能再按它入库" not in second.content.decode()
    assert f"{receipt.number} 已在第一次点击时过账" in second.content.decode()
    assert GoodsReceipt.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == D("4")
