"""The benchmark shop: a small chain with a year of history, generated from a seed.

Master data goes through the catalog services (their bulk import paths). The
ledger is written by a bulk loader, not by ``stock_moves_post`` one document at a
time (a million moves through the service would take longer than the whole
benchmark may). The loader applies every move with the service's own costing
function, ``inventory.services.level_apply``, in time order per product ×
warehouse, and writes moves and balances with COPY; ``check_stock`` must be clean
afterwards and ``bench.run`` verifies it. The loader writes moves only, with a
readable source number and no source document: no report read here needs the
documents behind them.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.roles import OWNER, STAFF
from catalog import services as catalog_services
from catalog.models import Category, Customer, Product, Supplier, Warehouse
from inventory.models import MoveKind, ProductStock, StockLevel, StockMove
from inventory.months import month_close
from inventory.services import MoveLine, level_apply
from jxc.decimals import unit_cost

SEED = 20261126
PASSWORD = "bench-Password-2026"
TZ = timezone.get_default_timezone()


@dataclass(frozen=True)
class Scale:
    products: int
    categories: int
    suppliers: int
    customers: int
    warehouses: int
    months: int
    events_per_pair: tuple[int, int]  # moves after the opening, per product × warehouse
    card_moves: int  # moves of the one product whose stock card is exported
    hot_products: int = 10


FULL = Scale(10_000, 50, 200, 500, 3, 12, (40, 70), 100_000)
QUICK = Scale(300, 10, 20, 50, 3, 3, (10, 30), 2_000)


@dataclass
class Level:
    on_hand: Decimal = Decimal("0")
    value: Decimal = Decimal("0")
    unit_cost: Decimal = Decimal("0")


def first_month(today: date, months: int) -> date:
    """The first day of the month ``months`` before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def accounts_create() -> tuple:
    owner = account_services.user_create(
        username="bench-owner", password=PASSWORD, role=OWNER
    )
    # Twenty clerks share the owner's password hash: hashing is slow on purpose.
    staff = Group.objects.get(name=STAFF)
    clerks = get_user_model().objects.bulk_create(
        [
            get_user_model()(username=f"bench-clerk{i:02d}", password=owner.password)
            for i in range(1, 21)
        ]
    )
    staff.user_set.add(*clerks)
    return owner, clerks


def master_data_create(scale: Scale, rng: random.Random) -> list[Product]:
    warehouses = list(Warehouse.objects.order_by("pk"))
    for i in range(len(warehouses) + 1, scale.warehouses + 1):
        warehouses.append(
            catalog_services.warehouse_save(
                data={"code": f"WH{i}", "name": f"分店{i}号仓", "is_active": True}
            )
        )
    for model, count, prefix, label in (
        (Supplier, scale.suppliers, "S", "供应商"),
        (Customer, scale.customers, "C", "客户"),
    ):
        catalog_services.parties_import(
            model=model,
            rows=[
                {
                    "code": f"{prefix}{i:05d}",
                    "name": f"{label}{i:05d}",
                    "is_active": True,
                }
                for i in range(1, count + 1)
            ],
        )
    names = [
        "苹果",
        "铅笔",
        "衬衫",
        "牛奶",
        "面包",
        "胶带",
        "袜子",
        "橙子",
        "本子",
        "饼干",
    ]
    rows = []
    for i in range(1, scale.products + 1):
        price = Decimal(rng.randint(100, 20_000)) / 100
        rows.append(
            {
                "sku": f"P{i:06d}",
                "name": f"{names[i % len(names)]}{i:06d}",
                "barcode": f"69{i:011d}",
                "category_name": f"品类{i % scale.categories + 1:02d}",
                "unit": "件",
                "purchase_price": price,
                "sale_price": (price * Decimal("1.35")).quantize(Decimal("0.01")),
                "safety_stock": Decimal(rng.randint(0, 20)),
                "reorder_quantity": Decimal(rng.randint(10, 60)),
                "lead_time_days": rng.randint(2, 14),
                "is_active": True,
            }
        )
    catalog_services.products_import(rows=rows)
    assert Category.objects.count() == scale.categories
    return list(Product.objects.order_by("pk"))


def _moments(rng: random.Random, start: datetime, end: datetime, count: int):
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))


def _pair_moves(rng, product, warehouse_id, start, end, events):
    """One product × warehouse's moves in time order, costed by the service's rule."""
    level = Level()
    price = product.purchase_price
    opening = MoveLine(
        product.pk, warehouse_id, Decimal(rng.randint(20, 200)), unit_cost=price
    )
    yield (
        start,
        MoveKind.OPENING,
        opening,
        level,
        level_apply(level, opening, fallback_cost=price),
    )
    for moment in _moments(rng, start + timedelta(hours=1), end, events):
        roll = rng.random()
        if roll < 0.72 and level.on_hand >= 5:
            kind, line = (
                MoveKind.SHIPMENT,
                MoveLine(product.pk, warehouse_id, -Decimal(rng.randint(1, 5))),
            )
        elif roll < 0.75 and level.on_hand >= 1:
            kind, line = (
                MoveKind.SALES_RETURN,
                MoveLine(
                    product.pk,
                    warehouse_id,
                    Decimal(1),
                    unit_cost=level.unit_cost or price,
                ),
            )
        elif roll < 0.77 and level.on_hand >= 1:
            kind, line = (
                MoveKind.ADJUSTMENT,
                MoveLine(product.pk, warehouse_id, Decimal(-1)),
            )
        else:
            cost = unit_cost(price * Decimal(rng.randint(90, 110)) / 100)
            kind, line = (
                MoveKind.RECEIPT,
                MoveLine(
                    product.pk,
                    warehouse_id,
                    Decimal(rng.randint(20, 80)),
                    unit_cost=cost,
                ),
            )
        yield moment, kind, line, level, level_apply(level, line, fallback_cost=price)


