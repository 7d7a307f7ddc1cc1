"""Hostile query strings on every page of the shop (issue #9): lists, filters,
reports, exports, stock cards, the live lookups of document lines, and the
document pages opened from another (?order=, ?receipt=, ?shipment=).

Each page is sent the fields its own filter form has, and a few common ones, with
odd values: text with NUL and script, NaN and 1e30, year 1 and Feb 30, ids of
other or missing records, a key twice. Whatever comes: no server error, nothing
written, typed script escaped.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from jxc.tests import shop_world
from jxc.tests.fuzz import (
    FUZZ_PER,
    XSS,
    anything,
    assert_escaped,
    changes,
    fingerprint,
    hostile_date,
    hostile_id,
    hostile_number,
    hostile_text,
    rolled_back,
    routes,
)
from jxc.tests.fuzz_world import client_for, world_fixture  # noqa: F401

# Keys any page may be sent, on top of the fields its own forms have.
COMMON_KEYS = [
    "q", "o", "page", "format", "days", "by", "month", "start", "end", "warehouse",
    "category", "status", "supplier", "customer", "product", "order", "receipt",
    "shipment", "kind", "user", "action",
]  # fmt: skip
DATE_KEYS = re.compile(r"(start|end|month|date|.*_(after|before|from|to))$")
NUMBER_KEYS = re.compile(r"(days|page|quantity|price|discount|received|.*_(min|max))$")
ID_KEYS = re.compile(
    r"(warehouse|category|supplier|customer|order|receipt|shipment|user)$"
)

# Which record a URL argument names, by the route's first word.
RECORDS = {
    "catalog:product": "apple",
    "catalog:supplier": "supplier",
    "catalog:customer": "customer",
    "catalog:category": "category",
    "catalog:warehouse": "other_warehouse",
    "catalog:style": "style",
    "catalog:attribute": "attribute",
    "catalog:pricelevel": "price_level",
    "inventory:style": "style",
    "inventory:adjustment": "adjustment",
    "inventory:costadjustment": "cost_adjustment",
    "inventory:transfer": "transfer",
    "inventory:transferrequest": "transfer_request",
    "catalog:shop": "shop",
    "inventory:stocktake": "stocktake",
    "inventory:openingstock": "opening",
    "purchasing:order": "placed_po",
    "purchasing:receipt": "receipt",
    "purchasing:return": "purchase_return",
    "sales:order": "confirmed_so",
    "sales:shipment": "shipment",
    "sales:delivery": "shipment",
    "sales:slip": "shipment",
    "sales:return": "sales_return",
    "accounts:user": "staff",
    "counter:slip": "counter_sale",
    "counter:shift": "shift",
    "finance:payment": "customer_payment",
    "finance:customer": "customer",
    "finance:credit": "customer",
    "finance:account": "money_account",
    "finance:transfer": "money_transfer",
    "finance:cash": "cash_entry",
    "finance:category": "cash_category",
    "finance:supplier": "supplier",
    "api:key": "api_key",
}
BY_ARGUMENT = {
    "product_id": "apple",
    "supplier_id": "supplier",
    "kind": "catalog.product",
    "name": shop_world.BACKUP_NAME,  # the backup in the backup folder
    "slug": "cashier",  # a page of the user guide
}


def path_of(route, world) -> str:
    """The route's URL on the world's records (an unknown argument: the apple)."""
    namespace, name = route.name.split(":") if ":" in route.name else ("", route.name)
    record = RECORDS.get(f"{namespace}:{name.split('_')[0]}", "apple")
    values = []
    for argument in route.arguments:
        value = BY_ARGUMENT.get(argument, record)
        found = world
        for part in value.split("."):  # "shipment.order": a record's record
            found = getattr(found, part, None)
        values.append(found.pk if found is not None else value)
    return reverse(route.name, args=values)


# Pages whose GET needs a query naming the document they start from.
STARTS_FROM = {
    "purchasing:receipt_create": lambda w: {"order": str(w.placed_po.pk)},
    "purchasing:return_create": lambda w: {"receipt": str(w.receipt.pk)},
    # A new order prefilled from the shortage panel (issue 20).
    "purchasing:order_create": lambda w: {
        "supplier": str(w.supplier.pk),
        "product": str(w.apple.pk),
        "quantity": "2",
    },
    "sales:shipment_create": lambda w: {"order": str(w.confirmed_so.pk)},
    "sales:return_create": lambda w: {"shipment": str(w.shipment.pk)},
    "sales:availability": lambda w: {"product": "A001", "warehouse": "1"},
    "purchasing:last_price": lambda w: {"product": "A001", "supplier": "1"},
    "counter:return": lambda w: {"number": w.counter_sale.number},
    "finance:collection_create": lambda w: {"partner": "C1"},
    "finance:disbursement_create": lambda w: {"partner": "S1"},
    "inventory:style_matrix": lambda w: {"style": "T1", "warehouse": "1"},
    "catalog:labels": lambda w: {"product": str(w.apple.pk), "style": str(w.style.pk)},
    "catalog:labels_print": lambda w: {
        "product": str(w.apple.pk),
        "size": "40x30",
        f"n_{w.apple.pk}": "2",
    },
}
# Keys of a script's JSON lookup, which has no form of its own to read them from.
SCRIPT_KEYS = {"line_amounts": ["quantity", "price", "discount", "received"]}
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def page_keys(html: str) -> list[str]:
    names = set(FIELD_NAME.findall(html)) - {"csrfmiddlewaretoken"}
    return sorted(names | set(COMMON_KEYS))


def value_for(key: str):
    if DATE_KEYS.match(key):
        return st.one_of(hostile_date, hostile_text)
    if NUMBER_KEYS.match(key):
        return hostile_number
    if ID_KEYS.match(key):
        return st.one_of(hostile_id, st.sampled_from(["1", "2", "3"]))
    return st.one_of(hostile_text, hostile_text, anything, st.sampled_from(XSS))


@st.composite
def queries(draw, keys: list[str], base: dict) -> list[tuple[str, str]]:
    pairs = list(base.items())
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.one_of(st.sampled_from(keys), hostile_text))
        pairs.append((key, draw(value_for(key))))
    return draw(st.permutations(pairs))


def get_pages(world, group=None) -> list[tuple[str, str, dict]]:
    """(route name, path, base query) of every page (of a group) that answers a
    GET."""
    pages = []
    client = client_for(world, "owner")
    for route in routes():
        if route.name == "logout" or group not in (None, group_of(route.name)):
            continue
        path = path_of(route, world)
        base = STARTS_FROM.get(route.name, lambda w: {})(world)
        with rolled_back():
            status = client.get(path, base).status_code
        # 401: the JSON API, which takes keys (api/tests/test_fuzz.py fuzzes it).
        if status not in (401, 405):
            pages.append((route.name, path, base))
    return pages


def check_query(world, client, path: str, pairs) -> None:
    with rolled_back():
        data: dict[str, list[str]] = {}
        for key, value in pairs:
            data.setdefault(key, []).append(value)
        response = client.get(path, data)
        assert response.status_code < 500, f"server error {response.status_code}"
        assert response.status_code in (200, 301, 302, 400, 403, 404)
        assert_escaped(response, pairs)
        changed = changes(world.baseline, fingerprint())
        if response.get("Content-Disposition", "").startswith("attachment"):
            # A download is in the audit trail (audit.middleware): one entry.
            before, after = changed.pop("audit.AuditEntry.rows")
            assert after == before + 1
            changed = {k: v for k, v in changed.items() if not k.startswith("audit.")}
        assert not changed, f"a GET wrote to the database: {changed}"


# Pages fuzzed together share one shop; grouped by app to keep the run short.
GROUPS = ["catalog", "inventory", "purchasing", "sales", "reports", "other"]

# The nastiest values, each sent in every field a page has at once.
SWEEP = [
    "a\x00b",
    "a " * 2500,  # longer than any name, and thousands of words
    "9" * 30,
    "²",
    "0001-01-01",
]


def group_of(name: str) -> str:
    namespace = name.split(":")[0] if ":" in name else ""
    return namespace if namespace in GROUPS else "other"


@pytest.mark.django_db
@pytest.mark.parametrize("group", GROUPS)
def test_hostile_query_string_never_breaks_a_page(world, group):
    """Each page answers its plain GET (so nothing below passes vacuously), then
    survives the nastiest values in every field it has at once, then hypothesis'
    mixtures."""
    client = client_for(world, "owner")
    pages = get_pages(world, group)
    assert pages
    keys = {}
    for name, path, base in pages:
        with rolled_back():
            response = client.get(path, base)
        assert response.status_code in (200, 302), f"{name}: {response.status_code}"
        body = b"" if response.streaming else response.content  # a file download
        html = body.decode(errors="replace")
        keys[name] = page_keys(html if response.status_code == 200 else "")
        keys[name] += SCRIPT_KEYS.get(name, [])
        for value in SWEEP:
            pairs = [*base.items()] + [(k, value) for k in keys[name] if k not in base]
            try:
                check_query(world, client, path, pairs)
            except Exception as error:
                raise AssertionError(f"{name} with {value[:20]!r}") from error

    # Every field got the sweep above: an eighth of a form's examples per page.
    @FUZZ_PER(len(pages) / 8)
    @given(data=st.data())
    def fuzz(data):
        name, path, base = data.draw(st.sampled_from(pages), label="page")
        pairs = data.draw(queries(keys[name], base), label="query")
        check_query(world, client, path, pairs)

    fuzz()


@pytest.mark.django_db
def test_a_clerk_sending_hostile_queries_gets_no_server_error(world):
    """Staff pages hide costs and take other branches: a short run as a clerk."""
    client = client_for(world, "staff")
    pages = [p for p in get_pages(world) if group_of(p[0]) != "reports"]

    @FUZZ_PER(2)
    @given(data=st.data())
    def fuzz(data):
        _name, path, base = data.draw(st.sampled_from(pages), label="page")
        pairs = data.draw(queries(COMMON_KEYS, base), label="query")
        check_query(world, client, path, pairs)

    fuzz()


def test_the_route_walk_finds_the_shop():
    names = {route.name for route in routes()}
    assert len(names) > 100
    assert {"catalog:product_list", "reports:summary", "sales:retail"} <= names
    assert not any(name.startswith("admin:") for name in names)
