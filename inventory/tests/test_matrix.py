"""Matrix entry (issue 19): a style's grid of quantity cells on documents and on a
count sheet. The fragment checks every cell and answers the lines to add (nothing
saved); on a count sheet the counts are added to the sheet."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEntry
from catalog import services as catalog
from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory, style_with
from inventory import documents
from inventory.models import StocktakeLine
from inventory.tests.factories import receive
from jxc.tests.fuzz import (
    FUZZ,
    XSS,
    assert_escaped,
    changes,
    fingerprint,
    hostile_number,
    hostile_text,
)

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/inventory/matrix/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def main():
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def tee(owner, main):
    """圆领T恤 T100 in 红色/黑色 × S/M/L, 5 of 红色 M in stock."""
    style = style_with(code="T100", colours=("RD", "BK"), sizes=("S", "M", "L"))
    catalog.style_variants_generate(style=style)
    receive(variant(style, "RD", "M"), "5", "20.00", user=owner, warehouse=main)
    return style


def variant(style, colour, size):
    return style.variants.get(sku=f"{style.code}-{colour}-{size}")


def lines_of(response):
    found = re.search(
        r'<script id="matrix-lines" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1)) if found else None


def cells(style, **typed):
    """The grid posted: ``RD_M="3"`` → the cell of T100-RD-M."""
    data = {"style": str(style.pk)}
    for key, value in typed.items():
        colour, size = key.split("_")
        data[f"cell_{variant(style, colour, size).pk}"] = value
    return data


# --- the grid ---------------------------------------------------------------------


def test_a_style_code_opens_its_grid_colours_down_sizes_across(staff_client, tee, main):
    response = staff_client.get(URL, {"style": "t100", "warehouse": main.pk}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    grid = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert re.findall(r'<th scope="col" class="text-center">(\w+)</th>', grid) == [
        "S",
        "M",
        "L",
    ]
    assert re.findall(r'<th scope="row"[^>]*>(\S+)</th>', grid) == ["红色", "黑色"]
    assert grid.count('name="cell_') == 6
    # Available stock under each cell: 5 of 红色 M, none elsewhere.
    cell = variant(tee, "RD", "M")
    after = html.split(f'name="cell_{cell.pk}"', 1)[1]
    assert re.search(r"(Available|可用) 5<", after.split("</td>", 1)[0])


def test_a_style_name_opens_its_grid_and_a_one_attribute_style_is_one_row(
    staff_client,
):
    style = style_with(code="SOCK", name="棉袜", colours=(), sizes=("S", "M"))
    catalog.style_variants_generate(style=style)
    html = staff_client.get(URL, {"style": "棉袜"}, **HX).content.decode()
    assert html.count('<th scope="row"') == 1
    assert html.count('name="cell_') == 2


def test_an_unknown_or_ambiguous_style_says_so(staff_client, tee):
    style_with(code="T200", colours=("RD",), sizes=("S",))
    html = staff_client.get(URL, {"style": "nothing-like-it"}, **HX).content.decode()
    assert "nothing-like-it" in html and "cell_" not in html
    html = staff_client.get(URL, {"style": "T"}, **HX).content.decode()
    assert "T100" in html and "T200" in html and "cell_" not in html


def test_a_code_typed_on_a_line_opens_the_grid_only_when_no_product_has_it(
    staff_client, tee
):
    assert staff_client.get(URL, {"style": "T100", "line": "1"}).status_code == 200
    assert staff_client.get(URL, {"style": "T1", "line": "1"}).status_code == 204
    ProductFactory(sku="T100")  # a product's code is a product, not a grid
    assert staff_client.get(URL, {"style": "T100", "line": "1"}).status_code == 204
    sku = variant(tee, "RD", "S").sku
    assert staff_client.get(URL, {"style": sku, "line": "1"}).status_code == 204


# --- adding: good and bad cells -----------------------------------------------------


def test_filled_cells_answer_one_line_each_in_the_grids_order(staff_client, tee):
    before = fingerprint()
    response = staff_client.post(
        URL, cells(tee, BK_L="2", RD_S="1.5", RD_M=" ", BK_S=""), **HX
    )
    assert lines_of(response) == [
        {"code": "T100-RD-S", "quantity": "1.5", "name": "圆领T恤 红色 S"},
        {"code": "T100-BK-L", "quantity": "2", "name": "圆领T恤 黑色 L"},
    ]
    assert not changes(before, fingerprint())  # nothing saved: the page adds them


@pytest.mark.parametrize(
    "bad", ["-1", "0", "1.0005", "abc", "1e3x", "99999999999", "０x"]
)
def test_a_bad_cell_gets_a_message_and_adds_nothing(staff_client, tee, bad):
    before = fingerprint()
    response = staff_client.post(URL, cells(tee, RD_S="2", RD_M=bad), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert lines_of(response) is None
    assert "invalid-feedback" in html and "is-invalid" in html
    assert 'value="2"' in html  # what was typed stays
    assert not changes(before, fingerprint())


def test_no_filled_cell_says_to_type_one(staff_client, tee):
    response = staff_client.post(URL, cells(tee, RD_S=""), **HX)
    assert lines_of(response) is None
    assert "alert-danger" in response.content.decode()


def test_matrix_fragment_query_count_is_pinned(staff_client, tee, main, count_queries):
    query = {"style": "T100", "warehouse": main.pk}
    assert count_queries(staff_client, URL, query) == 11
    bigger = style_with(code="T900", colours=("RD", "BK", "WH", "NV"))
    catalog.style_variants_generate(style=bigger)
    assert count_queries(staff_client, URL, {**query, "style": "T900"}) == 11


def test_a_signed_out_visitor_is_sent_to_sign_in(client, tee):
    response = client.get(URL, {"style": "T100"})
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- the count sheet ------------------------------------------------------------------


@pytest.fixture
def sheet(owner, main, tee):
    return documents.stocktake_start(warehouse=main, categories=[], note="", user=owner)


def _counted(stocktake, style, colour, size):
    return StocktakeLine.objects.get(
        stocktake=stocktake, product=variant(style, colour, size)
    ).counted_quantity


def test_a_count_grid_adds_to_the_sheets_counts(staff_client, sheet, tee):
    documents.stocktake_count_scan(
        stocktake=sheet, code="T100-RD-M", quantity=None, user=sheet.created_by
    )
    version = type(sheet).objects.get(pk=sheet.pk).version
    url = f"/inventory/stocktakes/{sheet.pk}/matrix/"
    response = staff_client.post(url, cells(tee, RD_M="3", BK_S="2"), **HX)
    html = response.content.decode()
    counts = json.loads(re.search(r'json">(.*?)</script>', html).group(1))
    assert counts["version"] == version + 1
    assert _counted(sheet, tee, "RD", "M") == D(4)
    assert _counted(sheet, tee, "BK", "S") == D(2)
    assert _counted(sheet, tee, "RD", "S") is None
    assert AuditEntry.objects.filter(object_id=str(sheet.pk)).exists()


def test_a_bad_count_cell_counts_nothing(staff_client, sheet, tee):
    url = f"/inventory/stocktakes/{sheet.pk}/matrix/"
    before = fingerprint()
    response = staff_client.post(url, cells(tee, RD_M="3", BK_S="-2"), **HX)
    assert "invalid-feedback" in response.content.decode()
    assert not changes(before, fingerprint())
    response = staff_client.post(url, cells(tee, RD_M="3", BK_S="x"))  # no script
    assert response.status_code == 302
    assert not changes(before, fingerprint())


def test_a_variant_not_on_the_sheet_refuses_the_whole_grid(owner, staff_client, main):
    style = style_with(code="T300", colours=("RD",), sizes=("S", "M"))
    catalog.style_variants_generate(style=style)
    sheet = documents.stocktake_start(
        warehouse=main, categories=[], note="", user=owner
    )
    late = style.variants.get(sku="T300-RD-M")
    StocktakeLine.objects.filter(stocktake=sheet, product=late).delete()
    before = fingerprint()
    response = staff_client.post(
        f"/inventory/stocktakes/{sheet.pk}/matrix/",
        cells(style, RD_S="1", RD_M="1"),
        **HX,
    )
    assert "alert-danger" in response.content.decode()
    assert not changes(before, fingerprint())


def test_the_count_sheet_offers_the_grid_to_staff(staff_client, sheet):
    html = staff_client.get(f"/inventory/stocktakes/{sheet.pk}/").content.decode()
    assert 'id="matrix-entry"' in html and f'data-stocktake="{sheet.pk}"' in html


def test_the_document_forms_offer_the_grid(owner_client):
    for url in (
        "/purchasing/orders/new/",
        "/purchasing/receipts/new/",
        "/sales/orders/new/",
    ):
        html = owner_client.get(url).content.decode()
        assert 'id="matrix-entry"' in html, url
        assert 'form="matrix-none"' in html


# --- hostile cells --------------------------------------------------------------------


def test_hostile_cells_never_break_the_grid_nor_write(staff, tee):
    client = Client()
    client.force_login(staff)
    keys = [f"cell_{p.pk}" for p in tee.variants.order_by("pk")]
    baseline = fingerprint()

    @FUZZ
    @given(
        st.dictionaries(
            st.sampled_from([*keys, "style", "warehouse"]),
            st.one_of(hostile_number, hostile_text, st.sampled_from(XSS)),
            min_size=1,
        ),
        st.booleans(),
    )
    def fuzz(data, htmx):
        data = {"style": str(tee.pk), **data}
        response = client.post(URL, data, **(HX if htmx else {}))
        assert response.status_code in (200, 404), response.status_code
        assert_escaped(response, list(data.items()))
        assert not changes(baseline, fingerprint())
        found = lines_of(response)
        if found is not None:
            assert all(D(line["quantity"]) > 0 for line in found)

    fuzz()
