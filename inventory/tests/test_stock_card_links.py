"""A stock card links a move's document only for a role that may open it; for
others the number stands as text (a clerk's card linked opening stock and
adjustments, which answer 403 to a clerk)."""

import re
from decimal import Decimal

import pytest

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from inventory import documents

D = Decimal


@pytest.fixture
def card(owner):
    """A product whose card holds an opening stock, an adjustment and a transfer."""
    product = ProductFactory(name="钢笔")
    shop = Warehouse.objects.get(is_default=True)
    back = Warehouse.objects.create(code="B", name="后仓")
    opening = documents.opening_stock_post(
        lines=[(product, shop, D("10"), D("2"))], note="", user=owner
    )
    adjustment = documents.adjustment_post(
        warehouse=shop,
        note="",
        user=owner,
        lines=[documents.AdjustmentInput(product, D("-1"), "damaged")],
    )
    transfer = documents.transfer_post(
        from_warehouse=shop,
        to_warehouse=back,
        note="",
        user=owner,
        lines=[(product, D("2"))],
    )
    return product, opening, adjustment, transfer


def links(html: str) -> list[str]:
    return re.findall(r'href="(/inventory/[a-z]+/\d+/)"', html)


@pytest.mark.parametrize("page", ["card/{pk}/", "product/{pk}/"])
def test_a_clerk_sees_owner_only_documents_as_text(staff_client, card, page):
    product, opening, adjustment, transfer = card
    url = "/inventory/" + page.format(pk=product.pk)

    html = staff_client.get(url).content.decode()

    assert opening.number in html and adjustment.number in html
    assert f"/inventory/opening/{opening.pk}/" not in html
    assert f"/inventory/adjustments/{adjustment.pk}/" not in html
    assert f"/inventory/transfers/{transfer.pk}/" in html  # a clerk may open it
    for href in links(html):
        assert staff_client.get(href).status_code == 200, href


@pytest.mark.parametrize("page", ["card/{pk}/", "product/{pk}/"])
def test_the_owner_sees_every_document_linked(owner_client, card, page):
    product, opening, adjustment, transfer = card

    html = owner_client.get("/inventory/" + page.format(pk=product.pk)).content
    html = html.decode()

    assert f"/inventory/opening/{opening.pk}/" in html
    assert f"/inventory/adjustments/{adjustment.pk}/" in html
    assert f"/inventory/transfers/{transfer.pk}/" in html
