from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.services import (
    InsufficientStock,
    MoveLine,
    stock_moves_post,
    stock_release,
    stock_reserve,
)
from inventory.tests.factories import issue, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def warehouse():
    return Warehouse.objects.get(is_default=True)


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_inbound_moves_average_the_cost(owner, warehouse):
    product = ProductFactory()
    receive(product, "10", "4.00", user=owner)
    receive(product, "30", "6.00", user=owner)
    row = level(product, warehouse)
    assert (row.on_hand, row.value, row.unit_cost) == (
        D("40"),
        D("220.00"),
        D("5.5000"),
    )
    move = StockMove.objects.order_by("pk").last()
    assert (move.balance_after, move.value_after) == (D("40"), D("220.00"))


def test_outbound_keeps_the_cost_and_the_last_unit_takes_the_residue(owner, warehouse):
    product = ProductFactory()
    receive(product, "3", "3.33", user=owner)
    receive(product, "1", "3.34", user=owner)  # value 13.33, cost 3.3325
    issue(product, "1", user=owner)
    row = level(product, warehouse)
    assert row.unit_cost == D("3.3325")
    assert (row.on_hand, row.value) == (D("3"), D("10.00"))
    issue(product, "3", user=owner)
    row = level(product, warehouse)
    assert (row.on_hand, row.value) == (D("0"), D("0"))
    assert StockMove.objects.order_by("pk").last().value == D("-10.00")
    call_command("check_stock")


def test_short_stock_names_every_short_line_and_writes_nothing(owner, warehouse):
    apple, pear = ProductFactory(name="苹果", unit="斤"), ProductFactory(name="梨")
    receive(apple, "3", "1", user=owner)
    moves_before = StockMove.objects.count()
    with pytest.raises(InsufficientStock) as error:
        stock_moves_post(
            lines=[
                MoveLine(apple.pk, warehouse.pk, D("-5")),
                MoveLine(pear.pk, warehouse.pk, D("-1")),
            ],
            kind=MoveKind.SHIPMENT,
            source=None,
            occurred_at=timezone.now(),
            user=owner,
        )
    assert [s.product for s in error.value.shortages] == [apple, pear]
    assert "苹果 在 主仓库：现有 3 斤，需要 5 斤" in error.value.message
    assert StockMove.objects.count() == moves_before
    assert level(apple, warehouse).on_hand == D("3")


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        (D("0"), "数量不能为零"),
        (D("1.0001"), "数量最多 3 位小数（1.0001 超过了）"),
        (D("1E+10"), "数量 1E\\+10 太大"),
    ],
)
def test_bad_quantities_are_refused_and_nothing_written(
    owner, warehouse, quantity, reason
):
    product = ProductFactory()
    with pytest.raises(ValidationError, match=reason):
        stock_moves_post(
            lines=[MoveLine(product.pk, warehouse.pk, quantity, D("1"))],
            kind=MoveKind.OPENING,
            source=None,
            occurred_at=timezone.now(),
            user=owner,
        )
    assert not StockMove.objects.exists()
    assert not StockLevel.objects.exists()


def test_inactive_product_or_warehouse_is_refused(owner, warehouse):
    product = ProductFactory(is_active=False)
    with pytest.raises(ValidationError, match="停用"):
        receive(product, "1", "1", user=owner)
    closed = WarehouseFactory(is_active=False)
    with pytest.raises(ValidationError, match="停用"):
        receive(ProductFactory(), "1", "1", user=owner, warehouse=closed)
    assert not StockMove.objects.exists()


def test_moves_cannot_be_changed_or_deleted(owner):
    move = receive(ProductFactory(), "1", "1", user=owner)[0]
    move = StockMove.objects.get(pk=move.pk)
    with pytest.raises(TypeError):
        move.save()
    with pytest.raises(TypeError):
        move.delete()
    with pytest.raises(TypeError):
        StockMove.objects.filter(pk=move.pk).update(quantity=5)
    with pytest.raises(TypeError):
        StockMove.objects.all().delete()


def test_database_refuses_negative_on_hand(owner, warehouse):
    product = ProductFactory()
    receive(product, "1", "1", user=owner)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(on_hand=D("-1"))


