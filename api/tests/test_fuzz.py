"""Hostile queries and bodies sent to every endpoint of /api/v1/ with a real key:
never a server error, only the answers the API documents, and a refused write
changes nothing (only the call's own audit entry and rate counter are written)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.tests.helpers import KeyClient, key_for
from jxc.tests.fuzz import (
    FUZZ_PER,
    anything,
    changes,
    fingerprint,
    hostile_date,
    hostile_id,
    hostile_number,
    hostile_text,
    rolled_back,
)
from jxc.tests.fuzz_world import world_fixture  # noqa: F401

LISTS = [
    "products", "stock", "customers", "suppliers", "warehouses", "sales-orders",
    "shipments", "sales-returns", "purchase-orders", "receipts", "purchase-returns",
    "summary", "price-levels", "accounts", "customer-payments",
]  # fmt: skip
KEYS = ["updated_since", "since", "status", "warehouse", "product", "page",
        "page_size", "month", "customer"]  # fmt: skip
# What a call writes whatever it asks: its audit entry, its key's use, the count.
OWN_WRITES = ("audit.", "api.")


def _unchanged(before):
    return {
        name: change
        for name, change in changes(before, fingerprint()).items()
        if not name.startswith(OWN_WRITES)
    }


@pytest.fixture
def full(world):
    return KeyClient(key_for(world.owner, "full")[1])


value = st.one_of(anything, hostile_date, hostile_id, st.sampled_from(["1", "2", "-1"]))


@pytest.mark.django_db
def test_hostile_queries_never_break_an_endpoint(world, full):
    @FUZZ_PER(len(LISTS) / 3)
    @given(
        name=st.sampled_from(LISTS),
        detail=st.one_of(st.none(), hostile_id),
        pairs=st.lists(
            st.tuples(st.one_of(st.sampled_from(KEYS), hostile_text), value), max_size=4
        ),
    )
    def fuzz(name, detail, pairs):
        path = f"/api/v1/{name}/"
        if (
            detail is not None
            and name != "summary"
            and detail.isascii()
            and "/" not in detail
        ):
            path += f"{detail}/"
        with rolled_back():
            before = fingerprint()
            response = full.get(path, dict(pairs))
            assert response.status_code in (200, 400, 404), (
                path,
                pairs,
                response.content[:300],
            )
            if response["Content-Type"] == "application/json":
                json.loads(response.content)
            else:  # a path no endpoint has: the site's own 404 page
                assert response.status_code == 404
            assert not _unchanged(before)

    fuzz()


line = st.fixed_dictionaries(
    {},
    optional={
        "product": st.one_of(hostile_id, st.integers(), st.none()),
        "quantity": st.one_of(hostile_number, st.floats(allow_nan=True), st.none()),
        "unit_price": st.one_of(hostile_number, st.none()),
        "discount": st.one_of(hostile_number, st.integers()),
    },
)
order = st.fixed_dictionaries(
    {},
    optional={
        "customer": st.one_of(hostile_id, st.integers(), st.none()),
        "warehouse": st.one_of(hostile_id, st.integers()),
        "order_date": st.one_of(hostile_date, hostile_text),
        "note": hostile_text,
        "lines": st.one_of(st.lists(line, max_size=3), hostile_text, st.none()),
        "confirm": st.one_of(st.booleans(), hostile_text),
        "on_shortage": st.one_of(
            st.sampled_from(["refuse", "reduce", "backorder"]), hostile_text
        ),
    },
)
allocation = st.fixed_dictionaries(
    {},
    optional={
        "document": st.one_of(hostile_text, st.integers(), st.none()),
        "amount": st.one_of(hostile_number, st.floats(allow_nan=True), st.none()),
    },
)
payment = st.fixed_dictionaries(
    {},
    optional={
        "customer": st.one_of(hostile_id, st.integers(), st.none()),
        "account": st.one_of(hostile_id, st.integers(), st.none()),
        "amount": st.one_of(hostile_number, st.floats(allow_nan=True), st.none()),
        "date": st.one_of(hostile_date, hostile_text),
        "note": hostile_text,
        "allocations": st.one_of(
            st.lists(allocation, max_size=3), hostile_text, st.none()
        ),
    },
)
product = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(hostile_text, hostile_number, st.none(), st.integers())
        for name in ("sku", "name", "barcode", "unit", "sale_price", "purchase_price",
                     "min_price", "category", "lead_time_days", "is_active")
    },
)  # fmt: skip


@pytest.mark.django_db
def test_hostile_bodies_are_refused_and_change_nothing(world, full):
    @FUZZ_PER(3)
    @given(
        target=st.one_of(
            st.tuples(st.just("sales-orders"), order),
            st.tuples(st.just("products"), product),
            st.tuples(st.just("customer-payments"), payment),
        ),
        idempotency=st.one_of(
            st.none(), hostile_text.filter(lambda t: t.isprintable() and t.isascii())
        ),
    )
    def fuzz(target, idempotency):
        name, body = target
        headers = {} if not idempotency else {"Idempotency-Key": idempotency}
        with rolled_back():
            before = fingerprint()
            response = full.post(f"/api/v1/{name}/", body, **headers)
            assert response.status_code in (201, 400, 409, 422), (
                body,
                response.content[:400],
            )
            json.loads(response.content)
            if response.status_code != 201:
                assert not _unchanged(before), body

    fuzz()


@pytest.mark.django_db
def test_a_plain_order_and_product_are_accepted(world, full):
    """The fuzz above reaches the services: plain bodies are created."""
    with rolled_back():
        made = full.post(
            "/api/v1/sales-orders/",
            {
                "customer": world.customer.pk,
                "lines": [{"product": world.apple.pk, "quantity": "1"}],
            },
        )
        assert made.status_code == 201, made.content
        assert (
            full.post("/api/v1/products/", {"sku": "FZ1", "name": "新"}).status_code
            == 201
        )
        paid = full.post(
            "/api/v1/customer-payments/",
            {
                "customer": world.customer.pk,
                "account": world.customer_payment.account_id,
                "amount": "1",
            },
        )
        assert paid.status_code == 201, paid.content
