"""The picker's search endpoints (customers, suppliers, products) answer in a
fixed number of queries however many records match, never list more than a
picker shows, and escape what they list."""

import pytest

from catalog.fields import OPTIONS_LIMIT
from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

# The session (read, and saved in a savepoint), its user, the user's and the
# group's permissions, the search: pinned so that a per-row query (a related
# name read in the template) fails here.
PINNED = 8


@pytest.mark.parametrize(
    ("url", "factory", "field"),
    [
        ("/catalog/customers/options/", CustomerFactory, "name"),
        ("/catalog/suppliers/options/", SupplierFactory, "name"),
        ("/catalog/products/options/", ProductFactory, "name"),
    ],
)
def test_a_search_costs_the_same_for_one_match_or_many(
    staff_client, count_queries, url, factory, field
):
    factory(**{field: "王记 0"})
    one = count_queries(staff_client, url, {"q": "王记"})
    for n in range(1, OPTIONS_LIMIT + 10):
        factory(**{field: f"王记 {n}"})
    many = count_queries(staff_client, url, {"q": "王记"})
    assert one == many == PINNED
    options = staff_client.get(url, {"q": "王记"}).content.decode()
    assert options.count("<option") == OPTIONS_LIMIT


@pytest.mark.parametrize(
    "url",
    ["/catalog/customers/options/", "/catalog/suppliers/options/"],
)
def test_a_hostile_search_lists_nothing_and_escapes(staff_client, url):
    CustomerFactory(name="<b>王记</b>")
    SupplierFactory(name="<b>王记</b>")
    for text in ("a\x00b", "x" * 300):
        response = staff_client.get(url, {"q": text})
        assert response.status_code == 200
        assert "<option" not in response.content.decode()
    page = staff_client.get(url, {"q": "王记"}).content.decode()
    assert "<b>" not in page
    assert "&lt;b&gt;" in page
