"""Property test of the ledger: any sequence of documents over several products and
warehouses (multi-line receipts and shipments, sales and purchase returns, sales
that respect reservations, reservations and releases, reversals of earlier
documents) keeps every balance equal to the sum of its moves, refuses exactly what
a shop clerk would predict is short, and leaves no value behind when the last unit
goes.

The test keeps its own model of the quantities (plain Python, no database) to
predict each outcome, and sums the ledger itself, move by move, instead of
trusting ``stock_drift()`` (checked as well)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, WarehouseFactory
from inventory.models import MoveKind, StockLevel, StockMove
from inventory.selectors import stock_drift
from inventory.services import (
    InsufficientStock,
    MoveLine,
    SourceRef,
    stock_document_reverse,
    stock_moves_post,
    stock_release,
    stock_reserve,
)

D = Decimal
ZERO = D("0")
PRODUCTS, WAREHOUSES = 3, 2
PAIRS = [(p, w) for p in range(PRODUCTS) for w in range(WAREHOUSES)]
ALL = "all"  # a quantity meaning "exactly what the model says is on hand"
DOCUMENT_IDS = itertools.count(1)  # source ids, unique across examples

pair = st.integers(0, len(PAIRS) - 1)
# Mostly small round numbers, so stock runs out (and reaches exactly zero) often.
quantity = st.one_of(
    st.sampled_from([D("1"), D("2"), D("3"), D("0.5")]),
    st.decimals(min_value=D("0.001"), max_value=D("40"), places=3),
)
out_quantity = st.one_of(quantity, st.just(ALL), st.just(ALL))
cost = st.one_of(
    st.sampled_from([D("1"), D("3.3333"), D("0.0001"), D("7")]),
    st.decimals(min_value=D("0"), max_value=D("999.9999"), places=4),
)
lines_in = st.lists(st.tuples(pair, quantity, cost), min_size=1, max_size=3)
lines_out = st.lists(st.tuples(pair, out_quantity), min_size=1, max_size=3)
step = st.one_of(
    st.tuples(st.just("receipt"), lines_in),
    st.tuples(st.just("shipment"), lines_out),
    st.tuples(st.just("sales_return"), lines_in),
    st.tuples(st.just("purchase_return"), st.tuples(pair, out_quantity, cost)),
    st.tuples(st.just("reserve"), st.tuples(pair, quantity)),
    st.tuples(st.just("release"), st.tuples(pair, out_quantity)),
    st.tuples(st.just("sale"), st.tuples(pair, out_quantity, st.booleans())),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
)
steps = st.lists(step, min_size=4, max_size=30)


class Shop:
    """One example's world: three products in two warehouses, the model of what
    should be on hand and reserved, and the documents posted so far."""

    def __init__(self, owner):
        self.owner = owner
        self.products = ProductFactory.create_batch(PRODUCTS)
        self.warehouses = [Warehouse.objects.get(is_default=True), WarehouseFactory()]
        self.on_hand = defaultdict(lambda: ZERO)
        self.reserved = defaultdict(lambda: ZERO)
        self.in_costs = defaultdict(list)  # per pair, while only plain moves hit it
        self.plain = defaultdict(lambda: True)
        self.postings = defaultdict(int)
        self.documents: list[tuple[SourceRef, dict]] = []  # (source, Δ per pair)
        self.reversed: set[int] = set()
        self.content_type = ContentType.objects.get_for_model(StockLevel).pk

    def ids(self, index):
        p, w = PAIRS[index]
        return self.products[p].pk, self.warehouses[w].pk

    def amount(self, index, wanted):
        if wanted == ALL:
            return self.on_hand[index] or D("1")
        return wanted

    def post(self, kind, lines, *, sale=False, own=None):
        """Post ``lines`` [(pair, signed quantity, cost)] expecting the model's
        verdict: refused as short exactly when some pair needs more than usable."""
        needed = defaultdict(lambda: ZERO)
        for index, signed, _cost in lines:
            if signed < 0:
                needed[index] -= signed
        own = own or {}

        def usable(index):
            if not sale:
                return self.on_hand[index]
            mine = min(own.get(index, ZERO), self.reserved[index])
            free = max(self.on_hand[index] - self.reserved[index], ZERO)
            return min(self.on_hand[index], free + mine)

        short = any(amount > usable(index) for index, amount in needed.items())
        number = next(DOCUMENT_IDS)
        source = SourceRef(self.content_type, number, f"T{number}")
        try:
            stock_moves_post(
                lines=[MoveLine(*self.ids(i), q, c) for i, q, c in lines],
                kind=kind,
                source=source,
                occurred_at=timezone.now(),
                user=self.owner,
                sale=sale,
                own_reserved={self.ids(i): q for i, q in own.items()},
            )
        except InsufficientStock as error:
            assert short, f"refused, yet the model has enough: {error.message}"
            event("refused as short")
            return
        assert not short, "posted, yet the model says it is short"
        delta = defaultdict(lambda: ZERO)
        for index, signed, unit_cost in lines:
            delta[index] += signed
            self.postings[index] += 1
            if signed > 0:
                self.in_costs[index].append(unit_cost)
            elif unit_cost is not None:
                self.plain[index] = False  # leaves at its own cost, not the average
        for index, amount in needed.items():
            if sale and own.get(index):
                self.reserved[index] -= min(own[index], amount, self.reserved[index])
        self.apply(delta)
        self.documents.append((source, dict(delta)))

    def apply(self, delta):
        for index, change in delta.items():
            self.on_hand[index] += change
            if change < 0 and self.on_hand[index] == 0:
                event("an outbound move took the last unit")

    def reverse(self, pick):
        open_documents = [
            n for n in range(len(self.documents)) if n not in self.reversed
        ]
        if not open_documents:
            return
        number = open_documents[pick % len(open_documents)]
        source, delta = self.documents[number]
        short = any(change > self.on_hand[i] for i, change in delta.items())
        try:
            stock_document_reverse(
                source=source, occurred_at=timezone.now(), user=self.owner
            )
        except InsufficientStock:
            assert short, "a reversal was refused, yet the stock is there"
            event("reversal refused as short")
            return
        assert not short, "a reversal took stock that is not there"
        event("reversed a document")
        self.reversed.add(number)
        for index in delta:
            self.plain[index] = False
            self.postings[index] += 1
        self.apply({i: -change for i, change in delta.items()})

    def reserve(self, index, amount):
        available = self.on_hand[index] - self.reserved[index]
        try:
            stock_reserve(
                product_id=self.ids(index)[0],
                warehouse_id=self.ids(index)[1],
                quantity=amount,
            )
        except InsufficientStock:
            assert amount > available
            return
        assert amount <= available
        self.reserved[index] += amount

    def release(self, index, amount):
        if amount == ALL:
            amount = self.reserved[index] or D("1")
        try:
            stock_release(
                product_id=self.ids(index)[0],
                warehouse_id=self.ids(index)[1],
                quantity=amount,
            )
        except ValidationError as error:
            assert amount > self.reserved[index], error.message
            assert "只预留了" in error.message
            return
        assert amount <= self.reserved[index]
        self.reserved[index] -= amount

    def run(self, step):
        action, data = step
        if action in ("receipt", "sales_return"):
            self.post(action, [(i, q, c) for i, q, c in data])
        elif action == "shipment":
            self.post(action, [(i, -self.amount(i, q), None) for i, q in data])
        elif action == "purchase_return":
            index, wanted, unit_cost = data
            self.post(action, [(index, -self.amount(index, wanted), unit_cost)])
        elif action == "sale":
            index, wanted, with_own = data
            amount = self.amount(index, wanted)
            own = {index: min(self.reserved[index], amount)} if with_own else {}
            self.post(MoveKind.SHIPMENT, [(index, -amount, None)], sale=True, own=own)
        elif action == "reserve":
            self.reserve(*data)
        elif action == "release":
            self.release(*data)
        else:
            self.reverse(data)

    def check_balances(self):
        """Every balance as the model has it, and sane after every step."""
        levels = {
            (level.product_id, level.warehouse_id): level
            for level in StockLevel.objects.filter(product__in=self.products)
        }
        for index in range(len(PAIRS)):
            level = levels.get(self.ids(index))
            on_hand = level.on_hand if level else ZERO
            reserved = level.reserved if level else ZERO
            assert (on_hand, reserved) == (self.on_hand[index], self.reserved[index])
            if level is None:
                continue
            assert level.value >= 0
            if level.on_hand == 0:
                assert level.value == 0, "value left behind with no stock"
            elif self.plain[index] and self.in_costs[index]:
                # Values keep 2 decimals: each posting may round by half a cent,
                # which spread over what is on hand moves the unit cost that much.
                slack = D("0.005") * self.postings[index] / on_hand + D("0.0001")
                assert min(self.in_costs[index]) - slack <= level.unit_cost
                assert level.unit_cost <= max(self.in_costs[index]) + slack

    def check_ledger(self):
        """Sum the ledger here, move by move in posting order: each move's
        balance_after and value_after is the running total, and the totals are
        the balance."""
        running = defaultdict(lambda: (ZERO, ZERO))
        for move in StockMove.objects.filter(product__in=self.products).order_by("pk"):
            key = (move.product_id, move.warehouse_id)
            quantity, value = running[key]
            quantity, value = quantity + move.quantity, value + move.value
            running[key] = (quantity, value)
            assert (move.balance_after, move.value_after) == (quantity, value), move
            if move.quantity < 0:
                assert move.value <= 0
            else:
                assert move.value >= 0
        for level in StockLevel.objects.filter(product__in=self.products):
            key = (level.product_id, level.warehouse_id)
            assert running.pop(key, (ZERO, ZERO)) == (level.on_hand, level.value)
        assert not running, "moves without a balance"


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
# Three at 3.3333 (10.00 worth 9.9999 → 10.00): the last unit takes what is left,
# not 3.33, so no cent stays behind.
@example(
    steps=[
        ("receipt", [(0, D("3"), D("3.3333"))]),
        ("shipment", [(0, D("1")), (0, D("1"))]),
        ("shipment", [(0, ALL)]),
    ]
)
# Two lines of one product in one document: short together, though each fits.
@example(
    steps=[
        ("receipt", [(1, D("3"), D("1"))]),
        ("shipment", [(1, D("2")), (1, D("2"))]),
    ]
)
# A reserved unit is not for a sale of another order; the reversal of the
# receipt is refused once the goods went out.
@example(
    steps=[
        ("receipt", [(2, D("2"), D("5")), (3, D("1"), D("4"))]),
        ("reserve", (2, D("2"))),
        ("sale", (2, D("1"), False)),
        ("sale", (2, D("1"), True)),
        ("shipment", [(3, ALL)]),
        ("reverse", 0),
        ("release", (2, ALL)),
    ]
)
def test_every_balance_is_the_sum_of_its_moves(owner, steps):
    shop = Shop(owner)
    for step in steps:
        shop.run(step)
        shop.check_balances()
    shop.check_ledger()
    assert stock_drift() == []
