"""The purchase-price lookup behind the purchase order form (issue 14): it answers
only for an existing active supplier and product, and only to users who may enter
purchase orders."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/purchasing/price/"


@pytest.fixture
def pencil():
    return ProductFactory(sku="PEN1", name="铅笔", purchase_price=D("2.50"))


@pytest.fixture
def supplier():
    return SupplierFactory(code="S-ONE", name="一号供应商")


def test_answers_for_an_active_supplier_and_product(staff_client, pencil, supplier):
    answer = staff_client.get(URL, {"supplier": supplier.pk, "product": "PEN1"}).json()
    assert answer["price"] == "2.50"


def test_refuses_a_supplier_that_does_not_exist(staff_client, pencil, supplier):
    answer = staff_client.get(
        URL, {"supplier": supplier.pk + 1000, "product": "PEN1"}
    ).json()
    assert answer == {"price": None}


def test_refuses_a_deactivated_supplier(staff_client, pencil, supplier):
    supplier.is_active = False
    supplier.save()
    assert staff_client.get(
        URL, {"supplier": supplier.pk, "product": "PEN1"}
    ).json() == {"price": None}
    assert staff_client.get(
        URL, {"supplier_code": "S-ONE", "product": "PEN1"}
    ).json() == {"price": None}


def test_refuses_a_deactivated_product(staff_client, pencil, supplier):
    pencil.is_active = False
    pencil.save()
    answer = staff_client.get(URL, {"supplier": supplier.pk, "product": "PEN1"}).json()
    assert answer == {"price": None}


def test_refuses_a_product_that_does_not_exist(staff_client, supplier):
    answer = staff_client.get(URL, {"supplier": supplier.pk, "product": "NOPE"}).json()
    assert answer == {"price": None}


def test_refuses_a_user_who_may_only_view_purchase_orders(client, pencil, supplier):
    viewer = UserFactory(username="bookkeeper")
    viewer.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="purchasing", codename="view_purchaseorder"
        )
    )
    client.force_login(viewer)
    response = client.get(URL, {"supplier": supplier.pk, "product": "PEN1"})
    assert response.status_code == 403
    assert b"2.50" not in response.content


def test_refuses_a_user_without_purchase_permissions(client, pencil, supplier):
    client.force_login(UserFactory(username="nobody"))
    response = client.get(URL, {"supplier": supplier.pk, "product": "PEN1"})
    assert response.status_code == 403


def test_the_owner_gets_an_answer(owner_client, pencil, supplier):
    answer = owner_client.get(
        reverse("purchasing:last_price"), {"supplier": supplier.pk, "product": "PEN1"}
    ).json()
    assert answer["price"] == "2.50"
