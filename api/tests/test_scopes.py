"""The permission matrix of keys × scopes: for every endpoint of /api/v1/ and
every scope, which methods a key may call. Every registered endpoint must be
declared here (a new one fails until it is), and a refused call writes
nothing."""

from __future__ import annotations

import pytest

from api.tests.helpers import KeyClient, key_for
from api.v1.urls import router
from jxc.tests.fuzz import changes, fingerprint

pytestmark = pytest.mark.django_db

ALL = frozenset({"read", "orders", "full"})
ORDERS = frozenset({"orders", "full"})
FULL = frozenset({"full"})
NOBODY = frozenset()

# endpoint → (scopes that may GET, scopes that may POST)
MATRIX = {
    "products": (ALL, FULL),
    "price-levels": (ALL, NOBODY),
    "customers": (ALL, NOBODY),
    "suppliers": (ALL, NOBODY),
    "warehouses": (ALL, NOBODY),
    "stock": (ALL, NOBODY),
    "sales-orders": (ALL, ORDERS),
    "shipments": (ALL, NOBODY),
    "sales-returns": (ALL, NOBODY),
    "purchase-orders": (ALL, NOBODY),
    "receipts": (ALL, NOBODY),
    "purchase-returns": (ALL, NOBODY),
    "accounts": (ALL, NOBODY),
    "customer-payments": (ALL, ORDERS),
    "summary": (FULL, NOBODY),
}
OWN_WRITES = ("audit.", "api.")  # a call's audit entry, its key's use, its count


def test_every_endpoint_is_in_the_matrix():
    assert {prefix for prefix, _viewset, _name in router.registry} == set(MATRIX)


@pytest.fixture
def clients(owner):
    return {scope: KeyClient(key_for(owner, scope)[1]) for scope in sorted(ALL)}


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_each_scope_gets_exactly_what_the_matrix_says(clients, endpoint):
    readers, writers = MATRIX[endpoint]
    url = f"/api/v1/{endpoint}/"
    for scope, client in clients.items():
        got = client.get(url).status_code
        assert got == (200 if scope in readers else 403), (endpoint, scope, "GET")
        before = fingerprint()
        # An empty body: a writer is let in and refused by validation (400).
        posted = client.post(url, {}).status_code
        assert posted == (400 if scope in writers else 403), (endpoint, scope)
        for method in ("put", "patch", "delete"):
            answer = getattr(client.client, method)(
                url, "{}", content_type="application/json", headers=client.headers
            )
            assert answer.status_code in (403, 405), (endpoint, scope, method)
        assert not {
            name: change
            for name, change in changes(before, fingerprint()).items()
            if not name.startswith(OWN_WRITES)
        }
