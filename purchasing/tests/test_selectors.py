from decimal import Decimal as D

import pytest

from catalog.tests.factories import ProductFactory
from purchasing import selectors

pytestmark = pytest.mark.django_db


def test_band_is_last_price_paid_to_any_supplier_else_the_reference(owner, pencil):
    fresh = ProductFactory(purchase_price=D("2.00"))
    references = selectors.price_references([pencil.pk, fresh.pk])
    assert references == {pencil.pk: D("4.50"), fresh.pk: D("2.00")}
    assert selectors.price_band(D("4.50"), D("3")) == (D("1.50"), D("13.50"))
    assert selectors.out_of_band(D("13.51"), D("4.50"), D("3"))
    assert not selectors.out_of_band(D("13.50"), D("4.50"), D("3"))
    assert not selectors.out_of_band(D("99999.99"), D("4.50"), D("0"))  # off
