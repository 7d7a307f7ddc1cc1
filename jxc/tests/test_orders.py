"""The shared document kernel: field factories, line checks, the document URLs."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from jxc import fields as form_fields
from jxc import models as kernel
from jxc.orders import OrderStatuses, check_products, check_quantities
from purchasing.models import OrderStatus as PurchaseStatus
from sales.models import OrderStatus as SalesStatus

D = Decimal


class Product:
    def __init__(self, pk, name="apple", is_active=True):
        self.pk, self.name, self.is_active = pk, name, is_active


class Line:
    def __init__(self, quantity, product=None):
        self.quantity, self.product = D(quantity), product or Product(1)


@pytest.mark.parametrize(
    ("model_field", "form_field", "digits", "places"),
    [
        (kernel.quantity_field, form_fields.quantity_field, 14, 3),
        (kernel.money_field, form_fields.money_field, 14, 2),
        (kernel.cost_field, form_fields.cost_field, 16, 4),
    ],
)
def test_models_and_forms_declare_numbers_alike(
    model_field, form_field, digits, places
):
    column, field = model_field("x"), form_field()
    assert (column.max_digits, column.decimal_places) == (digits, places)
    assert (field.max_digits, field.decimal_places) == (digits, places)


@pytest.mark.parametrize("quantity", ["0", "-1", "1.0001", "1000000000", "NaN"])
def test_line_quantities_outside_what_a_line_holds_are_refused(quantity):
    with pytest.raises(ValidationError):
        check_quantities([Line(quantity)])


def test_line_quantities_with_three_decimals_pass():
    check_quantities([Line("0.001"), Line("999999999.999")])


def test_a_product_on_two_lines_or_deactivated_is_refused():
    with pytest.raises(ValidationError):
        check_products([Product(1), Product(1)])
    with pytest.raises(ValidationError):
        check_products([Product(2, is_active=False)])
    with pytest.raises(ValidationError):
        check_products([])


def document_models():
    return [
        model
        for model in apps.get_models()
        if issubclass(model, kernel.NumberedDocument)
    ]


def test_every_document_has_a_page():
    documents = document_models()
    # 11, finance.Payment (收款单 / 付款单), finance.Transfer, finance.CashEntry and
    # inventory.TransferRequest (调拨申请).
    assert len(documents) == 15
    for model in documents:
        document = model(pk=7)
        assert document.get_absolute_url().endswith("/7/"), model


def test_every_document_line_shares_the_line_base():
    lines = [m for m in apps.get_models() if issubclass(m, kernel.DocumentLine)]
    assert len(lines) == 10  # + the transfer request's lines
    for model in lines:
        assert isinstance(model._meta.get_field("quantity"), models.DecimalField)


def test_both_kinds_of_order_name_the_same_steps():
    purchase = OrderStatuses.of(PurchaseStatus)
    sale = OrderStatuses.of(SalesStatus)
    assert (purchase.placed, purchase.done) == ("ordered", "received")
    assert (sale.placed, sale.done) == ("confirmed", "shipped")
    assert purchase.open == ["ordered", "partial"]
    with pytest.raises(ValueError):
        OrderStatuses.of(list(reversed(PurchaseStatus)))
