"""Validation and layout of the master-data forms; services do the saving."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    UNIT_SUGGESTIONS,
    Attribute,
    AttributeValue,
    Category,
    Customer,
    PackageUnit,
    PriceLevel,
    Product,
    Shop,
    ShopProfile,
    Style,
    Supplier,
    Warehouse,
)
from catalog.pinyin import fold_code
from catalog.plu import plu_canonical, plu_digits, plu_holders, plu_problem
from jxc.fields import money_field
from jxc.formatting import plain
from jxc.forms import InputRulesMixin

# accounts.roles.STAFF (catalog imports no other app of the project).
STAFF_GROUP = "staff"


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
        unit = _clash(PackageUnit, "barcode", barcode, None)
        if unit:
            raise forms.ValidationError(
                _("Barcode “%(code)s” is already the %(unit)s of “%(name)s”."),
                params={"code": barcode, "unit": unit.name, "name": unit.product.name},
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
        fields = [*PartyForm.Meta.fields, "price_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_level"].empty_label = _("Sale price (no level)")
        self.helper.layout.append("price_level")


class WarehouseForm(InputRulesMixin, forms.ModelForm):
    make_default = forms.BooleanField(
        label=_("Default warehouse"),
        required=False,
        help_text=_("Documents start with this warehouse selected."),
    )

    class Meta:
        model = Warehouse
        fields = ["code", "name", "shop", "address", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["make_default"].initial = self.instance.is_default
        shop = self.fields["shop"]
        # Left out (an older form, a one-shop business): the warehouse keeps its
        # shop, or joins the only shop there is.
        shop.required, shop.empty_label = False, None
        shop.queryset = Shop.objects.filter(is_active=True) | Shop.objects.filter(
            pk=self.instance.shop_id
        )
        self.helper = _helper()

    def clean_shop(self):
        shop = self.cleaned_data.get("shop") or self.instance.shop
        if shop is None:
            shops = list(Shop.objects.filter(is_active=True)[:2])
            if len(shops) != 1:
                raise forms.ValidationError(_("Choose the shop this warehouse is in."))
            shop = shops[0]
        return shop

    def clean_code(self):
        code = self.cleaned_data["code"]
        other = _clash(Warehouse, "code", code, self.instance)
        if other:
            raise forms.ValidationError(
                _("Code “%(code)s” is already used by “%(name)s”."),
                params={"code": code, "name": other.name},
            )
        return code

    def clean_name(self):
        name = self.cleaned_data["name"]
        if other := _clash(Warehouse, "name", name, self.instance):
            raise forms.ValidationError(
                _("A warehouse named “%(name)s” already exists."),
                params={"name": other.name},
            )
        return name


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

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone and not phone_number_ok(phone):
            raise forms.ValidationError(
                _(
                    "“%(phone)s” is not a phone number: use 7 to 15 digits, with "
                    "spaces, dashes or brackets if you like (e.g. 0571-8888 6666)."
                ),
                params={"phone": phone},
            )
        return phone


def phone_number_ok(phone: str) -> bool:
    """A phone as people write it: an optional leading +, digits, spaces, dashes
    and brackets, 7 to 15 digits, and perhaps an extension (转 12, ext 12)."""
    number = re.sub(r"\s*(转|ext\.?|x)\s*[0-9]{1,6}$", "", phone.strip())
    digits = sum(char.isascii() and char.isdigit() for char in number)
    return bool(re.fullmatch(r"\+?[0-9 ()\-]+", number)) and 7 <= digits <= 15


# --- price levels, styles, attributes, package units, labels ----------------------


class PriceLevelForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = PriceLevel
        fields = ["name", "sort_order", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.helper = _helper()

    def clean_name(self):
        name = self.cleaned_data["name"]
        if other := _clash(PriceLevel, "name", name, self.instance):
            raise forms.ValidationError(
                _("A price level named “%(name)s” already exists."),
                params={"name": other.name},
            )
        return name


VALUE_LINE = re.compile(r"^(\S+)\s+(.+)$")


class AttributeForm(InputRulesMixin, forms.ModelForm):
    """An attribute and its values, one per line: "code name" (RED 红色)."""

    values_text = forms.CharField(
        label=_("Values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off"}),
        help_text=_(
            "One value per line in the order you list them: a code for the SKU, "
            "a space, the name (RED 红色, XL 加大)."
        ),
    )

    class Meta:
        model = Attribute
        fields = ["name", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        if self.instance.pk:
            self.fields["values_text"].initial = "\n".join(
                f"{value.code} {value.name}" for value in self.instance.values.all()
            )
        self.helper = _helper()

    def clean_name(self):
        name = self.cleaned_data["name"]
        if other := _clash(Attribute, "name", name, self.instance):
            raise forms.ValidationError(
                _("An attribute named “%(name)s” already exists."),
                params={"name": other.name},
            )
        return name

    def clean_values_text(self):
        values = []
        for number, line in enumerate(self.cleaned_data["values_text"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            found = VALUE_LINE.match(line)
            code = fold_code(found.group(1)) if found else ""
            name = found.group(2).strip() if found else ""
            if not found or len(code) > 16 or len(name) > 32 or "-" in code:
                raise forms.ValidationError(
                    _(
                        "Line %(line)d: “%(text)s” is not “code name” (a code of at "
                        "most 16 characters without “-”, a space, a name of at most "
                        "32)."
                    ),
                    params={"line": number, "text": line[:40]},
                )
            values.append((code, name))
        return values


class ValuesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, value):
        return f"{value.attribute.name}: {value.name} ({value.code})"


class StyleForm(InputRulesMixin, forms.ModelForm):
    values = ValuesField(
        label=_("Comes in"),
        queryset=AttributeValue.objects.select_related("attribute"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the colours, sizes … this style is made in."),
    )

    class Meta:
        model = Style
        fields = [
            "code", "name", "category", "unit", "supplier", "purchase_price",
            "sale_price", "note",
        ]  # fmt: skip
        widgets = {
            "unit": forms.TextInput(attrs={"list": "unit-suggestions"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True
        self.fields["supplier"].queryset = Supplier.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.supplier_id)
        )
        if self.instance.pk:
            self.fields["values"].initial = list(
                self.instance.values.values_list("pk", flat=True)
            )
        self.helper = _helper(
            Row(
                Column("code", css_class="col-md-4"),
                Column("name", css_class="col-md-8"),
            ),
            Row(
                Column("category", css_class="col-md-4"),
                Column("unit", css_class="col-md-2"),
                Column("supplier", css_class="col-md-6"),
            ),
            Row(
                Column("purchase_price", css_class="col-md-6"),
                Column("sale_price", css_class="col-md-6"),
            ),
            Field("values"),
            Field("note"),
        )
        self.unit_suggestions = UNIT_SUGGESTIONS

    def clean_code(self):
        code = fold_code(self.cleaned_data["code"])
        if "-" in code:
            raise forms.ValidationError(_("A style code cannot contain “-”."))
        if other := _clash(Style, "code", code, self.instance):
            raise forms.ValidationError(
                _("Style code “%(code)s” is already used by “%(name)s”."),
                params={"code": code, "name": other.name},
            )
        return code


class GenerateForm(InputRulesMixin, forms.Form):
    instore_barcodes = forms.BooleanField(
        label=_("Give the new variants in-store barcodes"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class PackageUnitForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = PackageUnit
        fields = ["name", "factor", "barcode", "sale_price"]
        widgets = {
            "name": forms.TextInput(attrs={"list": "unit-suggestions"}),
            "barcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        if self.instance.pk:
            self.initial["factor"] = plain(self.instance.factor)
        self.fields["factor"].widget.attrs.update({"min": "0.001", "step": "any"})
        self.fields["sale_price"].widget.attrs.update({"min": "0", "step": "0.01"})

    def clean_barcode(self):
        return fold_code(self.cleaned_data["barcode"])

    def clean_factor(self):
        from jxc.units import factor_problem

        factor = self.cleaned_data["factor"]
        if factor is not None and (problem := factor_problem(factor)):
            raise forms.ValidationError(problem)
        return factor

    def validate_unique(self):
        """The service checks names and barcodes over the whole set, under a lock."""


PackageUnitFormSet = forms.inlineformset_factory(
    Product,
    PackageUnit,
    form=PackageUnitForm,
    extra=2,
    max_num=10,
    validate_max=True,
    can_delete=True,
)


class LevelPricesForm(InputRulesMixin, forms.Form):
    """One price per price level (and per package unit) of a product; empty: the
    sale price applies."""

    def __init__(self, *args, product, levels, units, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for level in levels:
            for unit in [None, *units]:
                name = f"price_{level.pk}_{unit.pk if unit else 0}"
                self.fields[name] = money_field(
                    label=f"{level.name} / {unit.name if unit else product.unit}",
                    required=False,
                    attrs={"min": "0", "class": "form-control"},
                )
                self.fields[name].initial = current.get(
                    (level.pk, unit.pk if unit else None)
                )
                self.cells.append((name, level.pk, unit.pk if unit else None))

    def prices(self) -> dict:
        return {
            (level_pk, unit_pk): self.cleaned_data.get(name)
            for name, level_pk, unit_pk in self.cells
        }


class InstorePrefixForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = ShopProfile
        fields = ["instore_prefix"]
        widgets = {
            "instore_prefix": forms.TextInput(
                attrs={"class": "form-control", "inputmode": "numeric"}
            )
        }


LABEL_SIZES = [
    ("40x30", _("Label 40 × 30 mm")),
    ("50x30", _("Label 50 × 30 mm")),
    ("60x40", _("Label 60 × 40 mm")),
    ("a4", _("A4 sheet, 65 labels (38 × 21 mm)")),
]


class LabelsForm(InputRulesMixin, forms.Form):
    """What to print: a size, and how many labels of each product."""

    size = forms.ChoiceField(label=_("Label size"), choices=LABEL_SIZES)
    show_price = forms.BooleanField(label=_("Print the price"), required=False)

    def __init__(self, *args, products=(), **kwargs):
        """``products``: LabelItems (a product, or a package unit of one)."""
        super().__init__(*args, **kwargs)
        self.rows = []
        for product in products:
            name = product.key
            self.fields[name] = forms.IntegerField(
                label=product.product.name,
                min_value=0,
                max_value=500,
                initial=1,
                required=False,
            )
            self.fields[name].widget.attrs.update(
                {"inputmode": "numeric", "class": "form-control form-control-sm"}
            )
            self.rows.append((product, name, self.initial.get(name, 1)))

    def counts(self) -> list[tuple]:
        return [
            (product, self.cleaned_data[name])
            for product, name, _initial in self.rows
            if self.cleaned_data.get(name)
        ]


class ShopForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = Shop
        fields = ["code", "name", "address", "phone", "is_active", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        help_texts = {
            "members": _(
                "The clerks who sell, receive and count in this shop. The owner "
                "sees every shop."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=STAFF_GROUP)
            .order_by("username")
        )
        self.fields["members"].label_from_instance = _member_label
        self.helper = _helper()

    def clean_code(self):
        code = self.cleaned_data["code"]
        other = _clash(Shop, "code", code, self.instance)
        if other:
            raise forms.ValidationError(
                _("Code “%(code)s” is already used by “%(name)s”."),
                params={"code": code, "name": other.name},
            )
        return code


def _member_label(user) -> str:
    name = user.get_full_name()
    return f"{user.username}（{name}）" if name else user.username
