"""调拨申请 between two shops: requested → approved → shipped (in transit) →
received, who may take each step, cancelling, and the ledger clean after each."""

from decimal import Decimal as D

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from catalog.models import Shop, Warehouse
from catalog.tests.factories import ProductFactory, ShopFactory, WarehouseFactory
from inventory import transfer_requests as services
from inventory.models import StockLevel, Transfer, TransferRequest
from inventory.models import TransferRequestStatus as Status
from inventory.selectors import stock_drift
from inventory.tests.factories import receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(owner):
    first = Shop.objects.get()
    second = ShopFactory(code="S02", name="二店")
    main = Warehouse.objects.get(is_default=True)
    other = WarehouseFactory(code="B1", name="二店仓", shop=second)
    clerk_a, clerk_b = (
        StaffFactory(username="clerk_a"),
        StaffFactory(username="clerk_b"),
    )
    first.members.add(clerk_a)
    second.members.add(clerk_b)
    apple = ProductFactory(sku="SG001", name="苹果")
    receive(apple, "10", "2", user=owner, warehouse=main)
    return {"main": main, "other": other, "a": clerk_a, "b": clerk_b, "apple": apple}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def on_hand(product, warehouse) -> D:
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    return level.on_hand if level else D(0)


def transit() -> Warehouse | None:
    return Warehouse.objects.filter(is_transit=True).first()


