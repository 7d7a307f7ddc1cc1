"""Issue 13, point 5: reservations one clerk can abuse.

Who holds reserved stock (and the owner releasing one order's part), clerks
cancelling their own unshipped orders, and reservations that expire after the
owner's number of days. ``check_stock`` runs after every test."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from audit.models import AuditEntry
from catalog.models import Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory
from inventory.models import StockLevel
from inventory.services import InsufficientStock
from inventory.tests.factories import receive
from sales import services
from sales.models import OrderStatus, SalesOrder, SalesSettings
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal
# Tomorrow 10:00: the clock only moves forward from the stock put in before it
# (a sale dated before its goods arrived would be a negative running balance).
START = timezone.make_aware(
    datetime.combine(timezone.localdate() + timedelta(days=1), time(10))
)


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_stock")


def level(product):
    return StockLevel.objects.get(product=product, warehouse__is_default=True)


def state(order, product):
    """Everything a refused request must leave as it was."""
    order.refresh_from_db()
    line = order.lines.get(product=product)
    stock = level(product)
    return (
        order.status,
        order.version,
        order.reserved_until,
        order.reservation_expired_at,
        line.reserved_quantity,
        stock.on_hand,
        stock.reserved,
        AuditEntry.objects.count(),
    )


def retail(user, product, quantity):
    return services.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[services.SaleLineInput(product, D(quantity))],
        amount_received=D("100000"),
        user=user,
    )


# --- who holds the stock; the owner releases one order's part ------------------------


def test_reserved_figure_on_the_stock_overview_opens_the_orders_holding_it(
    staff_client, owner
):
    product = ProductFactory(name="雨伞")
    receive(product, "10", "5", user=owner)
    confirmed(owner, [(product, "4")])
    response = staff_client.get("/inventory/")
    assert f'href="/sales/reservations/{product.pk}/"' in response.content.decode()


def test_staff_see_who_holds_stock_but_cannot_release_it(staff_client, staff, owner):
    product = ProductFactory(name="雨伞", unit="把")
    receive(product, "10", "5", user=owner)
    shop = CustomerFactory(name="红星超市")
    order = confirmed(staff, [(product, "7")], customer=shop)
    response = staff_client.get(f"/sales/reservations/{product.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/sales/orders/{order.pk}/"' in page and order.number in page
    assert "红星超市" in page and "7 把" in page
    assert timezone.localtime(order.confirmed_at).strftime("%Y-%m-%d %H:%M") in page
    assert str(staff) in page  # who confirmed it
    assert "reservation_release" not in page and "/release/" not in page
    before = state(order, product)
    refused = staff_client.post(
        f"/sales/reservations/{product.pk}/release/", {"order": order.pk}
    )
    assert refused.status_code == 403
    assert state(order, product) == before


def test_owner_releases_one_orders_reservation_and_the_order_waits_without_it(
    owner_client, owner, staff
):
    product = ProductFactory(name="雨伞", unit="把")
    receive(product, "10", "5", user=owner)
    hoarded = confirmed(staff, [(product, "8")])
    other = confirmed(staff, [(product, "2")])
    page = owner_client.get(f"/sales/reservations/{product.pk}/").content.decode()
    # The confirmation names the order and the quantity.
    assert f"{hoarded.number} 预留的 8 把" in page or (
        hoarded.number in page and "8 把" in page
    )
    response = owner_client.post(
        f"/sales/reservations/{product.pk}/release/",
        {"order": hoarded.pk},
        follow=True,
    )
    assert hoarded.number in response.content.decode()
    hoarded.refresh_from_db()
    assert hoarded.status == OrderStatus.CONFIRMED
    assert hoarded.lines.get().reserved_quantity == 0
    assert other.lines.get().reserved_quantity == D("2")
    assert (level(product).reserved, level(product).available) == (D("2"), D("8"))
    entry = AuditEntry.objects.filter(
        object_id=hoarded.pk, content_type__model="salesorder"
    ).latest("pk")
    assert entry.user == owner and "8" in entry.summary and "雨伞" in entry.summary
    detail = owner_client.get(f"/sales/orders/{hoarded.pk}/").content.decode()
    assert "欠货" in detail  # the line waits for 8 without a reservation
    # The counter can sell the released stock now.
    retail(owner, product, "8")


def test_releasing_again_is_refused_with_a_message_and_changes_nothing(
    owner_client, owner
):
    product = ProductFactory(name="雨伞")
    receive(product, "10", "5", user=owner)
    order = confirmed(owner, [(product, "3")])
    services.sales_order_reservation_release(order=order, product=product, user=owner)
    before = state(order, product)
    response = owner_client.post(
        f"/sales/reservations/{product.pk}/release/", {"order": order.pk}, follow=True
    )
    assert "没有" in response.content.decode() or "no reserved" in (
        response.content.decode()
    )
    assert state(order, product) == before


def test_the_release_service_refuses_a_clerk_and_changes_nothing(owner, staff):
    product = ProductFactory()
    receive(product, "10", "5", user=owner)
    order = confirmed(staff, [(product, "3")])
    before = state(order, product)
    with pytest.raises(ValidationError):
        services.sales_order_reservation_release(
            order=order, product=product, user=staff
        )
    assert state(order, product) == before


def test_the_holders_page_reads_in_a_fixed_number_of_queries(owner_client, owner):
    product = ProductFactory()
    receive(product, "100", "5", user=owner)
    confirmed(owner, [(product, "1")])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(f"/sales/reservations/{product.pk}/").status_code
        return len(queries)

    few = count()
    for _ in range(6):
        confirmed(owner, [(product, "2")], customer=CustomerFactory())
    assert count() == few


# --- clerks cancel their own confirmed orders that have not shipped ----------------


def test_a_clerk_cancels_their_own_confirmed_order_and_its_stock_is_free(
    staff_client, staff, owner
):
    product = ProductFactory()
    receive(product, "10", "5", user=owner)
    order = confirmed(staff, [(product, "10")])
    detail = staff_client.get(f"/sales/orders/{order.pk}/").content.decode()
    assert f"/sales/orders/{order.pk}/end/" in detail
    response = staff_client.post(
        f"/sales/orders/{order.pk}/end/", {"reason": "下错单了"}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert (level(product).reserved, level(product).available) == (D("0"), D("10"))
    assert AuditEntry.objects.filter(
        object_id=order.pk, user=staff, summary="下错单了"
    ).exists()


def test_a_clerk_cannot_cancel_another_clerks_confirmed_order(client, staff, owner):
    product = ProductFactory()
    receive(product, "10", "5", user=owner)
    order = confirmed(staff, [(product, "10")])
    other = StaffFactory(username="clerk2")
    client.force_login(other)
    detail = client.get(f"/sales/orders/{order.pk}/").content.decode()
    assert f"/sales/orders/{order.pk}/end/" not in detail
    before = state(order, product)
    response = client.post(f"/sales/orders/{order.pk}/end/", {"reason": "不要了"})
    assert response.status_code == 403
    assert state(order, product) == before
    with pytest.raises(ValidationError, match=order.number):
        services.sales_order_end(order=order, user=other, reason="不要了")
    assert state(order, product) == before


def test_a_clerk_cannot_cancel_their_own_order_once_something_shipped(
    staff_client, staff, owner
):
    product = ProductFactory()
    receive(product, "10", "5", user=owner)
    order = confirmed(staff, [(product, "6")])
    ship(staff, order, {product: "2"})
    before = state(order, product)
    response = staff_client.post(f"/sales/orders/{order.pk}/end/", {"reason": "算了"})
    assert response.status_code == 403
    assert state(order, product) == before
    with pytest.raises(ValidationError):
        services.sales_order_end(order=order, user=staff, reason="算了")
    assert state(order, product) == before
    # The owner still closes it short.
    services.sales_order_end(order=order, user=owner, reason="客户只要 2 把")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


# --- reservations expire after the owner's number of days ---------------------------


def test_reservations_never_expire_by_default(owner):
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(owner, [(product, "5")])
        traveller.shift(timedelta(days=400))
        assert services.reservations_expire() == []
        with pytest.raises(InsufficientStock):
            retail(owner, product, "1")
    order.refresh_from_db()
    assert order.reservation_expired_at is None
    assert level(product).reserved == D("5")


def test_an_expired_reservation_frees_the_stock_for_the_counter_without_cron(
    owner, staff
):
    services.sales_settings_save(reservation_expiry_days=3, user=owner)
    product = ProductFactory(name="雨伞")
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(staff, [(product, "5")])
        assert order.reserved_until == START + timedelta(days=3)
        traveller.shift(timedelta(days=3) - timedelta(seconds=1))
        with pytest.raises(InsufficientStock):
            retail(staff, product, "1")  # still within the 3 days
        traveller.shift(timedelta(seconds=1))
        retail(staff, product, "2")  # the sale releases the due reservation first
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.reservation_expired_at == START + timedelta(days=3)
    assert order.lines.get().reserved_quantity == 0
    assert (level(product).on_hand, level(product).reserved) == (D("3"), D("0"))
    # The order's own entries (the counter sale's shipment may share its id).
    entry = AuditEntry.objects.filter(
        object_id=order.pk, content_type__model="salesorder"
    ).latest("pk")
    assert entry.user is None and "雨伞 5" in entry.summary


def test_an_expired_order_is_marked_on_its_page_and_in_the_list(owner_client, owner):
    services.sales_settings_save(reservation_expiry_days=1, user=owner)
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(owner, [(product, "5")])
        traveller.shift(timedelta(days=2))
        assert services.reservations_expire() == [order]
    assert (
        "预留已过期" in owner_client.get(f"/sales/orders/{order.pk}/").content.decode()
    )
    assert "预留已过期" in owner_client.get("/sales/").content.decode()


def test_a_partly_shipped_order_releases_only_what_is_still_reserved(owner):
    services.sales_settings_save(reservation_expiry_days=2, user=owner)
    a, b = ProductFactory(), ProductFactory()
    receive(a, "10", "5", user=owner)
    receive(b, "10", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(owner, [(a, "6"), (b, "4")])
        ship(owner, order, {a: "6", b: "1"})
        traveller.shift(timedelta(days=2))
        assert services.reservations_expire() == [order]
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    assert [line.reserved_quantity for line in order.lines.order_by("pk")] == [0, 0]
    assert (level(a).on_hand, level(a).reserved) == (D("4"), D("0"))
    assert (level(b).on_hand, level(b).reserved) == (D("9"), D("0"))
    # Still shippable, from free stock.
    ship(owner, order, {b: "3"})
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_a_fully_shipped_order_is_never_marked_expired(owner):
    services.sales_settings_save(reservation_expiry_days=1, user=owner)
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(owner, [(product, "5")])
        ship(owner, order)
        traveller.shift(timedelta(days=5))
        assert services.reservations_expire() == []
    order.refresh_from_db()
    assert order.reservation_expired_at is None


def test_turning_expiry_on_counts_open_orders_from_their_confirmation(owner):
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(owner, [(product, "5")])
        traveller.shift(timedelta(days=10))
        services.sales_settings_save(reservation_expiry_days=7, user=owner)
        order.refresh_from_db()
        assert order.reserved_until == START + timedelta(days=7)
        call_command("expire_reservations")
        order.refresh_from_db()
        assert order.reservation_expired_at == START + timedelta(days=10)
        services.sales_settings_save(reservation_expiry_days=0, user=owner)
    assert SalesSettings.objects.get().reservation_expiry_days is None
    assert level(product).reserved == 0


def test_turning_expiry_off_keeps_reservations(owner):
    services.sales_settings_save(reservation_expiry_days=2, user=owner)
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(owner, [(product, "5")])
        services.sales_settings_save(reservation_expiry_days=None, user=owner)
        traveller.shift(timedelta(days=30))
        assert services.reservations_expire() == []
    order.refresh_from_db()
    assert order.reserved_until is None and level(product).reserved == D("5")


def test_the_check_before_a_sale_is_one_query_when_nothing_is_due(owner):
    services.sales_settings_save(reservation_expiry_days=2, user=owner)
    product = ProductFactory()
    receive(product, "50", "5", user=owner)
    for _ in range(5):
        confirmed(owner, [(product, "1")])
    with CaptureQueriesContext(connection) as queries:
        assert services.reservations_expire() == []
    assert len(queries) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_the_due_check_can_use_its_partial_index(owner):
    query = services._orders_due(timezone.now()).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sales_order_reserved_until" in plan


# --- the owner's sales settings page -------------------------------------------------


def test_owner_sets_the_expiry_days_on_the_settings_page(owner_client, owner):
    response = owner_client.post("/sales/settings/", {"reservation_expiry_days": "5"})
    assert response.status_code == 302
    assert SalesSettings.objects.get().reservation_expiry_days == 5
    entry = AuditEntry.objects.latest("pk")
    assert entry.user == owner and entry.changes == {
        "reservation_expiry_days": [None, 5]
    }
    page = owner_client.get("/sales/settings/").content.decode()
    assert "expire_reservations" in page


@pytest.mark.parametrize("value", ["-1", "366", "abc", "1.5", "99999999"])
def test_bad_expiry_days_are_refused_and_change_nothing(owner_client, owner, value):
    services.sales_settings_save(reservation_expiry_days=3, user=owner)
    audit = AuditEntry.objects.count()
    response = owner_client.post("/sales/settings/", {"reservation_expiry_days": value})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SalesSettings.objects.get().reservation_expiry_days == 3
    assert AuditEntry.objects.count() == audit


def test_clerks_cannot_change_the_sales_settings(staff_client):
    assert staff_client.get("/sales/settings/").status_code == 403
    response = staff_client.post("/sales/settings/", {"reservation_expiry_days": "1"})
    assert response.status_code == 403
    assert not SalesSettings.objects.exists()


def test_an_expired_order_is_counted_once_among_many(owner):
    """Orders of several products expire together; each balance is released once."""
    services.sales_settings_save(reservation_expiry_days=1, user=owner)
    a, b = ProductFactory(), ProductFactory()
    receive(a, "10", "5", user=owner)
    receive(b, "10", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        first = confirmed(owner, [(b, "3"), (a, "2")])
        second = confirmed(owner, [(a, "4")])
        traveller.shift(timedelta(days=1))
        expired = services.reservations_expire()
        assert {o.pk for o in expired} == {first.pk, second.pk}
        assert services.reservations_expire() == []
    assert (level(a).reserved, level(b).reserved) == (D("0"), D("0"))
    assert SalesOrder.objects.filter(reservation_expired_at__isnull=False).count() == 2


def test_an_expired_order_can_be_reserved_again_from_free_stock(
    staff_client, staff, owner
):
    services.sales_settings_save(reservation_expiry_days=2, user=owner)
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        order = confirmed(staff, [(product, "5")])
        traveller.shift(timedelta(days=2))
        retail(staff, product, "2")  # expires the order, sells 2 of the 5
        staff_client.force_login(staff)  # two days on, a new day's sign-in
        response = staff_client.post(f"/sales/orders/{order.pk}/reserve/")
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.lines.get().reserved_quantity == D("3")
        assert order.reservation_expired_at is None
        assert order.reserved_until == START + timedelta(days=4)
    assert (level(product).on_hand, level(product).reserved) == (D("3"), D("3"))


def test_reserving_again_without_free_stock_is_refused_and_changes_nothing(
    staff_client, staff, owner
):
    product = ProductFactory()
    receive(product, "5", "5", user=owner)
    order = confirmed(staff, [(product, "5")])
    services.sales_order_reservation_release(order=order, product=product, user=owner)
    retail(staff, product, "5")
    before = state(order, product)
    response = staff_client.post(f"/sales/orders/{order.pk}/reserve/", follow=True)
    assert order.number in response.content.decode()
    assert state(order, product) == before


def test_the_product_page_links_each_warehouses_reserved_figure(staff_client, owner):
    product = ProductFactory()
    receive(product, "10", "5", user=owner)
    order = confirmed(owner, [(product, "4")])
    page = staff_client.get(f"/inventory/product/{product.pk}/")
    link = f"/sales/reservations/{product.pk}/?warehouse={order.warehouse_id}"
    assert link in page.content.decode()
    holders = staff_client.get(link).content.decode()
    assert order.number in holders


def test_confirming_an_order_first_frees_reservations_that_are_due(owner, staff):
    services.sales_settings_save(reservation_expiry_days=5, user=owner)
    product = ProductFactory()
    receive(product, "6", "5", user=owner)
    with time_machine.travel(START, tick=False) as traveller:
        old = confirmed(staff, [(product, "6")])
        traveller.shift(timedelta(days=5))
        new = confirmed(owner, [(product, "4")], customer=CustomerFactory())
    assert new.lines.get().reserved_quantity == D("4")
    old.refresh_from_db()
    assert old.reservation_expired_at == START + timedelta(days=5)
    assert (level(product).reserved, level(product).available) == (D("4"), D("2"))


def test_the_stock_overview_links_stay_flat_in_queries(
    staff_client, owner, count_queries
):
    def count():
        return count_queries(staff_client, "/inventory/")

    first = ProductFactory()
    receive(first, "10", "5", user=owner)
    confirmed(owner, [(first, "1")])
    few = count()
    for _ in range(5):
        product = ProductFactory()
        receive(product, "10", "5", user=owner)
        confirmed(owner, [(product, "2")], customer=CustomerFactory())
    assert count() == few