MOVE_COLUMNS = [
    "product_id", "warehouse_id", "quantity", "unit_cost", "value", "kind",
    "source_number", "is_reversal", "occurred_at", "balance_after", "value_after",
    "created_by_id", "created_at",
]  # fmt: skip


def ledger_load(scale: Scale, rng, products, owner, start: datetime, end: datetime):
    """Write every move and the balances they leave; returns the number of moves."""
    warehouses = list(Warehouse.objects.order_by("pk").values_list("pk", flat=True))
    created = timezone.now().isoformat()
    levels: dict[tuple[int, int], Level] = {}
    # Moves are costed per product × warehouse in time order, then written in
    # time order across the whole ledger, as a real shop appends them: a month's
    # moves sit together on disk, which is what the month-range reads meet in
    # production (written per product, every page would hold every month).
    rows: list[tuple[datetime, str]] = []
    for index, product in enumerate(products):
        pairs = [warehouses[0]] + [w for w in warehouses[1:] if rng.random() < 0.3]
        for warehouse_id in pairs:
            events = rng.randint(*scale.events_per_pair)
            if index == 0 and warehouse_id == warehouses[0]:
                events = scale.card_moves - 1
            for moment, kind, line, level, (cost, delta) in _pair_moves(
                rng, product, warehouse_id, start, end, events
            ):
                rows.append(
                    (
                        moment,
                        f"{line.product_id}\t{line.warehouse_id}\t{line.quantity}\t"
                        f"{cost}\t{delta}\t{kind.value}\t{{number}}\tf\t"
                        f"{moment.isoformat()}\t{level.on_hand}\t{level.value}\t"
                        f"{owner.pk}\t{created}\n",
                    )
                )
            levels[(product.pk, warehouse_id)] = level
    rows.sort(key=lambda row: row[0])
    columns = ", ".join(MOVE_COLUMNS)
    for first in range(0, len(rows), 100_000):
        buffer = io.StringIO()
        for serial, (_moment, text) in enumerate(
            rows[first : first + 100_000], start=first + 1
        ):
            buffer.write(text.replace("{number}", f"BENCH-{serial:07d}", 1))
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY inventory_stockmove ({columns}) FROM STDIN", buffer
            )
    count = len(rows)
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                product_id=p,
                warehouse_id=w,
                on_hand=level.on_hand,
                unit_cost=level.unit_cost,
                value=level.value,
            )
            for (p, w), level in levels.items()
        ],
        batch_size=5000,
    )
    # The per-product totals the posting service keeps (Σ levels), as it would.
    totals: dict[int, list[Decimal]] = {}
    for (p, _w), level in levels.items():
        total = totals.setdefault(p, [Decimal(0), Decimal(0)])
        total[0] += level.on_hand
        total[1] += level.value
    ProductStock.objects.bulk_create(
        [
            ProductStock(product_id=p, on_hand=on_hand, value=value)
            for p, (on_hand, value) in totals.items()
        ],
        batch_size=5000,
    )
    return count


def months_close(owner, first: date, last: date, *, skip_closed=False) -> int:
    """Close every month from ``first`` to ``last`` through the inventory service
    (``skip_closed``: leave months an earlier run closed as they are)."""
    from inventory.models import ClosedMonth

    month, closed = first, 0
    while month <= last:
        if skip_closed and ClosedMonth.objects.filter(month=month).exists():
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            continue
        month_close(month=month, user=owner)
        closed += 1
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return closed


def shop_found() -> dict:
    """The shop an earlier run generated, described as shop_create describes it."""
    users = get_user_model().objects
    first = StockMove.objects.order_by("occurred_at").values_list(
        "occurred_at", flat=True
    )[:1]
    return {
        "products": Product.objects.count(),
        "moves": StockMove.objects.count(),
        "levels": StockLevel.objects.count(),
        "first_day": timezone.localtime(first[0]).date().isoformat() if first else "",
        "owner": users.get(username="bench-owner"),
        "clerks": list(users.filter(username__startswith="bench-clerk").order_by("pk")),
    }


@transaction.atomic
def shop_create(scale: Scale, *, today: date) -> dict:
    """Generate the whole shop into an empty, migrated database."""
    rng = random.Random(SEED)
    owner, clerks = accounts_create()
    products = master_data_create(scale, rng)
    start_day = first_month(today, scale.months)
    start = timezone.make_aware(datetime.combine(start_day, time(8)), TZ)
    end = timezone.make_aware(datetime.combine(today, time(0)), TZ) - timedelta(hours=1)
    moves = ledger_load(scale, rng, products, owner, start, end)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert StockMove.objects.count() == moves
    return {
        "products": len(products),
        "moves": moves,
        "levels": StockLevel.objects.count(),
        "first_day": start_day.isoformat(),
        "owner": owner,
        "clerks": clerks,
    }
