"""Barcode labels: the SVG bars python-barcode draws decode back to the code (check
digits and bar patterns read here, independently of the drawing), and the label
pages print what was asked."""

import base64
import re
from decimal import Decimal

import pytest
from barcode.charsets.code128 import CODES as CODE128_PATTERNS

from catalog.labels import MODULE_MM, barcode_data_uri, barcode_kind, barcode_svg
from catalog.tests.factories import ProductFactory, style_with
from jxc.matching import gtin_check_digit

RECT = re.compile(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"')

L_CODES = ["0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip


def modules(svg: str) -> str:
    """The bars as a string of modules, 1 for black, from the first bar to the
    last."""
    bars = [(float(x), float(w)) for x, w in RECT.findall(svg)]
    start = bars[0][0]
    end = max(x + w for x, w in bars)
    cells = ["0"] * round((end - start) / MODULE_MM)
    for x, width in bars:
        first = round((x - start) / MODULE_MM)
        for index in range(first, first + round(width / MODULE_MM)):
            cells[index] = "1"
    return "".join(cells)


def decode_ean13(bits: str) -> str:
    assert len(bits) == 95
    assert bits[:3] == "101" and bits[45:50] == "01010" and bits[-3:] == "101"
    r_codes = ["".join("1" if b == "0" else "0" for b in c) for c in L_CODES]
    g_codes = [c[::-1] for c in r_codes]
    left, parity = "", ""
    for i in range(6):
        chunk = bits[3 + 7 * i : 10 + 7 * i]
        if chunk in L_CODES:
            left, parity = left + str(L_CODES.index(chunk)), parity + "L"
        else:
            left, parity = left + str(g_codes.index(chunk)), parity + "G"
    right = "".join(str(r_codes.index(bits[50 + 7 * i : 57 + 7 * i])) for i in range(6))
    return str(PARITY.index(parity)) + left + right


def decode_code128(bits: str) -> str:
    symbols = [bits[i : i + 11] for i in range(0, len(bits) - 13, 11)]
    assert bits[-13:] == "1100011101011"  # stop pattern
    values = [CODE128_PATTERNS.index(symbol) for symbol in symbols]
    *data, check = values
    assert (data[0] + sum(i * v for i, v in enumerate(data[1:], 1))) % 103 == check
    sets = {103: "A", 104: "B", 105: "C"}
    charset, text = sets[data[0]], ""
    for value in data[1:]:
        if value == 99:
            charset = "C"
        elif value == 100 and charset != "B":
            charset = "B"
        elif value == 101 and charset != "A":
            charset = "A"
        elif charset == "C":
            text += f"{value:02d}"
        elif charset == "B":
            text += chr(value + 32)
        else:
            text += chr(value + 32) if value < 64 else chr(value - 64)
    return text


@pytest.mark.parametrize("code", ["6901234567892", "2900000000018", "0400000000013"])
def test_ean13_bars_decode_back_to_the_code_with_its_check_digit(code):
    body = code[:-1]
    code = body + str(gtin_check_digit(body))
    assert barcode_kind(code) == "ean13"
    decoded = decode_ean13(modules(barcode_svg(code)))
    assert decoded == code
    assert int(decoded[-1]) == gtin_check_digit(decoded[:-1])


@pytest.mark.parametrize("code", ["T100-RD-XL", "A001", "6901234567890", "12345678"])
def test_other_codes_are_code128_and_decode_back(code):
    # 6901234567890 has a wrong check digit: not an EAN, drawn as it is.
    assert barcode_kind(code) == "code128"
    assert decode_code128(modules(barcode_svg(code))) == code


def test_a_code_no_barcode_can_carry_draws_nothing():
    assert barcode_kind("苹果") is None
    assert barcode_svg("苹果") is None and barcode_data_uri("苹果") == ""


def test_the_data_uri_holds_the_svg():
    uri = barcode_data_uri("6901234567892")
    assert uri.startswith("data:image/svg+xml;base64,")
    assert "<svg" in base64.b64decode(uri.split(",", 1)[1]).decode()


# --- pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_labels_of_a_style_list_its_variants(owner_client, count_queries):
    from catalog import services

    style = style_with(colours=("RD",), sizes=("S", "M"))
    services.style_variants_generate(style=style)
    url = f"/catalog/labels/?style={style.pk}"
    html = owner_client.get(url).content.decode()
    assert "T100-RD-S" in html and "T100-RD-M" in html
    assert count_queries(owner_client, url) <= 12


@pytest.mark.django_db
def test_printing_makes_as_many_labels_as_asked(staff_client, count_queries):
    apple = ProductFactory(
        name="苹果", barcode="6901234567892", sale_price=Decimal("6.80")
    )
    pear = ProductFactory(name="梨", sku="LI01", barcode="")
    query = (
        f"?product={apple.pk}&product={pear.pk}&size=50x30&show_price=on"
        f"&n_{apple.pk}=3&n_{pear.pk}=0"
    )
    response = staff_client.get("/catalog/labels/print/" + query)
    html = response.content.decode()
    assert html.count('class="label"') == 3
    assert "¥6.80" in html and "梨" not in html
    assert "size-50x30" in html and "<nav" not in html
    image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert decode_ean13(modules(base64.b64decode(image).decode())) == "6901234567892"
    assert count_queries(staff_client, "/catalog/labels/print/" + query) <= 8


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["-1", "501", "abc", "1.5"])
def test_a_bad_count_is_refused_with_a_message(owner_client, count):
    apple = ProductFactory()
    response = owner_client.get(
        f"/catalog/labels/print/?product={apple.pk}&size=40x30&n_{apple.pk}={count}",
        follow=True,
    )
    assert "标签数量" in response.content.decode()


@pytest.mark.django_db
def test_a_scanned_code_adds_its_product(owner_client):
    apple = ProductFactory(name="苹果", barcode="6901234567892")
    html = owner_client.get("/catalog/labels/", {"code": "6901234567892"}).content
    assert f'name="product" value="{apple.pk}"' in html.decode()
    html = owner_client.get("/catalog/labels/", {"code": "nothing"}).content.decode()
    assert "nothing" in html


@pytest.mark.django_db
def test_the_owner_gives_a_product_an_in_store_barcode(owner_client):
    pear = ProductFactory(barcode="")
    owner_client.post(f"/catalog/products/{pear.pk}/barcode/")
    pear.refresh_from_db()
    assert pear.barcode.startswith("29") and len(pear.barcode) == 13


@pytest.mark.django_db
def test_staff_cannot_give_barcodes(staff_client):
    pear = ProductFactory(barcode="")
    assert staff_client.post(f"/catalog/products/{pear.pk}/barcode/").status_code == 403
    pear.refresh_from_db()
    assert pear.barcode == ""