def asked(chain) -> TransferRequest:
    """Clerk B asks shop A for 4 apples, on the page."""
    response = signed_in(chain["b"]).post(
        "/inventory/transfer-requests/new/",
        {
            "from_warehouse": chain["main"].pk,
            "to_warehouse": chain["other"].pk,
            "submission": "6d4c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a01",
            "note": "周末要用",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG001",
            "lines-0-quantity": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    request = TransferRequest.objects.get()
    assert response.url == f"/inventory/transfer-requests/{request.pk}/"
    return request


def step(user, request, name, **data):
    return signed_in(user).post(
        f"/inventory/transfer-requests/{request.pk}/{name}/", data, follow=True
    )


def status(request) -> str:
    request.refresh_from_db()
    return request.status


def test_a_request_goes_through_transit_to_the_asking_shop(chain, owner):
    request = asked(chain)
    assert request.number.startswith("TRQ-")
    assert (request.from_warehouse, request.to_warehouse) == (
        chain["main"],
        chain["other"],
    )
    # The asking clerk cannot approve their own request; shop A's clerk can.
    step(chain["b"], request, "approve")
    assert status(request) == Status.REQUESTED
    page = signed_in(chain["a"]).get(f"/inventory/transfer-requests/{request.pk}/")
    assert 'id="request-approve"' in page.content.decode()
    step(chain["a"], request, "approve")
    assert status(request) == Status.APPROVED
    assert stock_drift() == []
    # B cannot ship A's goods; A ships, twice (a double click): once.
    step(chain["b"], request, "ship")
    assert status(request) == Status.APPROVED
    step(chain["a"], request, "ship")
    step(chain["a"], request, "ship")
    assert status(request) == Status.SHIPPED
    assert Transfer.objects.count() == 1
    assert on_hand(chain["apple"], chain["main"]) == D(6)
    assert on_hand(chain["apple"], transit()) == D(4)
    assert on_hand(chain["apple"], chain["other"]) == D(0)
    assert stock_drift() == []
    # In transit on the owner's stock page, and its value still counted.
    overview = signed_in(owner).get("/inventory/").content.decode()
    assert "在途" in overview
    assert StockLevel.objects.get(warehouse=transit()).value == D("8.00")
    from datetime import timedelta

    from django.utils import timezone

    from reports.selectors import shops_side_by_side

    today = timezone.localdate()
    side = shops_side_by_side(start=today, end=today + timedelta(days=1))
    assert [row["stock_value"] for row in side] == [D("12.00"), D("0"), D("8.00")]
    # Only B receives.
    step(chain["a"], request, "receive")
    assert status(request) == Status.SHIPPED
    step(chain["b"], request, "receive")
    assert status(request) == Status.RECEIVED
    assert on_hand(chain["apple"], transit()) == D(0)
    assert on_hand(chain["apple"], chain["other"]) == D(4)
    assert StockLevel.objects.get(warehouse=chain["other"]).value == D("8.00")
    assert stock_drift() == []
    # Received: nobody cancels it any more.
    step(owner, request, "cancel", reason="x")
    assert status(request) == Status.RECEIVED


def test_cancelling_before_shipping_moves_nothing(chain):
    request = asked(chain)
    step(chain["b"], request, "cancel", reason="")  # a reason is needed
    assert status(request) == Status.REQUESTED
    step(chain["b"], request, "cancel", reason="不用了")
    assert status(request) == Status.CANCELLED
    assert on_hand(chain["apple"], chain["main"]) == D(10)
    assert stock_drift() == []


def test_after_shipping_only_the_owner_cancels_and_the_goods_go_back(chain, owner):
    request = asked(chain)
    step(chain["a"], request, "approve")
    step(chain["a"], request, "ship")
    step(chain["a"], request, "cancel", reason="发错了")
    step(chain["b"], request, "cancel", reason="发错了")
    assert status(request) == Status.SHIPPED
    step(owner, request, "cancel", reason="发错了")
    assert status(request) == Status.CANCELLED
    assert on_hand(chain["apple"], chain["main"]) == D(10)
    assert on_hand(chain["apple"], transit()) == D(0)
    assert stock_drift() == []


def test_shipping_more_than_there_is_is_refused_and_changes_nothing(chain, owner):
    request = asked(chain)
    services.transfer_request_approve(request=request, user=owner)
    from inventory.documents import transfer_post

    transfer_post(
        from_warehouse=chain["main"],
        to_warehouse=WarehouseFactory(code="A2", shop=Shop.objects.get(code="S01")),
        lines=[(chain["apple"], D(8))],
        note="",
        user=owner,
    )
    response = step(chain["a"], request, "ship")
    assert "苹果" in response.content.decode()  # the short line is named
    assert status(request) == Status.APPROVED
    assert on_hand(chain["apple"], chain["main"]) == D(2)
    assert stock_drift() == []


def test_a_clerk_asks_only_into_their_own_shop_and_sees_only_its_requests(chain):
    b = signed_in(chain["b"])
    form = b.get("/inventory/transfer-requests/new/").content.decode()
    assert "二店仓" in form
    response = b.post(
        "/inventory/transfer-requests/new/",
        {
            "from_warehouse": chain["other"].pk,
            "to_warehouse": chain["main"].pk,  # forged: shop A's
            "submission": "6d4c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a02",
            "note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "SG001",
            "lines-0-quantity": "1",
        },
    )
    assert response.status_code == 200
    assert not TransferRequest.objects.exists()
    request = asked(chain)
    third = ShopFactory(code="S03", name="三店")
    clerk_c = StaffFactory(username="clerk_c")
    third.members.add(clerk_c)
    c = signed_in(clerk_c)
    assert c.get(f"/inventory/transfer-requests/{request.pk}/").status_code == 404
    assert (
        c.post(f"/inventory/transfer-requests/{request.pk}/approve/").status_code == 404
    )
    assert request.number not in c.get("/inventory/transfer-requests/").content.decode()
    assert request.number in b.get("/inventory/transfer-requests/").content.decode()


def test_the_transit_warehouse_is_on_no_form(chain, owner):
    request = asked(chain)
    services.transfer_request_approve(request=request, user=owner)
    services.transfer_request_ship(request=request, user=owner)
    page = signed_in(owner).get("/inventory/transfers/new/").content.decode()
    assert f'<option value="{transit().pk}"' not in page
