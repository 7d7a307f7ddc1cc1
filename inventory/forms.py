"""Forms of the inventory pages; the services do every write."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from catalog.forms import ImportForm
from catalog.models import Category, PackageUnit, Warehouse
from catalog.pinyin import fold_code
from catalog.selectors import product_by_code, sellable_by_code
from catalog.shops import warehouses_for
from inventory.models import AdjustmentReason, InventorySettings
from inventory.selectors import document_date_problem
from jxc.fields import RecordsField, cost_field, quantity_field
from jxc.forms import InputRulesMixin
from jxc.inputs import OUT_OF_DATE
from jxc.lines import LineQuantitiesForm
from jxc.units import InexactConversion, to_base
from jxc.widgets import DateInput

OUT_REASONS = {
    AdjustmentReason.DAMAGED,
    AdjustmentReason.EXPIRED,
    AdjustmentReason.LOST,
}


def active_warehouses():
    return Warehouse.objects.filter(is_active=True)


class ProductCodeField(forms.CharField):
    """A product typed or scanned as SKU or barcode; resolves to an active product."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Product (SKU or barcode)"))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"list": "product-options", "autocomplete": "off", "class": "product-code"}
        )

    def clean(self, value):
        # A package's barcode (a 箱 scanned) names its product; the form reads
        # the package from ``scanned_unit`` (ProductLineForm: the line's unit).
        self.scanned_unit = None
        code = fold_code(super().clean(value))
        if not code:
            return None
        product = product_by_code(code)  # several matching: refused, naming them
        if product is None and (found := sellable_by_code(code)):
            product, self.scanned_unit = found.product, found.unit
        if product is None:
            raise forms.ValidationError(
                _("No product has the SKU or barcode “%(code)s”."),
                params={"code": code},
            )
        if not product.is_active:
            raise forms.ValidationError(
                _("“%(name)s” is deactivated."), params={"name": product.name}
            )
        return product


class LineFormSet(forms.BaseFormSet):
    """Document lines: blank rows are ignored, at least one line is needed.

    A line count past the most a document takes is refused before a form is made
    for each line: a tampered count of a million would otherwise build (and show)
    max_num + 1,000 forms.
    """

    default_error_messages = {
        "missing_management_form": OUT_OF_DATE,
        "too_many_forms": ngettext_lazy(
            "A document has at most %(num)d line.",
            "A document has at most %(num)d lines.",
            "num",
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.absolute_max = self.max_num

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            css = (
                "form-select"
                if isinstance(field.widget, forms.Select)
                else "form-control"
            )
            field.widget.attrs["class"] = (
                f"{field.widget.attrs.get('class', '')} {css}".strip()
            )

    def clean(self):
        super().clean()
        # A missing management form or too many lines is said already; what this
        # clean raises would replace it.
        if any(self.errors) or self._non_form_errors:
            return
        if not self.filled():
            raise forms.ValidationError(_("Enter at least one line."))

    def filled(self) -> list[dict]:
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data
            and f.cleaned_data.get("product")
            and not f.cleaned_data.get("DELETE")
        ]


DATE_HELP = _(
    "Staff date documents today, or as many days back as the owner allows; the "
    "owner, any day of a month that is not closed."
)


def dated(form, field: str, was=None):
    """The form's date, refused when its user may not date a document then (staff:
    today, or the owner's allowance of days; the owner: any open month)."""
    day = form.cleaned_data[field]
    problem = document_date_problem(user=form.user, day=day, was=was)
    if problem:
        raise forms.ValidationError(problem)
    return day


class SubmissionForm(InputRulesMixin, forms.Form):
    """Carries a token made when the form is shown; submitting it twice posts once."""

    submission = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )


