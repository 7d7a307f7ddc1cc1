"""The wizard's forms: the shop's own forms where one exists (shop details, new
account), and the few small ones the wizard alone has."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.forms import ProductForm, ShopProfileForm, _clash
from catalog.models import UNIT_SUGGESTIONS, Product, Warehouse
from jxc.fields import cost_field
from jxc.forms import InputRulesMixin
from jxc.lines import LineQuantitiesForm


class ShopStepForm(ShopProfileForm):
    """店铺资料 as the shop page has it, with the name required: slips and
    printouts start with it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True


class WarehouseNameForm(InputRulesMixin, forms.Form):
    """A warehouse's name, new (``warehouse`` empty) or renamed; no two alike
    (ignoring case), as catalog's warehouse form has it."""

    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.all(), required=False, widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("Warehouse name"), max_length=100)

    def clean(self):
        data = super().clean()
        name = data.get("name")
        if name and (other := _clash(Warehouse, "name", name, data.get("warehouse"))):
            self.add_error(
                "name",
                _("A warehouse named “%(name)s” already exists.")
                % {"name": other.name},
            )
        return data


class ProductByHandForm(InputRulesMixin, forms.ModelForm):
    """A product typed by hand: name, unit, sale price and (optional) barcode."""

    class Meta:
        model = Product
        fields = ["name", "unit", "sale_price", "barcode"]
        widgets = {
            "unit": forms.TextInput(attrs={"list": "unit-suggestions"}),
            "barcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off"}
            ),
        }

    # The product form's check: a barcode no product or package unit holds.
    clean_barcode = ProductForm.clean_barcode

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["sale_price"].widget.attrs.update(
            {"min": "0", "inputmode": "decimal"}
        )
        self.unit_suggestions = UNIT_SUGGESTIONS


class OpeningQuantitiesForm(LineQuantitiesForm):
    """One quantity per product just added, into one warehouse."""

    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True),
        empty_label=None,
    )
    submission = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for product in self.lines:
            self.fields[f"cost_{product.pk}"] = cost_field(
                label=_("Unit cost of %(name)s") % {"name": product.name},
                required=False,
                initial=product.purchase_price or None,
                widget=forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "class": "form-control num",
                    }
                ),
            )

    def line_label(self, line) -> str:
        return line.name

    def costed(self) -> dict[int, tuple[Decimal, Decimal]]:
        """(quantity, unit cost) of each product given a quantity; a cost left
        empty is the product's purchase price."""
        by_pk = {product.pk: product for product in self.lines}
        return {
            pk: (
                quantity,
                self.cleaned_data.get(f"cost_{pk}") or by_pk[pk].purchase_price,
            )
            for pk, quantity in self.quantities().items()
        }

    def rows(self):
        return [
            (product, quantity, self[f"cost_{product.pk}"])
            for product, quantity in super().rows()
        ]
