"""Who may date a document when (issue 13, backdated documents): staff date
today only unless the owner allows some days back; the owner dates into any open
month; nothing is dated into a closed month."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from catalog.tests.factories import ProductFactory, SupplierFactory
from inventory.models import InventorySettings, StockMove
from inventory.months import month_close
from purchasing.models import GoodsReceipt, PurchaseOrder, PurchaseReturn
from purchasing.tests.factories import ordered, received
from purchasing.tests.test_views import order_form

pytestmark = pytest.mark.django_db


def day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def receipt_form(date: str, code: str = "SG001", quantity: str = "4") -> dict:
    return {
        "date": date,
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": code,
        "lines-0-quantity": quantity,
    }


def allow_staff(days: int) -> None:
    InventorySettings.objects.update_or_create(
        pk=1, defaults={"staff_backdate_days": days}
    )


def test_staff_date_a_receipt_today_only_by_default(staff_client, owner):
    ProductFactory(sku="SG001")
    order = ordered(owner, [(ProductFactory(sku="SG002"), "10", "2")])
    url = f"/purchasing/receipts/new/?order={order.pk}"
    page = staff_client.post(url, receipt_form(day(1), "SG002"))
    assert page.status_code == 200
    assert "只有店主可以" in page.content.decode()  # only the owner dates earlier
    assert GoodsReceipt.objects.count() == 0
    assert StockMove.objects.count() == 0
    done = staff_client.post(url, receipt_form(day(0), "SG002"))
    assert done.status_code == 302
    received_on = timezone.localdate(GoodsReceipt.objects.get().occurred_at)
    assert received_on == timezone.localdate()


def test_staff_date_back_as_many_days_as_the_owner_allows(staff_client, owner):
    allow_staff(2)
    product = ProductFactory(sku="SG002")
    order = ordered(owner, [(product, "10", "2")])
    url = f"/purchasing/receipts/new/?order={order.pk}"
    refused = staff_client.post(url, receipt_form(day(3), "SG002"))
    html = refused.content.decode()
    assert "2 天" in html and day(2) in html
    assert GoodsReceipt.objects.count() == 0
    staff_client.post(url, receipt_form(day(2), "SG002"))
    receipt = GoodsReceipt.objects.get()
    assert timezone.localtime(receipt.occurred_at).date().isoformat() == day(2)


def test_owner_backdates_into_open_months_but_not_closed_ones(owner_client, owner):
    product = ProductFactory(sku="SG002")
    order = ordered(owner, [(product, "10", "2")])
    url = f"/purchasing/receipts/new/?order={order.pk}"
    first = timezone.localdate().replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    month_close(month=last_month, user=owner)
    refused = owner_client.post(url, receipt_form(day(timezone.localdate().day)))
    assert f"{last_month:%Y-%m}" in refused.content.decode()
    assert GoodsReceipt.objects.count() == 0
    owner_client.post(url, receipt_form(first.isoformat(), "SG002"))
    assert timezone.localtime(GoodsReceipt.objects.get().occurred_at).date() == first


def test_staff_keep_a_draft_orders_date_but_cannot_move_it_back(staff_client, owner):
    supplier = SupplierFactory()
    ProductFactory(sku="SG001")
    refused = staff_client.post(
        "/purchasing/orders/new/",
        order_form(supplier, [("SG001", "1", "1")], order_date=day(5)),
    )
    assert refused.status_code == 200
    assert PurchaseOrder.objects.count() == 0
    # The owner's draft of five days ago: a clerk edits its lines, keeps its date.
    draft = ordered(
        owner,
        [(ProductFactory(sku="SG003"), "1", "1")],
        supplier=supplier,
        confirm=False,
    )
    PurchaseOrder.objects.filter(pk=draft.pk).update(
        order_date=timezone.localdate() - timedelta(days=5)
    )
    draft.refresh_from_db()
    saved = staff_client.post(
        f"/purchasing/orders/{draft.pk}/edit/",
        order_form(
            supplier,
            [("SG003", "2", "1")],
            order_date=day(5),
            version=draft.version,
        ),
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.lines.get().quantity == D("2")
    moved = staff_client.post(
        f"/purchasing/orders/{draft.pk}/edit/",
        order_form(
            supplier, [("SG003", "3", "1")], order_date=day(6), version=draft.version
        ),
    )
    assert moved.status_code == 200
    draft.refresh_from_db()
    assert draft.lines.get().quantity == D("2")


def test_a_purchase_return_dated_before_the_goods_arrived_is_refused(
    owner_client, owner
):
    """The issue's case, through the page: goods arrived today, a return dated last
    week would leave the stock card at −10 that day."""
    pen = ProductFactory(sku="SG002", name="钢笔", unit="支")
    order = ordered(owner, [(pen, "10", "2")])
    receipt = received(owner, order, [(pen, "10")])
    url = f"/purchasing/returns/new/?receipt={receipt.pk}"
    form = receipt_form(day(7), "SG002", "10")
    page = owner_client.post(url, form)
    html = page.content.decode()
    assert page.status_code == 200
    assert day(7) in html and "钢笔" in html and "差 10 支" in html
    assert PurchaseReturn.objects.count() == 0
    assert StockMove.objects.count() == 1
    owner_client.post(url, receipt_form(day(0), "SG002", "10"))
    assert PurchaseReturn.objects.count() == 1
