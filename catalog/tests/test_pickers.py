"""Customer and supplier pickers: a text field typed (or scanned) as code, name
or pinyin, resolved on the server (JavaScript off), suggested as one types; no
page renders every customer or supplier."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from catalog.fields import resolve
from catalog.models import Customer, Product, Supplier, Warehouse
from catalog.tests.factories import CustomerFactory, SupplierFactory
from sales.models import SalesOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    wang = CustomerFactory(code="C-WANG", name="王记超市")
    CustomerFactory(code="C-LI1", name="李家便利店")
    CustomerFactory(code="C-LI2", name="李家小卖部")
    return wang


def test_a_customer_resolves_from_code_suggestion_name_or_pinyin(shops):
    for typed in ("C-WANG", "c-wang", "Ｃ－ＷＡＮＧ", "C-WANG 王记超市"):
        assert resolve(Customer, typed) == [shops]
    assert resolve(Customer, "王记") == [shops]
    assert resolve(Customer, "wjcs") == [shops]
    assert len(resolve(Customer, "李家")) == 2
    assert resolve(Customer, "nobody") == []


def test_an_exact_code_wins_over_names_containing_it(db):
    exact = CustomerFactory(code="AB", name="甲")
    CustomerFactory(code="X1", name="AB 批发")
    assert resolve(Customer, "ab") == [exact]


def _order(customer_text):
    return {
        "customer": customer_text,
        "warehouse": Warehouse.objects.get(is_default=True).pk,
        "order_date": timezone.localdate().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "PC01",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "",
        "lines-0-discount": "",
    }


@pytest.fixture
def pc(db):
    return Product.objects.create(
        sku="PC01", name="电脑", unit="台", sale_price=D("3000"), search_text="pc01"
    )


def test_order_form_without_javascript_takes_the_typed_name(staff_client, shops, pc):
    response = staff_client.post("/sales/orders/new/", _order("王记超市"))
    order = SalesOrder.objects.get()
    assert response.status_code == 302
    assert order.customer == shops


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("nobody", "没有与“nobody”匹配的客户"),
        ("李家", "C-LI1 李家便利店"),
    ],
)
def test_no_or_several_matches_are_refused_with_a_clear_message(
    staff_client, shops, pc, typed, message
):
    response = staff_client.post("/sales/orders/new/", _order(typed))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert not SalesOrder.objects.exists()


def test_a_deactivated_customer_cannot_be_chosen_but_its_documents_filter(
    staff_client, shops, pc
):
    staff_client.post("/sales/orders/new/", _order("C-WANG"))
    Customer.objects.filter(pk=shops.pk).update(is_active=False)
    refused = staff_client.post("/sales/orders/new/", _order("C-WANG"))
    assert refused.status_code == 200
    assert SalesOrder.objects.count() == 1
    listed = staff_client.get("/sales/", {"customer": "C-WANG"}).content.decode()
    assert f">{SalesOrder.objects.get().number}</a>" in listed


def test_a_list_filter_naming_no_customer_finds_nothing_and_says_so(
    staff_client, shops, pc
):
    staff_client.post("/sales/orders/new/", _order("C-WANG"))
    number = f">{SalesOrder.objects.get().number}</a>"  # its row in the list
    page = staff_client.get("/sales/", {"customer": "nobody"}).content.decode()
    assert number not in page
    assert "没有与“nobody”匹配的客户" in page
    assert "is-invalid" in page
    page = staff_client.get("/sales/", {"customer": "王记"}).content.decode()
    assert number in page
    export = staff_client.get("/sales/order/export/", {"customer": "nobody"})
    assert export.status_code == 200


def test_suggestions_are_active_matches_at_most_twenty(staff_client, db):
    for n in range(25):
        CustomerFactory(code=f"K{n:02d}", name=f"客户K{n}")
    CustomerFactory(code="K99", name="停用客户", is_active=False)
    html = staff_client.get("/catalog/customers/options/", {"q": "k"}).content
    assert html.decode().count("<option") == 20
    html = staff_client.get("/catalog/customers/options/", {"q": "停用"}).content
    assert b"<option" not in html
    html = staff_client.get("/catalog/suppliers/options/", {"q": "k"}).content
    assert b"<option" not in html  # suppliers are not customers


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/sales/orders/new/", 10),
        ("/counter/", 11),
        ("/sales/", 8),
        ("/sales/?customer=客户甲07", 10),  # code lookup, then name search
        ("/sales/shipments/", 8),
        ("/sales/returns/", 8),
        ("/purchasing/orders/new/", 9),
        ("/purchasing/receipts/new/", 10),  # the money accounts (本次付款)
        ("/purchasing/", 8),
        ("/purchasing/?supplier=供应商乙07", 10),
        ("/purchasing/receipts/", 8),
        ("/purchasing/returns/", 8),
    ],
)
def test_no_page_renders_every_customer_or_supplier(
    owner_client, django_assert_num_queries, path, queries
):
    for n in range(30):
        CustomerFactory(name=f"客户甲{n:02d}")
        SupplierFactory(name=f"供应商乙{n:02d}")
    owner_client.get(path)  # warm-up: the session, the user's permissions
    with django_assert_num_queries(queries):
        page = owner_client.get(path).content.decode()
    assert page.count("客户甲") <= 1  # at most the one typed into a filter
    assert page.count("供应商乙") <= 1
    party = "supplier" if path.startswith("/purchasing") else "customer"
    assert f'<select name="{party}"' not in page


def test_purchase_price_lookup_takes_the_supplier_as_typed(staff_client, db):
    supplier = SupplierFactory(code="S-ONE", name="一号供应商")
    Product.objects.create(
        sku="PEN1", name="笔", unit="支", purchase_price=D("2.50"), search_text="pen1"
    )
    for typed in ("S-ONE", "S-ONE 一号供应商", "一号"):
        answer = staff_client.get(
            "/purchasing/price/", {"supplier_code": typed, "product": "PEN1"}
        ).json()
        assert answer["price"] == "2.50", typed
    answer = staff_client.get(
        "/purchasing/price/", {"supplier_code": "nobody", "product": "PEN1"}
    ).json()
    assert answer == {"price": None}
    assert Supplier.objects.get() == supplier


def test_a_filtered_list_pages_while_its_export_has_every_row(owner_client, owner, pc):
    import io

    import openpyxl

    from sales.tests.factories import draft

    for _n in range(51):
        draft(owner, [(pc, 1)])  # the walk-in customer's
    wang = CustomerFactory(code="C-WANG", name="王记超市")
    for _n in range(52):
        draft(owner, [(pc, 1)], customer=wang)
    page = owner_client.get("/sales/", {"customer": "王记超市"}).content.decode()
    assert page.count('<tr><td class="text-nowrap">') == 50
    assert "?customer=" in page and "page=2" in page
    export = owner_client.get("/sales/order/export/", {"customer": "王记超市"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 2 + 52  # title, header, every one of the customer's orders