def test_posting_takes_ordered_row_locks_before_updating(owner, warehouse):
    a, b = ProductFactory(), ProductFactory()
    receive(a, "5", "1", user=owner)
    receive(b, "5", "1", user=owner)
    with CaptureQueriesContext(connection) as queries:
        stock_moves_post(
            lines=[
                MoveLine(b.pk, warehouse.pk, D("-1")),
                MoveLine(a.pk, warehouse.pk, D("-1")),
            ],
            kind=MoveKind.SHIPMENT,
            source=None,
            occurred_at=timezone.now(),
            user=owner,
        )
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(
        i for i, s in enumerate(sql) if "inventory_stocklevel" in s and "SELECT" in s
    )
    update = next(
        i for i, s in enumerate(sql) if s.startswith("UPDATE") and "stocklevel" in s
    )
    assert lock < update
    assert (
        'ORDER BY "inventory_stocklevel"."product_id" ASC, '
        '"inventory_stocklevel"."warehouse_id" ASC' in sql[lock]
    )
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sql[lock]
    # The products' totals are locked after the levels, in product order (a < b).
    totals = next(i for i, s in enumerate(sql) if "inventory_productstock" in s)
    assert totals > update
    assert sql[totals].index(f"({a.pk}, ") < sql[totals].index(f"({b.pk}, ")
    # PostgreSQL also takes the month's shared lock (inventory.months.month_lock);
    # the api's stock.changed listener looks up the keys with a webhook (one
    # query per posting, api.services.webhook_keys).
    assert len(sql) <= 10 + (connection.vendor == "postgresql")


def test_reserve_and_release_respect_availability(owner, warehouse):
    product = ProductFactory()
    receive(product, "10", "1", user=owner)
    stock_reserve(product_id=product.pk, warehouse_id=warehouse.pk, quantity=D("8"))
    with pytest.raises(InsufficientStock):
        stock_reserve(product_id=product.pk, warehouse_id=warehouse.pk, quantity=D("3"))
    assert level(product, warehouse).available == D("2")
    with pytest.raises(ValidationError, match="不能释放 9：只预留了 8"):
        stock_release(product_id=product.pk, warehouse_id=warehouse.pk, quantity=D("9"))
    stock_release(product_id=product.pk, warehouse_id=warehouse.pk, quantity=D("8"))
    assert level(product, warehouse).reserved == D("0")


def test_check_stock_reports_drift(owner, warehouse):
    product = ProductFactory()
    receive(product, "2", "1", user=owner)
    call_command("check_stock")
    StockLevel.objects.filter(product=product).update(on_hand=D("3"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 stock balance"):
        call_command("check_stock")


def test_signals_post_stock_through_the_receivers(owner, warehouse):
    from jxc.posting import Posting, PostingLine, SourceRef
    from purchasing.signals import receipt_posted
    from sales.signals import shipment_posted

    product = ProductFactory()
    source = SourceRef(None, None, "GR-1")

    def posting(quantity, unit_cost=None):
        return Posting(
            source=source,
            occurred_at=timezone.now(),
            user=owner,
            lines=(
                PostingLine(None, product.pk, warehouse.pk, D(quantity), unit_cost),
            ),
        )

    receipt_posted.send(sender=None, posting=posting("4", D("2")))
    shipment_posted.send(sender=None, posting=posting("-1"))
    kinds = list(StockMove.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [MoveKind.RECEIPT, MoveKind.SHIPMENT]
    assert level(product, warehouse).on_hand == D("3")
    with pytest.raises(InsufficientStock):
        shipment_posted.send(sender=None, posting=posting("-9"))


def test_reversing_a_receipt_takes_out_the_value_it_brought(owner, warehouse):
    from inventory.services import SourceRef, stock_document_reverse

    product = ProductFactory()
    receive(product, "10", "1.00", user=owner)
    source = SourceRef(None, 77, "GR-77")
    stock_moves_post(
        lines=[MoveLine(product.pk, warehouse.pk, D("10"), D("5.00"))],
        kind=MoveKind.RECEIPT,
        source=source,
        occurred_at=timezone.now(),
        user=owner,
    )
    assert level(product, warehouse).unit_cost == D("3.0000")
    stock_document_reverse(source=source, occurred_at=timezone.now(), user=owner)
    row = level(product, warehouse)
    assert (row.on_hand, row.value, row.unit_cost) == (D("10"), D("10.00"), D("1.0000"))
    call_command("check_stock")
