import pytest

from catalog import selectors
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fruit():
    from catalog import services

    apple = services.product_save(
        data={"sku": "SG001", "name": "红富士苹果", "barcode": "6972168279211"}
    )
    services.product_save(data={"sku": "SG002", "name": "香蕉"})
    services.product_save(data={"sku": "WJ001", "name": "苹果牌铅笔 2B"})
    return apple


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pingguo", {"SG001", "WJ001"}),
        ("pg", {"SG001", "WJ001"}),
        ("hfspg", {"SG001"}),
        ("苹果", {"SG001", "WJ001"}),
        ("ＳＧ００２", {"SG002"}),
        ("sg00", {"SG001", "SG002"}),
        ("697216", {"SG001"}),
        ("pg 2b", {"WJ001"}),
        ("nothing", set()),
    ],
)
def test_search_matches_name_sku_barcode_and_pinyin(fruit, typed, expected):
    found = selectors.search(selectors.product_list(), typed)
    assert {p.sku for p in found} == expected


def test_product_by_barcode_finds_exactly_one_product(fruit):
    assert selectors.product_by_barcode(" 6972168279211 ") == fruit
    assert selectors.product_by_barcode("sg001") == fruit
    assert selectors.product_by_barcode("69721") is None
    ProductFactory(sku="X")
    assert selectors.product_by_barcode("") is None
