"""Form fields shared by every app."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from jxc.decimals import (
    COST_DIGITS,
    COST_PLACES,
    MAX_PRICE,
    MAX_QUANTITY,
    MONEY_DIGITS,
    PRICE_PLACES,
    QUANTITY_DIGITS,
    QUANTITY_PLACES,
)
from jxc.widgets import DateInput

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


class BusinessDateField(forms.DateField):
    """A document date between 2000 and 2100, with the browser's date picker."""

    widget = DateInput
    default_error_messages = {"out_of_range": _("Choose a date between 2000 and 2100.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        message = self.error_messages["out_of_range"]
        self.validators += [
            MinValueValidator(FIRST_DAY, message=message),
            MaxValueValidator(LAST_DAY, message=message),
        ]


RECORD_ID = re.compile(r"[0-9]{1,12}")


class RecordsField(forms.ModelMultipleChoiceField):
    """Several records chosen by id. An id no table holds (10^20, "²", "-1") is
    an invalid choice: Django would send it to the database, where SQLite cannot
    hold it as an integer."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if not RECORD_ID.fullmatch(str(pk)):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


# --- numbers: the form side of jxc.models' quantity_field / money_field / cost_field


def _number_input(step: str, **attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": step, "inputmode": "decimal", **attrs})


def quantity_field(*, min_value=Decimal("0.001"), **kwargs) -> forms.DecimalField:
    """A quantity a document line holds: above zero (or ``min_value``), at most 3
    decimals and what the column holds."""
    kwargs.setdefault("widget", _number_input("any"))
    return forms.DecimalField(
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        min_value=min_value,
        validators=[MaxValueValidator(MAX_QUANTITY)],
        **kwargs,
    )


def money_field(*, attrs=None, **kwargs) -> forms.DecimalField:
    """A price or an amount of money: not negative, 2 decimals, at most ¥99,999,999.99.
    ``attrs``: the input's attributes (default: a line's price input)."""
    kwargs.setdefault(
        "widget", _number_input("0.01", **(attrs or {"class": "line-price"}))
    )
    return forms.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=PRICE_PLACES,
        min_value=0,
        validators=[MaxValueValidator(MAX_PRICE)],
        **kwargs,
    )


def cost_field(**kwargs) -> forms.DecimalField:
    """A unit cost: not negative, up to 4 decimals, at most a price's maximum."""
    kwargs.setdefault("widget", _number_input("any"))
    return forms.DecimalField(
        max_digits=COST_DIGITS,
        decimal_places=COST_PLACES,
        min_value=0,
        validators=[MaxValueValidator(MAX_PRICE)],
        **kwargs,
    )
