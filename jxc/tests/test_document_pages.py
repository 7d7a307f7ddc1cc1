"""Document pages come from each model's get_absolute_url(): the audit trail's
links, the stock card's source links and the document lists' rows."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from catalog.tests.factories import ProductFactory
from inventory.models import StockMove
from jxc.models import record_page
from purchasing.models import GoodsReceipt
from purchasing.tests.factories import ordered, received

pytestmark = pytest.mark.django_db


def test_a_record_page_is_its_models_absolute_url(owner):
    receipt_type = ContentType.objects.get_for_model(GoodsReceipt)
    assert record_page(receipt_type, 12) == "/purchasing/receipts/12/"
    user_type = ContentType.objects.get_for_model(type(owner))
    assert record_page(user_type, owner.pk) == f"/accounts/users/{owner.pk}/"
    assert record_page(None, 12) == ""
    assert record_page(receipt_type, None) == ""


def test_a_model_without_a_page_has_none():
    assert record_page(ContentType.objects.get_for_model(ContentType), 1) == ""


def test_the_stock_card_links_each_move_to_its_document(owner_client, owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "5", "2")])
    receipt = received(owner, order, [(apple, "5")])
    move = StockMove.objects.get(product=apple)
    assert move.source_url == receipt.get_absolute_url()
    html = owner_client.get(f"/inventory/card/{apple.pk}/").content.decode()
    assert f'<a href="{receipt.get_absolute_url()}">{receipt.number}</a>' in html
    assert move.quantity == Decimal("5")


def test_document_lists_link_rows_to_the_documents(owner_client, owner):
    apple = ProductFactory()
    order = ordered(owner, [(apple, "5", "2")])
    html = owner_client.get("/purchasing/").content.decode()
    assert f'href="{order.get_absolute_url()}"' in html


def test_both_order_pages_offer_to_end_a_draft(owner_client, owner):
    from sales.tests.factories import draft

    purchase = ordered(owner, [(ProductFactory(), "5", "2")], confirm=False)
    sale = draft(owner, [(ProductFactory(), "1", "3")])
    for order, path in ((purchase, "purchasing"), (sale, "sales")):
        html = owner_client.get(order.get_absolute_url()).content.decode()
        assert f'action="/{path}/orders/{order.pk}/end/"' in html
        assert "取消订单" in html  # Cancel the order


def test_document_lists_export_what_they_show(owner_client, owner):
    import io

    import openpyxl

    ordered(owner, [(ProductFactory(), "5", "2")])
    for url in ("/purchasing/order/export/", "/sales/shipment/export/"):
        content = owner_client.get(url).content
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        header = next(sheet.iter_rows(min_row=2, values_only=True))
        assert header[0] == "单号" and "备注" in header
