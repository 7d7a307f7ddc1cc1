"""Per-product stock totals (ProductStock) kept by the posting service, and the
stock card paged from the index: the totals always equal Σ the product's
levels; ``check_stock`` catches a drifted total; every page of the card shows
the balance the full running computation gives; query counts are pinned."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from inventory.checks import product_stock_drift
from inventory.models import MoveKind, ProductStock, StockLevel
from inventory.selectors import (
    stock_drift,
)
from inventory.services import (
    MoveLine,
    SourceRef,
    stock_document_reverse,
    stock_moves_post,
    stock_release,
    stock_reserve,
)
from inventory.tests.factories import receive

pytestmark = pytest.mark.django_db
D = Decimal

quantities = st.decimals(min_value=D("0.001"), max_value=D("60"), places=3)
costs = st.decimals(min_value=D("0"), max_value=D("99.9999"), places=4)
OPS = ["in", "out", "reserve", "release", "sale", "transfer", "cost", "reverse"]
steps = st.lists(
    st.tuples(
        st.sampled_from(OPS),
        st.integers(0, 1),  # product
        st.integers(0, 1),  # warehouse
        quantities,
        costs,
    ),
    min_size=1,
    max_size=20,
)


def _sums(product) -> tuple:
    levels = StockLevel.objects.filter(product=product)
    return (
        sum((lv.on_hand for lv in levels), D(0)),
        sum((lv.reserved for lv in levels), D(0)),
        sum((lv.value for lv in levels), D(0)),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_totals_equal_the_sum_of_levels_after_any_postings(owner, steps):
    products = [ProductFactory(), ProductFactory()]
    warehouses = [Warehouse.objects.get(is_default=True), WarehouseFactory()]
    source_type = ContentType.objects.get_for_model(Warehouse).pk
    posted_sources = []
    for index, (op, p, w, quantity, cost) in enumerate(steps):
        product, warehouse = products[p].pk, warehouses[w].pk
        other = warehouses[1 - w].pk
        source = SourceRef(source_type, index + 1, f"T{index}")
        now = timezone.now()
        try:
            if op == "reserve":
                stock_reserve(
                    product_id=product, warehouse_id=warehouse, quantity=quantity
                )
            elif op == "release":
                stock_release(
                    product_id=product, warehouse_id=warehouse, quantity=quantity
                )
            elif op == "reverse":
                if posted_sources:
                    stock_document_reverse(
                        source=posted_sources.pop(), occurred_at=now, user=owner
                    )
            else:
                sale = op == "sale"
                lines = {
                    "in": [MoveLine(product, warehouse, quantity, cost)],
                    "out": [MoveLine(product, warehouse, -quantity)],
                    "sale": [MoveLine(product, warehouse, -quantity)],
                    "transfer": [
                        MoveLine(
                            product,
                            warehouse,
                            -quantity,
                            line=1,
                            kind=MoveKind.TRANSFER_OUT,
                        ),
                        MoveLine(
                            product,
                            other,
                            quantity,
                            line=1,
                            kind=MoveKind.TRANSFER_IN,
                            paired_with=0,
                        ),
                    ],
                    "cost": [MoveLine(product, warehouse, D(0), cost)],
                }[op]
                kind = {
                    "in": MoveKind.RECEIPT,
                    "out": MoveKind.ADJUSTMENT,
                    "sale": MoveKind.SHIPMENT,
                    "transfer": MoveKind.TRANSFER_OUT,
                    "cost": MoveKind.COST_ADJUSTMENT,
                }[op]
                stock_moves_post(
                    lines=lines,
                    kind=kind,
                    source=source,
                    occurred_at=now,
                    user=owner,
                    sale=sale,
                    # A sale ships what its order reserved (up to what it takes).
                    own_reserved={(product, warehouse): quantity} if sale else None,
                )
                if op in ("in", "out", "transfer"):
                    posted_sources.append(source)
        except ValidationError:
            pass
        assert product_stock_drift() == []
        for product_row in products:
            stored = ProductStock.objects.filter(product=product_row).first()
            expected = _sums(product_row)
            if stored is None:
                assert expected == (0, 0, 0)
            else:
                assert (stored.on_hand, stored.reserved, stored.value) == expected
    assert stock_drift() == []


def test_check_stock_fails_on_a_drifted_or_missing_total(owner):
    product = ProductFactory()
    receive(product, "10", "2", user=owner)
    call_command("check_stock")
    ProductStock.objects.filter(product=product).update(on_hand=F("on_hand") + 1)
    [drift] = product_stock_drift()
    assert drift.product_id == product.pk
    assert drift.stored[0] == D("11") and drift.levels[0] == D("10")
    with pytest.raises(CommandError, match="product total"):
        call_command("check_stock")
    # A product with stock and no totals row at all is caught too.
    ProductStock.objects.filter(product=product).delete()
    [drift] = product_stock_drift()
    assert drift.stored == (0, 0, 0) and drift.levels[0] == D("10")
    with pytest.raises(CommandError, match="product total"):
        call_command("check_stock")


def test_the_migration_fills_totals_for_an_existing_shop(owner):
    from importlib import import_module

    from django.apps import apps

    fill = import_module(
        "inventory.migrations.0009_product_stock_card_index"
    ).fill_product_stock
    a, b = ProductFactory(), ProductFactory()
    receive(a, "5", "3", user=owner)
    receive(a, "2", "3", user=owner, warehouse=WarehouseFactory())
    receive(b, "1", "7", user=owner)
    stock_reserve(
        product_id=a.pk,
        warehouse_id=Warehouse.objects.get(is_default=True).pk,
        quantity=D("4"),
    )
    ProductStock.objects.all().delete()
    fill(apps, None)
    assert product_stock_drift() == []
    stored = ProductStock.objects.get(product=a)
    assert (stored.on_hand, stored.reserved, stored.value) == (D(7), D(4), D(21))


# Whole requests, session and permissions included: the same whatever the
# number of products (the benchmark shop gives the same counts at 10,000).
# The pager counts with the totals (no COUNT of its own); one query finds the
# page's package units ("3 箱 5 瓶").
OVERVIEW_QUERIES = 13
# The dashboard: + 1 for the owner, the setup wizard's progress (its checklist).
DASHBOARD_QUERIES = 18


def _count(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data or {}).status_code == 200
    return len(queries)


def test_card_query_counts_are_pinned_on_any_page(owner_client, long_card):
    product, back = long_card
    url = f"/inventory/card/{product.pk}/"
    # Session, user, permissions (2), product, page moves, warehouse choices,
    # count, session save (3).
    assert _count(owner_client, url) == 11
    # Any later page: + the key of its first move and the sum before it, however
    # far it is (page 3 is the last).
    assert _count(owner_client, url, {"page": "3"}) == 13
    assert _count(owner_client, url, {"page": "999"}) == 13
    # A warehouse: + its lookup; a period start: + the opening before it.
    assert _count(owner_client, url, {"page": "2", "warehouse": back.pk}) == 14
    assert _count(owner_client, url, {"page": "2", "start": "2020-01-01"}) == 14
    html = owner_client.get(url, {"page": "3"}).content.decode()
    assert "3 / 3" in html


def test_overview_and_dashboard_query_counts_are_pinned(owner_client, owner):
    receive(ProductFactory(safety_stock=D("5")), "1", "1", user=owner)
    for _ in range(2):
        overview = _count(owner_client, "/inventory/")
        dashboard = _count(owner_client, "/")
        for _ in range(5):
            receive(ProductFactory(safety_stock=D("5")), "1", "1", user=owner)
        assert (overview, dashboard) == (OVERVIEW_QUERIES, DASHBOARD_QUERIES)


def test_stock_with_a_package_unit_reads_in_boxes_too(owner_client, owner):
    from catalog import services as catalog

    water = ProductFactory(sku="YL1", unit="瓶")
    catalog.package_units_save(
        product=water,
        rows=[{"pk": None, "name": "箱", "factor": D(24), "barcode": "",
               "sale_price": None}],
    )  # fmt: skip
    receive(water, "77", "1", user=owner)
    overview = owner_client.get("/inventory/", {"q": "YL1"}).content.decode()
    assert "3 箱 5 瓶" in overview
    fragment = owner_client.get(f"/inventory/product/{water.pk}/").content.decode()
    assert "3 箱 5 瓶" in fragment
