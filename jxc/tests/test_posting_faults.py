"""A failure inside the stock posting of a document rolls the whole document back.

The failure is injected by connecting one more receiver to the document's signal,
after inventory's stock receiver: it runs once the moves and balances are written,
checks that they are, and then fails. Nothing of ours is replaced. Each test runs
outside any test transaction (``transaction=True``), as a web request does, so the
posting owns the outermost transaction.
"""

import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, SupplierFactory
from inventory.models import StockLevel, StockMove
from inventory.tests.factories import receive
from jxc.tests.snapshot import everything
from purchasing import services as purchasing_services
from purchasing import signals as purchasing_signals
from purchasing.models import (
    GoodsReceipt,
    PurchaseReturn,
)
from sales import services as sales_services
from sales import signals as sales_signals
from sales.models import (
    SalesOrder,
    SalesReturn,
    Shipment,
)
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
REFUSED = "Nothing was saved: the database refused the posting."


@contextmanager
def failing_after_stock(signal, product, failure):
    """While inside, ``signal`` gets one more receiver after inventory's: it records
    the balance the stock receiver just wrote, then fails with ``failure``."""
    seen = []

    def fail(sender, **kwargs):
        level = StockLevel.objects.get(product=product)
        seen.append((level.on_hand, StockMove.objects.count()))
        if failure == "database":
            # The database refuses the write: on hand would go below zero.
            StockLevel.objects.filter(pk=level.pk).update(on_hand=-1)
        else:
            raise ValidationError("The extra receiver refuses.")

    signal.connect(fail, dispatch_uid="test.failing_after_stock")
    try:
        yield seen
    finally:
        signal.disconnect(dispatch_uid="test.failing_after_stock")


@pytest.fixture
def clerk(owner):
    client = Client()
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def pc(owner):
    product = ProductFactory(sku="PC01", name="电脑", sale_price=D("3000"))
    receive(product, "15", "2000", user=owner)
    return product


def _today():
    return timezone.localdate().isoformat()


def receipt_form(pc, owner):
    data = {
        "submission": str(uuid.uuid4()),
        "supplier": SupplierFactory().code,
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "date": _today(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "PC01",
        "lines-0-quantity": "4",
        "lines-0-unit_cost": "2100",
    }
    return "/purchasing/receipts/new/", data, purchasing_signals.receipt_posted


def purchase_return_form(pc, owner):
    receipt = purchasing_services.receipt_post(
        supplier=SupplierFactory(),
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[purchasing_services.ReceiptLineInput(pc, D("5"))],
        occurred_at=timezone.now(),
        note="",
        user=owner,
    )
    data = {
        "submission": str(uuid.uuid4()),
        "date": _today(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "PC01",
        "lines-0-quantity": "2",
    }
    return (
        f"/purchasing/returns/new/?receipt={receipt.pk}",
        data,
        purchasing_signals.purchase_return_posted,
    )


def shipment_form(pc, owner):
    order = confirmed(owner, [(pc, "3")])
    line = order.lines.get()
    data = {
        "submission": str(uuid.uuid4()),
        "version": order.version,
        "note": "",
        f"ship_{line.pk}": "2",
    }
    return (
        f"/sales/shipments/new/?order={order.pk}",
        data,
        sales_signals.shipment_posted,
    )


def retail_form(pc, owner):
    data = {
        "submission": str(uuid.uuid4()),
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "amount_received": "10000",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "PC01",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "",
        "lines-0-discount": "",
    }
    return "/sales/retail/", data, sales_signals.shipment_posted


def sales_return_form(pc, owner):
    shipment = ship(owner, confirmed(owner, [(pc, "3")]))
    line = shipment.lines.get()
    data = {
        "submission": str(uuid.uuid4()),
        f"return_{line.pk}": "1",
        "reason": "坏了",
    }
    return (
        f"/sales/returns/new/?shipment={shipment.pk}",
        data,
        sales_signals.sales_return_posted,
    )


DOCUMENTS = {
    "receipt": (receipt_form, GoodsReceipt),
    "purchase return": (purchase_return_form, PurchaseReturn),
    "shipment": (shipment_form, Shipment),
    "retail sale": (retail_form, Shipment),
    "sales return": (sales_return_form, SalesReturn),
}


@pytest.mark.parametrize("failure", ["database", "refusal"])
@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_a_failure_after_the_stock_posting_rolls_the_whole_document_back(
    clerk, owner, pc, kind, failure
):
    make_form, model = DOCUMENTS[kind]
    url, data, signal = make_form(pc, owner)
    before = everything()
    level_before = StockLevel.objects.get(product=pc).on_hand

    with failing_after_stock(signal, pc, failure) as seen:
        response = clerk.post(url, data)

    # The stock receiver had written moves and a new balance before the failure.
    assert len(seen) == 1
    assert seen[0][0] != level_before
    assert seen[0][1] > len(before["StockMove"])
    # The user is told, on the form they filled in, which keeps what they typed.
    assert response.status_code == 200
    html = response.content.decode()
    told = REFUSED if failure == "database" else "The extra receiver refuses."
    assert told in html
    assert 'name="submission"' in html and data["submission"] in html
    # Nothing changed: no document, no status change, no moves, no balance, and
    # no document number used up.
    assert everything() == before

    # The same form sent again once the fault is gone posts exactly once, with
    # the number the failed try would have had.
    response = clerk.post(url, data)
    assert response.status_code == 302
    again = clerk.post(url, data)
    assert again.status_code == 302 and again.url == response.url
    if kind == "retail sale":
        document = SalesOrder.objects.get(submission=data["submission"])
        assert document.shipments.count() == 1
    else:
        document = model.objects.get(submission=data["submission"])
    assert document.number.endswith("-001")
    assert StockMove.objects.count() == len(before["StockMove"]) + 1
    call_command("check_stock")


def test_a_bug_in_a_receiver_rolls_back_too(owner, pc):
    """Any exception, not only a database error, undoes everything posted so far;
    a programming error reaches the caller unchanged (a 500 page and a logged
    traceback), it is not dressed up as a refusal."""
    order = confirmed(owner, [(pc, "3")])
    before = everything()

    def broken(sender, **kwargs):
        raise RuntimeError("a bug")

    sales_signals.shipment_posted.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            sales_services.shipment_post(
                order=order,
                quantities={order.lines.get().pk: D("1")},
                occurred_at=timezone.now(),
                user=owner,
            )
    finally:
        sales_signals.shipment_posted.disconnect(dispatch_uid="test.broken")
    assert everything() == before
