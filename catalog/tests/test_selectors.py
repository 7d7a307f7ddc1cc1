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


def test_product_by_code_finds_exactly_one_product(fruit):
    assert selectors.product_by_code(" 6972168279211 ") == fruit
    assert selectors.product_by_code("sg001") == fruit
    assert selectors.product_by_code("69721") is None
    ProductFactory(sku="X")
    assert selectors.product_by_code("") is None


def test_product_by_code_folds_case_and_full_width_characters():
    pen = ProductFactory(sku="WJ-01", barcode="ABC123")
    assert selectors.product_by_code("ｗｊ－０１") == pen
    assert selectors.product_by_code("abc123") == pen
    assert selectors.product_by_code("\tWJ-01 ") == pen


def test_product_by_code_finds_by_sku_when_no_barcode_matches():
    pen = ProductFactory(sku="6900000000001", barcode="")
    assert selectors.product_by_code("6900000000001") == pen


def test_a_barcode_wins_over_another_products_sku_that_reads_the_same():
    ProductFactory(sku="6900000000001", name="编码同号")
    scanned = ProductFactory(sku="ZZ9", name="条码商品", barcode="6900000000001")
    assert selectors.product_by_code("6900000000001") == scanned


def test_two_barcodes_differing_only_in_case_are_refused_naming_both():
    ProductFactory(sku="A1", name="甲", barcode="abc")
    ProductFactory(sku="B1", name="乙", barcode="ABC")
    with pytest.raises(selectors.SeveralProductsMatch) as refused:
        selectors.product_by_code("Abc")
    assert {p.sku for p in refused.value.products} == {"A1", "B1"}
    assert "A1 甲" in refused.value.message and "B1 乙" in refused.value.message


def test_a_code_no_product_has_or_no_query_can_hold_names_nothing():
    ProductFactory(sku="A1")
    assert selectors.product_by_code("A2") is None
    assert selectors.product_by_code("A1\x00") is None
    assert selectors.product_by_code("A" * 500) is None


def test_products_by_code_answers_many_codes_in_one_query(
    django_assert_num_queries,
):
    apple = ProductFactory(sku="SG001", barcode="6901")
    pear = ProductFactory(sku="SG002", barcode="")
    ProductFactory(sku="X1", barcode="dup")
    ProductFactory(sku="X2", barcode="DUP")
    with django_assert_num_queries(1):
        found = selectors.products_by_code(["6901", " sg002", "DuP", "none"])
    assert found["6901"] == apple
    assert found["sg002"] == pear
    assert isinstance(found["dup"], selectors.SeveralProductsMatch)
    assert "none" not in found
