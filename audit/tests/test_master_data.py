"""Master data and accounts: every create, change and delete leaves an entry with
who, what and old → new; imports leave one per row in one bulk insert."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from accounts.tests.factories import PASSWORD, StaffFactory
from audit.models import Action, AuditEntry
from audit.tests.helpers import actions, last, trail
from catalog import services
from catalog.models import Category, Customer, Product, Supplier, Warehouse
from catalog.tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
)
from jxc.testing.imports import confirm
from purchasing.models import PurchasingSettings

pytestmark = pytest.mark.django_db
D = Decimal

PRODUCT = {
    "sku": "SG001", "name": "红富士苹果", "barcode": "", "unit": "斤", "spec": "",
    "purchase_price": "4.50", "sale_price": "6.80", "safety_stock": "5",
    "reorder_quantity": "10", "lead_time_days": "2", "is_active": "on", "note": "",
}  # fmt: skip


def audit_inserts(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("INSERT") and "audit_auditentry" in query["sql"]
    )


def test_creating_a_product_records_who_and_its_values(owner_client, owner):
    owner_client.post("/catalog/products/new/", PRODUCT)
    product = Product.objects.get(sku="SG001")
    entry = last(product)
    assert (entry.user, entry.action) == (owner, Action.CREATE)
    assert entry.object_label == "SG001 红富士苹果"
    assert entry.changes["name"] == [None, "红富士苹果"]
    assert entry.changes["sale_price"] == [None, "6.80"]


def test_editing_a_product_records_old_and_new_of_what_changed_only(
    owner_client, owner
):
    category = CategoryFactory(name="水果")
    owner_client.post("/catalog/products/new/", PRODUCT)
    product = Product.objects.get()
    owner_client.post(
        f"/catalog/products/{product.pk}/edit/",
        {**PRODUCT, "sale_price": "7.5", "category": category.pk},
    )
    entry = last(product)
    assert (entry.user, entry.action) == (owner, Action.CHANGE)
    assert entry.changes == {"category": [None, "水果"], "sale_price": ["6.80", "7.50"]}
    rows = {str(label): (old, new) for label, old, new in entry.change_rows()}
    assert rows["售价"] == ("6.80", "7.50")


def test_saving_a_product_unchanged_records_nothing(owner_client):
    owner_client.post("/catalog/products/new/", PRODUCT)
    product = Product.objects.get()
    owner_client.post(f"/catalog/products/{product.pk}/edit/", PRODUCT)
    assert actions(product) == [Action.CREATE]


def test_deleting_a_product_keeps_its_entries_and_label(owner_client, owner):
    product = ProductFactory(sku="OLD1", name="旧货")
    pk = product.pk
    owner_client.post(f"/catalog/products/{pk}/delete/")
    assert not Product.objects.filter(pk=pk).exists()
    entry = last(product)
    assert (entry.user, entry.action, entry.object_label) == (
        owner,
        Action.DELETE,
        "OLD1 旧货",
    )


def test_a_refused_delete_records_nothing(owner, warehouse_default):
    with pytest.raises(ValidationError, match="默认仓库不能删除"):
        services.warehouse_delete(warehouse=warehouse_default, user=owner)
    assert not AuditEntry.objects.exists()


def test_a_refused_edit_records_nothing(owner):
    parent = CategoryFactory(name="A")
    child = CategoryFactory(name="B", parent=parent)
    with pytest.raises(ValidationError, match="分类不能放在它自己下面"):
        services.category_save(category=parent, data={"parent": child}, user=owner)
    assert not AuditEntry.objects.exists()


def test_categories_suppliers_customers_record_their_changes(owner_client, owner):
    owner_client.post("/catalog/categories/new/", {"name": "文具", "sort_order": "1"})
    category = Category.objects.get(name="文具")
    owner_client.post(
        f"/catalog/categories/{category.pk}/edit/",
        {"name": "办公文具", "sort_order": "1"},
    )
    assert actions(category) == [Action.CREATE, Action.CHANGE]
    assert last(category).changes == {"name": ["文具", "办公文具"]}

    supplier = SupplierFactory(code="S1", name="鲜果批发", phone="")
    data = {"code": "S1", "name": "鲜果批发", "phone": "13800000000", "is_active": "on"}
    owner_client.post(f"/catalog/suppliers/{supplier.pk}/edit/", data)
    assert last(supplier).changes == {"phone": ["", "13800000000"]}
    assert last(supplier).user == owner

    customer = CustomerFactory(code="C1", name="张三")
    owner_client.post(
        f"/catalog/customers/{customer.pk}/edit/", {"code": "C1", "name": "张三"}
    )
    entry = last(customer)
    assert entry.changes == {"is_active": [True, False]}
    assert [(old, new) for _label, old, new in entry.change_rows()] == [
        (gettext("yes"), gettext("no"))
    ]


def test_making_a_warehouse_the_default_records_both_warehouses(owner_client, owner):
    first = Warehouse.objects.get(is_default=True)
    second = WarehouseFactory(code="WH02", name="后仓")
    owner_client.post(
        f"/catalog/warehouses/{second.pk}/edit/",
        {"code": "WH02", "name": "后仓", "is_active": "on", "make_default": "on"},
    )
    assert last(first).changes == {"is_default": [True, False]}
    assert last(second).changes == {"is_default": [False, True]}
    assert last(second).user == owner


def test_a_product_import_records_every_row_in_one_insert(owner_client, owner):
    ProductFactory(sku="SG001", name="旧名字", sale_price=D("1.00"))
    ProductFactory(sku="SG003", name="不变", sale_price=D("2.00"), category=None)
    data = (
        "商品编码,商品名称,分类,售价\n"
        "sg001,苹果,水果,6.80\n"
        "SG002,香蕉,水果,3.00\n"
        "SG003,不变,,2.00\n"
    ).encode()
    before = AuditEntry.objects.count()
    preview = owner_client.post(
        "/catalog/products/import/", {"file": SimpleUploadedFile("货品.csv", data)}
    )
    assert AuditEntry.objects.count() == before  # a preview writes nothing
    with CaptureQueriesContext(connection) as queries:
        confirm(owner_client, "/catalog/products/import/", preview)
    assert audit_inserts(queries) == 1
    apple, banana = Product.objects.get(sku="SG001"), Product.objects.get(sku="SG002")
    fruit = Category.objects.get(name="水果")
    assert last(apple).action == Action.CHANGE
    assert last(apple).changes["name"] == ["旧名字", "苹果"]
    assert last(apple).changes["sale_price"] == ["1.00", "6.80"]
    assert last(banana).action == Action.CREATE
    assert last(fruit).action == Action.CREATE
    assert {last(r).summary for r in (apple, banana, fruit)} == {"货品.csv"}
    assert {last(r).user for r in (apple, banana, fruit)} == {owner}
    # The unchanged row leaves no entry.
    assert AuditEntry.objects.count() - before == 3


def test_a_refused_import_records_nothing(owner_client):
    data = "商品编码,商品名称,售价\nSG001,苹果,abc\nSG002,梨,1\n".encode()
    owner_client.post(
        "/catalog/products/import/", {"file": SimpleUploadedFile("p.csv", data)}
    )
    assert not Product.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_large_import_writes_its_entries_in_one_insert_per_thousand(owner):
    rows = [{"sku": f"B{n:05d}", "name": f"批量{n}"} for n in range(1500)]
    with CaptureQueriesContext(connection) as queries:
        services.products_import(rows=rows, user=owner, source="big.xlsx")
    assert AuditEntry.objects.filter(action=Action.CREATE).count() == 1500
    if connection.vendor == "postgresql":  # SQLite caps the parameters per insert
        assert audit_inserts(queries) == 2


def test_a_supplier_import_records_every_row_in_one_insert(owner):
    SupplierFactory(code="S1", name="旧名")
    with CaptureQueriesContext(connection) as queries:
        services.parties_import(
            model=Supplier,
            rows=[
                {"code": "s1", "name": "新名"},
                {"code": "S2", "name": "果园"},
            ],
            user=owner,
            source="suppliers.xlsx",
        )
    assert audit_inserts(queries) == 1
    assert last(Supplier.objects.get(code="S1")).changes == {"name": ["旧名", "新名"]}
    assert last(Supplier.objects.get(code="S2")).action == Action.CREATE


def test_walk_in_customer_refusal_records_nothing(owner):
    walk_in = Customer.objects.get(code="RETAIL")
    with pytest.raises(ValidationError, match="零售开单需要零售客户"):
        services.party_save(
            model=Customer, party=walk_in, data={"is_active": False}, user=owner
        )
    assert not AuditEntry.objects.exists()


def test_accounts_record_creation_role_changes_and_passwords(owner_client, owner):
    owner_client.post(
        "/accounts/users/new/",
        {
            "username": "xiaoli",
            "first_name": "小李",
            "role": "staff",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    clerk = get_user_model().objects.get(username="xiaoli")
    created = last(clerk)
    assert (created.user, created.action) == (owner, Action.CREATE)
    assert created.changes["role"] == [None, "店员"]
    assert "password" not in str(created.changes)

    owner_client.post(
        f"/accounts/users/{clerk.pk}/",
        {"first_name": "小李", "role": "owner", "is_active": ""},
    )
    changed = last(clerk)
    assert changed.action == Action.CHANGE
    assert changed.changes == {"is_active": [True, False], "role": ["店员", "店主"]}

    owner_client.post(
        f"/accounts/users/{clerk.pk}/password/",
        {"password1": "another-horse-77", "password2": "another-horse-77"},
    )
    assert (last(clerk).action, last(clerk).user) == (Action.PASSWORD, owner)
    assert last(clerk).changes == {}


def test_changing_ones_own_password_is_recorded(client):
    clerk = StaffFactory(username="clerk2")
    client.force_login(clerk)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "brand-new-horse-88",
            "new_password2": "brand-new-horse-88",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("brand-new-horse-88")
    assert (last(clerk).action, last(clerk).user) == (Action.PASSWORD, clerk)
    # Still signed in: the session follows the new password.
    assert client.get("/").status_code == 200


def test_the_over_receipt_tolerance_records_old_and_new(owner_client, owner):
    owner_client.post("/purchasing/settings/", {"over_receipt_percent": "10"})
    owner_client.post("/purchasing/settings/", {"over_receipt_percent": "10"})
    settings = PurchasingSettings.objects.get()
    assert [(e.user, e.changes) for e in trail(settings)] == [
        (owner, {"over_receipt_percent": [0, 10]})
    ]


@pytest.fixture
def warehouse_default(db):
    return Warehouse.objects.get(is_default=True)


def test_a_default_not_read_back_is_no_change(owner):
    apple = services.product_save(data={"sku": "SG001", "name": "苹果"}, user=owner)
    assert apple.purchase_price == 0 and not isinstance(apple.purchase_price, D)
    services.product_save(product=apple, data={"sale_price": D("7.5")}, user=owner)
    assert last(apple).changes == {"sale_price": ["0.00", "7.50"]}
    assert trail(apple)[0].changes["purchase_price"] == [None, "0.00"]