class AdjustmentHeaderForm(SubmissionForm):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=active_warehouses(), empty_label=None
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class UnitSelect(forms.Select):
    """A line's unit: the product's base unit ("") or one of its package units.
    Without JavaScript it offers the base unit (and the unit the line has);
    lines.js fills in the product's units when the product changes."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "line-unit", **(attrs or {})})
        self.choices = [("", _("base unit"))]


class ProductLineForm(InputRulesMixin, forms.Form):
    """A document line: a product typed or scanned, how much of it, and the unit
    it is counted in (a package's barcode picks that package). The quantity stays
    as typed, in that unit; ``cleaned_data["unit"]`` is the PackageUnit (None: the
    base unit), and a quantity that does not convert exactly is refused here."""

    product = ProductCodeField(required=False)
    quantity = quantity_field(label=_("Quantity"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False, widget=UnitSelect)
    # The quantities typed in the line's unit.
    unit_quantities = ("quantity",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The unit this line has (a draft being edited, a form shown again) is
        # offered beside the base unit, so the page shows it without JavaScript.
        if "unit" not in self.fields:
            return
        unit = self.data.get(self.add_prefix("unit")) if self.is_bound else None
        if not self.is_bound:
            unit = self.initial.get("unit")
        unit = getattr(unit, "pk", unit)
        if unit and str(unit).isdigit():
            found = (
                PackageUnit.objects.select_related("product").filter(pk=unit).first()
            )
            if found is not None:
                widget = self.fields["unit"].widget
                widget.choices = [
                    ("", found.product.unit or _("base unit")),
                    (str(found.pk), found.name),
                ]
                if not self.is_bound:
                    self.initial["unit"] = str(found.pk)

    def clean_unit(self):
        value = self.cleaned_data.get("unit") or ""
        if not value:
            return None
        unit = PackageUnit.objects.filter(pk=value).first() if value.isdigit() else None
        if unit is None:
            raise forms.ValidationError(_("Choose one of the product's units."))
        return unit

    def clean(self):
        data = super().clean()
        product = data.get("product")
        if product and data.get("unit") is None and "unit" in data:
            data["unit"] = getattr(self.fields["product"], "scanned_unit", None)
        unit = data.get("unit")
        if product and unit is not None and unit.product_id != product.pk:
            self.add_error("unit", _("Choose one of the product's units."))
            return data
        if product and not data.get("quantity") and self.needs_quantity():
            self.add_error("quantity", _("Enter a quantity greater than zero."))
        if unit is not None:
            for name in self.unit_quantities:
                if data.get(name):
                    try:
                        to_base(data[name], unit.factor)
                    except InexactConversion as problem:
                        self.add_error(name, str(problem))
        return data

    def needs_quantity(self) -> bool:
        return True


class AdjustmentLineForm(ProductLineForm):
    field_order = ["product", "direction", "quantity", "unit", "reason", "note"]
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("out", _("Write off")), ("in", _("Found (surplus)"))],
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=AdjustmentReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        reason, direction = data.get("reason"), data.get("direction")
        if (reason in OUT_REASONS and direction == "in") or (
            reason == AdjustmentReason.FOUND and direction == "out"
        ):
            self.add_error("reason", _("This reason does not fit the direction."))
        return data

    def signed_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        return -quantity if self.cleaned_data["direction"] == "out" else quantity


AdjustmentLineFormSet = forms.formset_factory(
    AdjustmentLineForm, formset=LineFormSet, extra=3, max_num=200, validate_max=True
)


class CostAdjustmentForm(SubmissionForm):
    """成本调整: one product in one warehouse gets a new unit cost, with a reason."""

    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=active_warehouses(), empty_label=None
    )
    product = ProductCodeField()
    new_unit_cost = cost_field(
        label=_("New unit cost"),
        help_text=_("Per unit, up to 4 decimals. What is on hand is revalued at it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Why the cost was wrong, e.g. “receipt typed ¥99,999.99”."),
    )


class TransferHeaderForm(SubmissionForm):
    from_warehouse = forms.ModelChoiceField(
        label=_("From warehouse"), queryset=active_warehouses(), empty_label=None
    )
    to_warehouse = forms.ModelChoiceField(
        label=_("To warehouse"), queryset=active_warehouses(), empty_label=None
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("from_warehouse") and data.get("from_warehouse") == data.get(
            "to_warehouse"
        ):
            self.add_error(
                "to_warehouse", _("Choose a different warehouse to move to.")
            )
        return data


TransferLineFormSet = forms.formset_factory(
    ProductLineForm, formset=LineFormSet, extra=3, max_num=200, validate_max=True
)


class TransferRequestForm(SubmissionForm):
    """调拨申请: which shop's warehouse to ask, into which of the user's own."""

    from_warehouse = forms.ModelChoiceField(
        label=_("Ask for goods from"),
        queryset=active_warehouses().filter(is_transit=False),
        empty_label=None,
    )
    to_warehouse = forms.ModelChoiceField(
        label=_("Into warehouse"), queryset=active_warehouses(), empty_label=None
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].queryset = self.fields[
            "from_warehouse"
        ].queryset.select_related("shop")
        self.fields["from_warehouse"].label_from_instance = _with_shop
        # Only into one's own shop (the owner: any).
        self.fields["to_warehouse"].queryset = warehouses_for(user).filter(
            is_active=True, is_transit=False
        )
        if not self.is_bound:
            own = self.fields["to_warehouse"].queryset.first()
            others = self.fields["from_warehouse"].queryset
            if own is not None and own.shop_id is not None:
                others = others.exclude(shop_id=own.shop_id)
            self.initial.setdefault("from_warehouse", others.first())

    def clean(self):
        data = super().clean()
        if data.get("from_warehouse") and data.get("from_warehouse") == data.get(
            "to_warehouse"
        ):
            self.add_error("from_warehouse", _("Choose a different warehouse to ask."))
        return data


def _with_shop(warehouse) -> str:
    return f"{warehouse.shop} · {warehouse}" if warehouse.shop else str(warehouse)


class OpeningImportForm(ImportForm):
    submission = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )


class StocktakeStartForm(SubmissionForm):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=active_warehouses(), empty_label=None
    )
    categories = RecordsField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Leave empty to count every product."),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    blind = forms.BooleanField(
        label=_("Blind count (盲盘)"),
        required=False,
        help_text=_(
            "The count screen and the printed sheet hide the system quantity, so "
            "whoever counts writes down what is on the shelf. Your review shows "
            "everything."
        ),
    )


class CountTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (ISO value whatever the language)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _plain(quantity: Decimal | None) -> str | None:
    """3.000 → "3", 2.500 → "2.5": a count shows as the clerk typed it."""
    if quantity is None:
        return None
    return f"{quantity.normalize():f}"


class CountSheetForm(LineQuantitiesForm):
    """One field per line of a count sheet, plus the version it was opened at."""

    field_prefix = "count"
    css_class = "form-control form-control-sm num"
    version = forms.IntegerField(widget=forms.HiddenInput)
    counted_at = forms.DateTimeField(
        label=_("Counted at (for counts copied from the printed sheet)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_(
            "Leave empty when you count now. For counts written on the printed "
            "sheet, give the time the shelf was counted."
        ),
        widget=CountTimeInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, packages=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A product with a package unit is counted in 箱 + 瓶: a whole-package
        # field beside the base unit's (packages: product id → its PackageUnit).
        self.packages = {}
        for line in self.lines:
            unit = (packages or {}).get(line.product_id)
            if unit is None:
                continue
            self.packages[line.pk] = unit
            self.fields[f"package_{line.pk}"] = quantity_field(
                label=unit.name,
                required=False,
                min_value=Decimal(0),
                widget=forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "class": self.css_class,
                    }
                ),
            )

    def line_initial(self, line):
        return _plain(line.counted_quantity)

    def clean(self):
        data = super().clean()
        for pk, unit in self.packages.items():
            boxes = data.get(f"package_{pk}")
            if boxes:
                try:
                    to_base(boxes, unit.factor)
                except InexactConversion as problem:
                    self.add_error(f"package_{pk}", str(problem))
        return data

    def rows(self):
        found = super().rows()
        for line, _field in found:
            unit = self.packages.get(line.pk)
            line.package_unit = unit
            line.package_field = self[f"package_{line.pk}"] if unit else None
        return found

    def counts(self) -> dict[int, Decimal | None]:
        """Per line the count in the base unit: 箱 × factor + 瓶 (None: empty)."""
        counts = self.entered()
        for pk, unit in self.packages.items():
            boxes = self.cleaned_data.get(f"package_{pk}")
            if boxes is not None:
                counts[pk] = to_base(boxes, unit.factor) + (counts.get(pk) or 0)
        return counts


class CountScanForm(InputRulesMixin, forms.Form):
    """A scanned barcode or typed SKU ("A001*5" sets 5), optionally a quantity."""

    code = forms.CharField(label=_("Scan or type a SKU"), max_length=80)
    quantity = quantity_field(
        label=_("Quantity (empty: +1)"), required=False, min_value=Decimal("0")
    )


class InventorySettingsForm(InputRulesMixin, forms.ModelForm):
    class Meta:
        model = InventorySettings
        fields = [
            "staff_backdate_days",
            "stocktake_threshold_percent",
            "stocktake_threshold_amount",
        ]


class StockCardFilterForm(InputRulesMixin, forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.all(),
        required=False,
        empty_label=_("All warehouses"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
    )

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day and not (date(2000, 1, 1) <= day <= date(2100, 12, 31)):
                self.add_error(name, _("Choose a date between 2000 and 2100."))
                data.pop(name, None)
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


class StyleMatrixForm(InputRulesMixin, forms.Form):
    """Quantities typed into a style's grid (one optional cell per variant): each
    filled cell a quantity above zero with at most 3 decimals; at least one."""

    def __init__(self, data=None, *, grid, **kwargs):
        if data is not None:  # a cell of spaces is an empty cell
            data = data.copy()
            for key in [key for key in data if key.startswith("cell_")]:
                data[key] = data[key].strip()
        super().__init__(data, **kwargs)
        self.grid = grid
        self.products = [
            cell[0] for _label, cells, _total in grid.rows for cell in cells if cell
        ]
        for product in self.products:
            self.fields[f"cell_{product.pk}"] = quantity_field(
                label=product.name,
                required=False,
                min_value=None,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "form-control num"}
                ),
            )

    def clean(self):
        data = super().clean()
        for product in self.products:
            name = f"cell_{product.pk}"
            quantity = data.get(name)
            if quantity is not None and quantity <= 0:
                self.add_error(
                    name, _("Type a quantity above 0, or leave the cell empty.")
                )
        if not self.errors and not self.quantities():
            raise forms.ValidationError(_("Type a quantity into at least one cell."))
        return data

    def quantities(self) -> dict:
        """The filled cells: product → quantity, in the grid's order."""
        return {
            product: self.cleaned_data[f"cell_{product.pk}"]
            for product in self.products
            if self.cleaned_data.get(f"cell_{product.pk}")
        }

    def rows(self):
        """The grid for the template: (row label, [(column value, product, on
        hand, available, bound field) or None per column])."""
        return [
            (
                label,
                [
                    (column, *cell, self[f"cell_{cell[0].pk}"]) if cell else None
                    for column, cell in zip(self.grid.columns, cells, strict=True)
                ],
            )
            for label, cells, _total in self.grid.rows
        ]
