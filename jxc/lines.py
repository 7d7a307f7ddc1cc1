"""What every document line shares: its amount, and a form of one quantity per
line (ship, return, count, order...). Imports no app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

from django import forms
from django.core.exceptions import ValidationError

from jxc.decimals import (
    money,
)
from jxc.fields import money_field, quantity_field
from jxc.forms import InputRulesMixin
from jxc.units import InexactConversion, to_base

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def line_amount(quantity: Decimal, price: Decimal, discount: Decimal = ZERO) -> Decimal:
    """quantity × price × (1 − discount %), rounded half-up to the fen once, as
    every document line (and the total the page shows while typing) is."""
    return money(quantity * price * (HUNDRED - discount) / HUNDRED)


def lines_total(amounts: Sequence[Decimal]) -> Decimal:
    """A document's total: the sum of its lines' rounded amounts."""
    return sum(amounts, ZERO)


# The most lines a document form holds (the sales formsets' max_num).
MAX_LINES = 300

# How the page's numbers are read back, as the document forms read them.
_QUANTITY = quantity_field(min_value=ZERO)
_MONEY = money_field()
_DISCOUNT = forms.DecimalField(
    required=False, min_value=ZERO, max_value=HUNDRED, max_digits=5, decimal_places=2
)


def _read(field: forms.DecimalField, text: str | None) -> Decimal | None:
    try:
        return field.clean(text)
    except ValidationError:
        return None


@dataclass(frozen=True)
class AmountsPreview:
    """What a document form shows while a clerk types: each line's amount (None
    for a line not filled in, or not a valid number yet), the total, and the
    change due on the amount received (None when nothing was received)."""

    amounts: list[Decimal | None]
    total: Decimal
    change: Decimal | None


def amounts_preview(
    quantities: Sequence[str],
    prices: Sequence[str],
    discounts: Sequence[str] = (),
    received: str | None = None,
) -> AmountsPreview:
    """The line amounts, total and change due of lines as typed (text, in page
    order), computed by ``line_amount`` exactly as the posted document will be."""
    amounts = []
    rows = zip_longest(quantities, prices, discounts, fillvalue="")
    for quantity, price, discount in list(rows)[:MAX_LINES]:
        quantity, price = _read(_QUANTITY, quantity), _read(_MONEY, price)
        off = _read(_DISCOUNT, discount) if discount else ZERO
        amounts.append(
            line_amount(quantity, price, off)
            if None not in (quantity, price, off)
            else None
        )
    total = lines_total([amount for amount in amounts if amount is not None])
    paid = _read(_MONEY, received) if received else None
    return AmountsPreview(amounts, total, None if paid is None else paid - total)


class LineQuantitiesForm(InputRulesMixin, forms.Form):
    """One optional quantity field per line, named ``<field_prefix>_<line.pk>``.

    ``lines`` are any objects with a ``pk`` (document lines, products); a subclass
    names its fields (``field_prefix``) and may give a label and a starting value
    per line. Mix it in before another form class to add the document's own fields.
    """

    field_prefix = "quantity"
    css_class = "form-control num"

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[self.field_name(line)] = quantity_field(
                label=self.line_label(line),
                required=False,
                min_value=ZERO,
                initial=self.line_initial(line),
                widget=forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "class": self.css_class,
                    }
                ),
            )
            if self.base_unit_too and self.line_factor(line) is not None:
                # A line in 箱 also takes base units (瓶): 1 箱 + 5 瓶, or just
                # 1 瓶 of a 24-瓶 箱 (which is no exact number of 箱).
                self.fields[self.base_name(line)] = quantity_field(
                    label=f"{line.product.name} ({line.product.unit})",
                    required=False,
                    min_value=ZERO,
                    initial=self.line_base_initial(line),
                    widget=forms.NumberInput(
                        attrs={
                            "step": "any",
                            "inputmode": "decimal",
                            "class": self.css_class,
                        }
                    ),
                )

    # Lines entered in a package unit get a second field in the base unit.
    base_unit_too = False

    def field_name(self, line) -> str:
        return f"{self.field_prefix}_{line.pk}"

    def base_name(self, line) -> str:
        return f"{self.field_name(line)}_base"

    def line_base_initial(self, line) -> str | None:
        return None

    @staticmethod
    def line_factor(line) -> Decimal | None:
        """The factor of a document line entered in a package unit (the typed
        quantity is in that unit: 1 箱 of a line in 箱); None: the base unit."""
        return line.unit_factor if getattr(line, "unit_id", None) else None

    def in_line_unit(self, line, base: Decimal) -> str:
        """``base`` as typed in the line's unit: 48 瓶 of a line in 箱 of 24 →
        "2"; what does not divide exactly, the whole packages."""
        factor = self.line_factor(line)
        value = base if factor is None else base / factor
        if factor is not None and value != value.quantize(Decimal("0.001")):
            value = base // factor
        return format(value.normalize(), "f")

    def rest_in_base(self, line, base: Decimal) -> str | None:
        """What ``in_line_unit`` leaves out, in the base unit (29 瓶 of 箱 24 →
        "5"); None: nothing."""
        factor = self.line_factor(line)
        if factor is None or base / factor == (base / factor).quantize(
            Decimal("0.001")
        ):
            return None
        return format((base - (base // factor) * factor).normalize(), "f")

    def clean(self):
        data = super().clean()
        for line in self.lines:
            name, factor = self.field_name(line), self.line_factor(line)
            if factor is None:
                continue
            typed = data.get(name)
            if typed:
                try:
                    typed = to_base(typed, factor)
                except InexactConversion as problem:
                    self.add_error(name, str(problem))
                    continue
            extra = data.get(self.base_name(line)) if self.base_unit_too else None
            if extra:
                typed = (typed or ZERO) + extra  # 箱 × factor + 瓶
            data[name] = typed
        return data

    def line_label(self, line) -> str:
        if self.line_factor(line) is not None:
            return f"{line.product.name} ({line.unit_name})"
        return line.product.name

    def line_initial(self, line) -> str | None:
        return None

    def entered(self) -> dict[int, Decimal | None]:
        """Every line's quantity as typed (None: left empty), in the base unit (a
        line in 箱 is typed in 箱)."""
        return {
            line.pk: self.cleaned_data.get(self.field_name(line)) for line in self.lines
        }

    def quantities(self) -> dict[int, Decimal]:
        """The lines given a quantity above zero."""
        return {pk: quantity for pk, quantity in self.entered().items() if quantity}

    def rows(self) -> list[tuple[object, forms.BoundField]]:
        """(line, its field) per line; ``line.base_field`` is its field in the
        base unit (None: none)."""
        found = []
        for line in self.lines:
            base = self.base_name(line)
            line.base_field = self[base] if base in self.fields else None
            found.append((line, self[self.field_name(line)]))
        return found
