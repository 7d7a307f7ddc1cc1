"""The 80 mm slip of a counter sale and the Code 128 of its number."""

import re
from decimal import Decimal

import pytest
from barcode.charsets.code128 import CODES

from catalog.models import ShopProfile
from catalog.tests.factories import ProductFactory
from counter.barcodes import OPTIONS, code128_svg
from counter.tests.factories import counter_sale
from inventory.tests.factories import receive
from sales.tests.factories import confirmed

pytestmark = pytest.mark.django_db
D = Decimal
STOP = "1100011101011"


def decode_code128(svg: str) -> str:
    """Read the bars of an SVG Code 128 back to its text: rect positions → module
    pattern → 11-module symbols looked up in the Code 128 table, the start code
    and check symbol verified, code sets B and C decoded."""
    module = D(str(OPTIONS["module_width"]))
    bars = [
        (D(x), D(width))
        for x, width in re.findall(
            r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"[^>]*fill="black"',
            svg,
        )
    ]
    assert bars, "no bars in the SVG"
    start = bars[0][0]
    modules = ["0"] * int((bars[-1][0] + bars[-1][1] - start) / module)
    for x, width in bars:
        first = int((x - start) / module)
        for index in range(first, first + int(width / module)):
            modules[index] = "1"
    pattern = "".join(modules)
    assert pattern.endswith(STOP), pattern[-13:]  # the stop pattern and final bar
    body = pattern[: -len(STOP)]
    table = {code: value for value, code in enumerate(CODES)}
    values = [table[body[i : i + 11]] for i in range(0, len(body), 11)]
    *symbols, check = values
    assert check == (symbols[0] + sum(i * v for i, v in enumerate(symbols))) % 103
    code_set = {103: "A", 104: "B", 105: "C"}[symbols[0]]
    text = ""
    for value in symbols[1:]:
        if value == 99:
            code_set = "C"
        elif value == 100:
            code_set = "B"
        elif value == 101:
            code_set = "A"
        elif code_set == "C":
            text += f"{value:02d}"
        elif code_set == "B":
            text += chr(value + 32)
        else:
            text += chr(value + 32) if value < 64 else chr(value - 64)
    return text


@pytest.mark.parametrize(
    "number", ["SO-20261206-001", "SO-20261231-1234", "SH-20260101-007", "ABC"]
)
def test_the_barcode_reads_back_as_the_number(number):
    assert decode_code128(code128_svg(number)) == number


def test_the_barcode_svg_has_no_style_attributes_for_the_csp():
    svg = code128_svg("SO-20261206-001")
    assert "style=" not in svg
    assert svg.startswith("<svg")
    assert 'aria-label="SO-20261206-001"' in svg


@pytest.fixture
def sale(staff):
    ShopProfile.objects.create(
        pk=1,
        name="阳光水果店",
        address="幸福路 1 号",
        phone="0571-8888",
        slip_footer="多谢光临",
    )
    apple = ProductFactory(name="苹果", unit="斤", sale_price=D("6.80"))
    pen = ProductFactory(name="中性笔", unit="支", sale_price=D("2.50"))
    receive(apple, "50", "4", user=staff)
    receive(pen, "50", "1", user=staff)
    return counter_sale(
        staff,
        [(apple, "2.5"), (pen, "4", None, "10")],
        payments=[("wechat", "10.00"), ("cash", "16.00", "20.00")],
    )


def test_the_slip_shows_shop_lines_discount_payments_change_and_thanks(
    staff_client, sale
):
    page = staff_client.get(f"/counter/slip/{sale.pk}/").content.decode()
    for text in ["阳光水果店", "幸福路 1 号", "0571-8888", "多谢光临", sale.number]:
        assert text in page
    assert "苹果" in page and "2.5斤 × ¥6.80" in page and "¥17.00" in page
    # 4 × 2.50 = 10.00 less 10 % = 9.00: the discount shows as -¥1.00
    assert "中性笔" in page and "-¥1.00" in page and "¥9.00" in page
    assert "¥26.00" in page  # total
    assert "微信" in page and "¥10.00" in page
    assert "现金" in page and "¥16.00" in page and "¥20.00" in page
    assert re.search(r'id="slip-change">¥4.00<', page)
    assert decode_code128(page[page.index("<svg") : page.index("</svg>") + 6]) == (
        sale.number
    )
    assert "data-print-now" not in page
    assert "<script>" not in page and "/static/jxc/slip.js" in page


def test_print_1_asks_the_browser_to_print(staff_client, sale):
    page = staff_client.get(f"/counter/slip/{sale.pk}/?print=1").content.decode()
    assert "data-print-now" in page


def test_a_sales_order_that_is_not_a_counter_sale_has_no_slip(staff_client, owner):
    apple = ProductFactory()
    receive(apple, "5", "1", user=owner)
    order = confirmed(owner, [(apple, "1")])
    assert staff_client.get(f"/counter/slip/{order.pk}/").status_code == 404


def test_the_slip_of_a_sale_without_payment_rows_shows_the_cash_received(
    staff_client, owner
):
    """A sale from the old retail form: amount received and change."""
    from catalog.models import Warehouse
    from sales import services

    apple = ProductFactory(sale_price=D("3"))
    receive(apple, "5", "1", user=owner)
    order = services.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[services.SaleLineInput(apple, D("2"))],
        amount_received=D("10"),
        user=owner,
    )
    page = staff_client.get(f"/counter/slip/{order.pk}/").content.decode()
    assert re.search(r'id="slip-change">¥4.00<', page)


def test_the_slip_query_count_does_not_grow_with_lines(
    staff_client, sale, count_queries
):
    few = count_queries(staff_client, f"/counter/slip/{sale.pk}/")
    products = [ProductFactory() for _ in range(6)]
    for product in products:
        receive(product, "5", "1", user=sale.created_by)
    bigger = counter_sale(sale.created_by, [(p, "1") for p in products])
    assert count_queries(staff_client, f"/counter/slip/{bigger.pk}/") == few
    assert few <= 13


def test_the_sale_page_has_a_reprint_link(staff_client, sale):
    page = staff_client.get(f"/sales/orders/{sale.pk}/").content.decode()
    assert f"/counter/slip/{sale.pk}/?print=1" in page
