"""Validation and layout of the master-data forms; services do the saving."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    UNIT_SUGGESTIONS,
    Category,
    Customer,
    Product,
    ShopProfile,
    Supplier,
    Warehouse,
)
from catalog.pinyin import fold_code
from catalog.plu import plu_canonical, plu_digits, plu_holders, plu_problem
from jxc.forms import InputRulesMixin


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _clash(model, field: str, value: str, instance) -> object | None:
    """The other record already holding ``value`` in ``field`` (ignoring case)."""
    if not value:
        return None
    others = model.objects.annotate(_v=Lower(field)).filter(_v=value.lower())
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    return others.first()


class ProductForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "sku", "name", "barcode", "plu", "category", "unit", "spec",
            "purchase_price", "sale_price", "min_price", "safety_stock",
            "reorder_quantity", "lead_time_days", "preferred_supplier", "is_active",
            "note",
        ]  # fmt: skip
        widgets = {
            "unit": forms.TextInput(attrs={"list": "unit-suggestions"}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "barcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off"}
            ),
            "plu": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current_supplier = self.instance.preferred_supplier_id
        self.fields["preferred_supplier"].queryset = Supplier.objects.filter(
            Q(is_active=True) | Q(pk=current_supplier)
        )
        self.fields["sku"].widget.attrs["autofocus"] = True
        for name in (
            "purchase_price",
            "sale_price",
            "min_price",
            "safety_stock",
            "reorder_quantity",
        ):
            self.fields[name].widget.attrs.update({"min": "0", "inputmode": "decimal"})
        self.helper = _helper(
            Fieldset(
                "",
                Row(
                    Column("sku", css_class="col-md-4"),
                    Column("name", css_class="col-md-8"),
                ),
                Row(
                    Column("barcode", css_class="col-md-3"),
                    Column("plu", css_class="col-md-2"),
                    Column("category", css_class="col-md-3"),
                    Column("unit", css_class="col-md-2"),
                    Column("spec", css_class="col-md-2"),
                ),
                Row(
                    Column("purchase_price", css_class="col-md-3"),
                    Column("sale_price", css_class="col-md-3"),
                    Column("min_price", css_class="col-md-3"),
                    Column("preferred_supplier", css_class="col-md-3"),
                ),
                Row(
                    Column("safety_stock", css_class="col-md-4"),
                    Column("reorder_quantity", css_class="col-md-4"),
                    Column("lead_time_days", css_class="col-md-4"),
                ),
                Field("note"),
                Field("is_active"),
            ),
        )
        self.unit_suggestions = UNIT_SUGGESTIONS

    def clean_sku(self):
        sku = fold_code(self.cleaned_data["sku"])
        other = _clash(Product, "sku", sku, self.instance)
        if other:
            raise forms.ValidationError(
                _("SKU “%(sku)s” is already used by “%(name)s”."),
                params={"sku": sku, "name": other.name},
            )
        return sku

    def clean_barcode(self):
        barcode = fold_code(self.cleaned_data["barcode"])
        other = _clash(Product, "barcode", barcode, self.instance)
        if other:
            raise forms.ValidationError(
                _("Barcode “%(code)s” is already used by “%(name)s” (%(sku)s)."),
                params={"code": barcode, "name": other.name, "sku": other.sku},
            )
        return barcode

    def clean_plu(self):
        value = fold_code(self.cleaned_data["plu"])
        if problem := plu_problem(value, plu_digits()):
            raise forms.ValidationError(problem)
        value = plu_canonical(value)
        other = plu_holders([value]).get(value) if value else None
        if other and other.pk != self.instance.pk:
            raise forms.ValidationError(
                _("PLU %(plu)s is already used by “%(name)s” (%(sku)s)."),
                params={"plu": value, "name": other.name, "sku": other.sku},
            )
        return value

    def clean(self):
        data = super().clean()
        floor, sale = data.get("min_price"), data.get("sale_price")
        if floor is not None and sale is not None and floor > sale:
            self.add_error(
                "min_price",
                _("The minimum sale price is above the sale price (¥%(sale)s).")
                % {"sale": f"{sale:,.2f}"},
            )
        return data

    def sells_below_cost(self) -> bool:
        data = self.cleaned_data
        sale, cost = data.get("sale_price"), data.get("purchase_price")
        return bool(sale is not None and cost and sale < cost)


class CategoryForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "parent", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = Category.objects.exclude(
                pk=self.instance.pk
            )
        self.helper = _helper()

    def clean_name(self):
        name = self.cleaned_data["name"]
        other = _clash(Category, "name", name, self.instance)
        if other:
            raise forms.ValidationError(
                _("A category named “%(name)s” already exists."),
                params={"name": other.name},
            )
        return name


class PartyForm(InputRulesMixin, forms.ModelForm):
    """Supplier or customer: the code must be unique, ignoring case."""

    class Meta:
        fields = ["code", "name", "contact", "phone", "address", "note", "is_active"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True
        self.helper = _helper(
            Row(
                Column("code", css_class="col-md-4"),
                Column("name", css_class="col-md-8"),
            ),
            Row(
                Column("contact", css_class="col-md-4"),
                Column("phone", css_class="col-md-4"),
            ),
            "address",
            "note",
            "is_active",
        )

    def clean_code(self):
        code = self.cleaned_data["code"]
        other = _clash(self._meta.model, "code", code, self.instance)
        if other:
            raise forms.ValidationError(
                _("Code “%(code)s” is already used by “%(name)s”."),
                params={"code": code, "name": other.name},
            )
        return code


class SupplierForm(PartyForm):
    class Meta(PartyForm.Meta):
        model = Supplier


class CustomerForm(PartyForm):
    class Meta(PartyForm.Meta):
        model = Customer


class WarehouseForm(InputRulesMixin, forms.ModelForm):
    make_default = forms.BooleanField(
        label=_("Default warehouse"),
        required=False,
        help_text=_("Documents start with this warehouse selected."),
    )

    class Meta:
        model = Warehouse
        fields = ["code", "name", "address", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["make_default"].initial = self.instance.is_default
        self.helper = _helper()

    def clean_code(self):
        code = self.cleaned_data["code"]
        other = _clash(Warehouse, "code", code, self.instance)
        if other:
            raise forms.ValidationError(
                _("Code “%(code)s” is already used by “%(name)s”."),
                params={"code": code, "name": other.name},
            )
        return code


class ImportForm(InputRulesMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet file"),
        allow_empty_file=True,  # the reader explains an empty file in its own words
        help_text=_("An .xlsx file, or .csv saved by Excel (UTF-8 or GBK)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Upload and check")))
        self.helper.attrs = {"enctype": "multipart/form-data"}


class ShopProfileForm(InputRulesMixin, forms.ModelForm):
    """店铺资料: what the counter slip prints at its top and bottom."""

    class Meta:
        model = ShopProfile
        fields = ["name", "address", "phone", "slip_footer"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.helper = _helper()
