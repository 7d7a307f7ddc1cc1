"""Issue 13, point 4: a purchase price far from what was paid needs the owner.

A clerk orders 1 unit at ¥99,999.99 (a typo for 4.50): the line is flagged, the
order cannot be placed and nothing reaches stock until the owner approves that
price in the app; the approval names the owner in the audit trail.
"""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from catalog.models import Warehouse
from catalog.tests.factories import SupplierFactory
from inventory.models import StockLevel, StockMove
from inventory.selectors import stock_drift
from purchasing import selectors, services
from purchasing.models import GoodsReceipt, OrderStatus, PurchaseOrder
from purchasing.tests.factories import ordered, received
from purchasing.tests.test_views import order_form

pytestmark = pytest.mark.django_db


def _stock(product):
    return (
        StockMove.objects.filter(product=product).count(),
        list(
            StockLevel.objects.filter(product=product).values_list(
                "on_hand", "value", "unit_cost"
            )
        ),
    )


def _draft(user, product, price, supplier=None):
    return ordered(user, [(product, 1, price)], supplier=supplier, confirm=False)


def test_clerk_cannot_place_the_typo_order_and_nothing_reaches_stock(
    staff, owner, pencil
):
    stock = _stock(pencil)
    order = _draft(staff, pencil, "99999.99", supplier=SupplierFactory())
    line = order.lines.get()
    assert (line.price_reference, line.price_approved_by) == (D("4.50"), None)

    with pytest.raises(ValidationError, match="批准价格"):
        services.purchase_order_confirm(order=order, user=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert _stock(pencil) == stock
    assert not AuditEntry.objects.filter(object_id=order.pk, action="confirm")


def test_owner_approval_then_the_clerk_places_and_receives_it(staff, owner, pencil):
    order = _draft(staff, pencil, "99999.99")

    services.purchase_order_prices_approve(
        order=order, user=owner, version=order.version
    )
    services.purchase_order_confirm(order=order, user=staff)
    receipt = received(staff, order, [(pencil, "1")])

    line = order.lines.get()
    assert line.price_approved_by == owner
    entry = AuditEntry.objects.get(
        object_id=order.pk, changes__has_key="price_approved_by"
    )
    assert entry.user == owner
    assert entry.changes["price_approved_by"] == [None, str(owner)]
    assert entry.changes[str(pencil)] == ["4.50", "99,999.99"]
    # The receipt at the approved order price needs no second approval.
    receipt_line = receipt.lines.get()
    assert receipt_line.price_approved_by == owner
    assert StockLevel.objects.get(product=pencil).on_hand == D("164")
    assert stock_drift() == []
    call_command("check_stock")


def test_a_clerk_cannot_approve(staff, pencil):
    order = _draft(staff, pencil, "99999.99")
    with pytest.raises(ValidationError, match="只有店主"):
        services.purchase_order_prices_approve(order=order, user=staff)
    assert order.lines.get().price_approved_by is None


def test_owner_entering_the_price_himself_approves_it_and_is_audited(owner, pencil):
    order = _draft(owner, pencil, "99999.99")
    line = order.lines.get()
    assert line.price_approved_by == owner
    entry = AuditEntry.objects.get(
        object_id=order.pk, changes__has_key="price_approved_by"
    )
    assert entry.user == owner and str(pencil) in entry.changes
    services.purchase_order_confirm(order=order, user=owner)


def test_changing_an_approved_price_needs_approval_again(staff, owner, pencil):
    order = _draft(staff, pencil, "99999.99")
    services.purchase_order_prices_approve(order=order, user=owner)
    order.refresh_from_db()

    def save(price):
        return services.purchase_order_save(
            order=order,
            supplier=order.supplier,
            warehouse=order.warehouse,
            order_date=order.order_date,
            expected_date=None,
            note="",
            lines=[services.OrderLineInput(pencil, D("1"), D(price))],
            user=staff,
            version=PurchaseOrder.objects.get(pk=order.pk).version,
        )

    save("99999.99")  # the same price: still approved
    assert order.lines.get().price_approved_by == owner
    save("88888.88")
    assert order.lines.get().price_waiting
    with pytest.raises(ValidationError):
        services.purchase_order_confirm(order=order, user=staff)
    save("4.60")  # back in the band: nothing to approve
    assert not order.lines.get().price_flagged
    services.purchase_order_confirm(order=order, user=staff)


def test_receipt_at_an_unapproved_price_is_refused_with_nothing_posted(
    staff, owner, pencil
):
    """An order placed before the band existed (or under a wider one) carries an
    unapproved price: its receipt by a clerk is refused until the owner approves
    it on the order; then the same receipt posts."""
    order = ordered(owner, [(pencil, 1, "4.50")])
    order.lines.update(unit_price=D("99999.99"), amount=D("99999.99"))
    stock = _stock(pencil)

    with pytest.raises(ValidationError, match="未过账"):
        received(staff, order, [(pencil, "1")])
    assert _stock(pencil) == stock
    assert not GoodsReceipt.objects.filter(order=order).exists()

    services.purchase_order_prices_approve(order=order, user=owner)
    received(staff, order, [(pencil, "1")])
    assert StockLevel.objects.get(product=pencil).on_hand == D("164")


def test_owner_typing_a_receipt_cost_outside_the_band_is_approved_and_audited(
    owner, pencil
):
    receipt = services.receipt_post(
        supplier=SupplierFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[services.ReceiptLineInput(pencil, D("1"), unit_cost=D("99999.99"))],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )
    line = receipt.lines.get()
    assert (line.price_reference, line.price_approved_by) == (D("4.50"), owner)
    entry = AuditEntry.objects.get(
        object_id=receipt.pk, changes__has_key="price_approved_by"
    )
    assert entry.user == owner


def test_clerk_page_flags_the_line_and_refuses_to_place(staff_client, owner, pencil):
    supplier = SupplierFactory()
    response = staff_client.post(
        reverse("purchasing:order_create"),
        order_form(supplier, [("PEN1", "1", "99999.99")]),
    )
    order = PurchaseOrder.objects.latest("pk")
    detail = staff_client.get(response.url).content.decode()
    assert 'data-price-flag="waiting"' in detail
    assert 'id="approve-prices"' not in detail  # a clerk cannot approve

    refused = staff_client.post(
        reverse("purchasing:order_confirm", args=[order.pk]), follow=True
    )
    assert "铅笔" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_owner_approves_on_the_order_page(staff, owner_client, owner, pencil):
    order = _draft(staff, pencil, "99999.99")
    page = owner_client.get(reverse("purchasing:order_detail", args=[order.pk]))
    assert 'id="approve-prices"' in page.content.decode()
    owner_client.post(
        reverse("purchasing:order_prices_approve", args=[order.pk]),
        {"version": str(order.version)},
    )
    assert order.lines.get().price_approved_by == owner
    page = owner_client.get(reverse("purchasing:order_detail", args=[order.pk]))
    assert 'data-price-flag="approved"' in page.content.decode()


def test_approving_what_changed_since_the_page_opened_is_refused(staff, owner, pencil):
    order = _draft(staff, pencil, "99999.99")
    seen = order.version
    services.purchase_order_save(
        order=order,
        supplier=order.supplier,
        warehouse=order.warehouse,
        order_date=order.order_date,
        expected_date=None,
        note="",
        lines=[services.OrderLineInput(pencil, D("1"), D("77777.77"))],
        user=staff,
        version=seen,
    )
    with pytest.raises(ValidationError):
        services.purchase_order_prices_approve(order=order, user=owner, version=seen)
    assert PurchaseOrder.objects.get(pk=order.pk).lines.get().price_waiting


def test_last_price_endpoint_gives_the_band(staff_client, pencil):
    supplier = SupplierFactory()
    data = staff_client.get(
        reverse("purchasing:last_price"),
        {"supplier": supplier.pk, "product": "PEN1"},
    ).json()
    assert (data["low"], data["high"]) == ("1.50", "13.50")


@pytest.mark.parametrize("factor", ["0.5", "1", "101"])
def test_band_setting_is_validated(owner_client, owner, factor):
    response = owner_client.post(
        reverse("purchasing:settings"),
        {"over_receipt_percent": "0", "price_band_factor": factor},
    )
    assert response.status_code == 200  # the form again, with the error
    assert selectors.purchasing_settings().price_band_factor == D("3")


def test_band_setting_off_lets_any_price_through(staff, owner_client, pencil):
    owner_client.post(
        reverse("purchasing:settings"),
        {"over_receipt_percent": "0", "price_band_factor": "0"},
    )
    assert selectors.purchasing_settings().price_band_factor == 0
    order = _draft(staff, pencil, "99999.99")
    services.purchase_order_confirm(order=order, user=staff)
