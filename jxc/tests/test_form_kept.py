"""A form whose save meets a database failure comes back with what was typed and
a "not saved, try again" message, instead of the bare 503 page (jxc.documents.
form_kept). The faults are real where PostgreSQL can make them: a row another
session holds locked past the lock timeout."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.test import Client

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from jxc.documents import NotSaved, not_saved
from jxc.tests.snapshot import everything

pytestmark = pytest.mark.django_db(transaction=True)
BUSY = "未保存任何内容：数据库正忙于处理其他单据的过账。请稍后重试。"
LOST = "未保存：与数据库的连接中断了。"


def product_form(product, **changes):
    data = {
        "sku": product.sku,
        "name": product.name,
        "barcode": "",
        "category": product.category_id or "",
        "unit": product.unit,
        "spec": "",
        "purchase_price": "4.50",
        "sale_price": "6.80",
        "safety_stock": "0",
        "reorder_quantity": "0",
        "lead_time_days": "0",
        "preferred_supplier": "",
        "is_active": "on",
        "note": "",
    }
    return {**data, **changes}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="lock_timeout is PostgreSQL's"
)
def test_a_product_edit_that_meets_a_locked_row_keeps_what_was_typed(owner):
    product = ProductFactory(name="苹果", sale_price=Decimal("5"))
    client = Client()
    client.force_login(owner)
    client.get(f"/catalog/products/{product.pk}/edit/")
    with connection.cursor() as cursor:  # the client's requests run on this one
        cursor.execute("SET lock_timeout = '300ms'")
    held, release = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            Product.objects.select_for_update().get(pk=product.pk)
            held.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert held.wait(10)
        before = everything()
        response = client.post(
            f"/catalog/products/{product.pk}/edit/",
            product_form(product, name="红富士苹果", sale_price="7.20"),
        )
    finally:
        release.set()
        holder.join(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = DEFAULT")

    assert response.status_code == 200
    html = response.content.decode()
    assert BUSY in html
    assert 'value="红富士苹果"' in html and 'value="7.20"' in html
    assert everything() == before
    product.refresh_from_db()
    assert (product.name, product.sale_price) == ("苹果", Decimal("5"))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a server that vanished mid-statement is psycopg's OperationalError",
)
def test_a_new_account_whose_save_loses_the_connection_keeps_the_form(owner):
    client = Client()
    client.force_login(owner)
    data = {
        "username": "xiaowang",
        "first_name": "小王",
        "role": "staff",
        "password1": "Counter-Shift-2026",
        "password2": "Counter-Shift-2026",
    }

    with mock.patch(
        "accounts.services.user_create",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post("/accounts/users/new/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert LOST in html
    assert 'value="xiaowang"' in html and 'value="小王"' in html
    assert not get_user_model().objects.filter(username="xiaowang").exists()


def test_a_post_that_still_fails_says_what_was_typed_is_in_the_browser(owner):
    """Where no form can be rebuilt (the failure is outside one), the 503 page
    of a POST says nothing was saved and that Back returns to the typing."""
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    with mock.patch(
        "accounts.views.services.account_unlock",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post(f"/accounts/users/{owner.pk}/unlock/")

    assert response.status_code == 503
    html = response.content.decode()
    assert "您提交的内容都没有保存。按浏览器的“后退”按钮可回到表单" in html


@pytest.mark.parametrize(
    ("url", "service", "data", "typed"),
    [
        (
            "/inventory/settings/",
            "inventory.views.documents.inventory_settings_save",
            {
                "staff_backdate_days": "3",
                "stocktake_threshold_percent": "17",
                "stocktake_threshold_amount": "500",
            },
            'value="17"',
        ),
        (
            "/purchasing/settings/",
            "purchasing.views.services.purchasing_settings_save",
            {"over_receipt_percent": "13", "price_band_factor": "1.7"},
            'value="13"',
        ),
        (
            "/sales/settings/",
            "sales.views.services.sales_settings_save",
            {"reservation_expiry_days": "11"},
            'value="11"',
        ),
    ],
)
@pytest.mark.parametrize("failure", ["not_saved", "operational"])
def test_a_settings_form_that_is_not_saved_keeps_what_was_typed(
    owner, url, service, data, typed, failure
):
    """A posting service's NotSaved used to escape these views as a 500."""
    if failure == "operational" and connection.vendor != "postgresql":
        pytest.skip("a server that vanished mid-statement is psycopg's error")
    client = Client()
    client.force_login(owner)
    error = (
        NotSaved(not_saved("busy"), reason="busy")
        if failure == "not_saved"
        else OperationalError("server closed the connection unexpectedly")
    )

    with mock.patch(service, side_effect=error):
        response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert (BUSY if failure == "not_saved" else LOST) in html
    assert typed in html
