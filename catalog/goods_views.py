"""Pages for goods the way shops sell them: styles and their variants, package
units, prices per level and barcode labels (the rest of catalog: views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import forms, selectors, services
from catalog.labels import LabelItem, barcode_data_uri
from catalog.models import (
    UNIT_SUGGESTIONS,
    PackageUnit,
    PriceLevel,
    Product,
    ShopProfile,
    Style,
)
from jxc.documents import form_kept

LABELS_LIMIT = 100  # products on one label page
PRINT_LIMIT = 2000  # labels in one print


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- styles ---------------------------------------------------------------------------


@permission_required("catalog.view_style", raise_exception=True)
@require_GET
def style_detail(request, pk):
    """A style, the values it comes in and its variants (a grid when it has two
    attributes)."""
    style = get_object_or_404(
        Style.objects.select_related("category", "supplier"), pk=pk
    )
    plan = selectors.style_variant_plan(style)
    variants = [row for row in plan.rows if row.product is not None]
    return render(
        request,
        "catalog/style_detail.html",
        {
            "style": style,
            "plan": plan,
            "variants": variants,
            "missing": len(plan.new),
            "without_barcode": sum(1 for row in variants if not row.product.barcode),
        },
    )


@permission_required("catalog.add_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def style_generate(request, pk):
    """Preview the variants a style lacks; on POST make them (once, however often
    it is sent: the database holds one product per combination)."""
    style = get_object_or_404(Style, pk=pk)
    form = forms.GenerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.style_variants_generate(
                style=style,
                user=request.user,
                instore_barcodes=form.cleaned_data["instore_barcodes"],
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            if made:
                messages.success(
                    request,
                    _("%(count)d variants of %(style)s made.")
                    % {"count": len(made), "style": style.code},
                )
            else:
                messages.success(request, _("Every variant exists already."))
            return redirect("catalog:style_detail", pk=style.pk)
    plan = selectors.style_variant_plan(style)
    return render(
        request,
        "catalog/style_generate.html",
        {"style": style, "plan": plan, "form": form},
    )


# --- package units and level prices ---------------------------------------------------


@permission_required("catalog.change_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_units(request, pk):
    """A product's package units (1 箱 = 24 瓶), each with its barcode and price."""
    product = get_object_or_404(Product, pk=pk)
    formset = forms.PackageUnitFormSet(
        request.POST or None, instance=product, prefix="units"
    )
    if request.method == "POST":
        with form_kept(formset):
            if formset.is_valid():
                # Blank extra rows have no cleaned data; a kept row always counts.
                rows = [
                    {
                        **{k: f.cleaned_data[k] for k in services.PACKAGE_FIELDS},
                        "pk": f.instance.pk,
                        "delete": f.cleaned_data.get("DELETE", False),
                    }
                    for f in formset.forms
                    if f.cleaned_data
                ]
                try:
                    services.package_units_save(
                        product=product, rows=rows, user=request.user
                    )
                except ValidationError as error:
                    messages.error(request, _errors(error))
                else:
                    messages.success(
                        request,
                        _("Package units of “%(name)s” saved.")
                        % {"name": product.name},
                    )
                    return redirect("catalog:product_detail", pk=product.pk)
    return render(
        request,
        "catalog/product_units.html",
        {
            "product": product,
            "formset": formset,
            "unit_suggestions": UNIT_SUGGESTIONS,
        },
    )


@permission_required("catalog.change_levelprice", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_level_prices(request, pk):
    """A product's price on each price level (and per package unit)."""
    product = get_object_or_404(Product, pk=pk)
    levels = list(PriceLevel.objects.all())
    units = list(product.package_units.all())
    form = forms.LevelPricesForm(
        request.POST or None,
        product=product,
        levels=levels,
        units=units,
        current=selectors.level_prices(product),
    )
    if request.method == "POST":
        with form_kept(form):
            if form.is_valid():
                services.level_prices_save(
                    product=product, prices=form.prices(), user=request.user
                )
                messages.success(
                    request,
                    _("Level prices of “%(name)s” saved.") % {"name": product.name},
                )
                return redirect("catalog:product_detail", pk=product.pk)
    rows = [
        (unit, [form[f"price_{level.pk}_{unit.pk if unit else 0}"] for level in levels])
        for unit in [None, *units]
    ]
    return render(
        request,
        "catalog/product_level_prices.html",
        {"product": product, "form": form, "levels": levels, "rows": rows},
    )


# --- barcodes and labels --------------------------------------------------------------


@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def product_barcode_assign(request, pk):
    """Give a product without a barcode an in-store EAN-13."""
    product = get_object_or_404(Product, pk=pk)
    try:
        given = services.instore_barcodes_assign(products=[product], user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if given:
            messages.success(
                request,
                _("“%(name)s” now has the in-store barcode %(code)s.")
                % {"name": product.name, "code": given[product.pk]},
            )
        else:
            messages.info(
                request, _("“%(name)s” has a barcode already.") % {"name": product.name}
            )
    return redirect("catalog:product_detail", pk=product.pk)


@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def style_barcodes_assign(request, pk):
    """Give every variant of a style that has no barcode an in-store EAN-13."""
    style = get_object_or_404(Style, pk=pk)
    try:
        given = services.instore_barcodes_assign(
            products=list(style.variants.all()), user=request.user
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request,
            _("%(count)d variants given in-store barcodes.") % {"count": len(given)},
        )
    return redirect("catalog:style_detail", pk=style.pk)


def _whole(value: str) -> bool:
    """ASCII digits only: "²" and other Unicode digits pass isdigit() but are no
    number int() reads."""
    return value.isascii() and value.isdigit()


@permission_required("catalog.change_product", raise_exception=True)
@require_POST
def instore_prefix(request):
    """The owner's prefix for in-store barcodes."""
    profile = ShopProfile.objects.filter(pk=1).first() or ShopProfile(pk=1)
    form = forms.InstorePrefixForm(request.POST, instance=profile)
    if form.is_valid():
        services.instore_prefix_save(
            prefix=form.cleaned_data["instore_prefix"], user=request.user
        )
        messages.success(request, _("In-store barcode prefix saved."))
    else:
        messages.error(request, " ".join(form.errors.get("instore_prefix", [])))
    return redirect("catalog:labels")


def _label_products(request):
    """What a label page is about, as LabelItems: ?product= (repeatable), ?style=,
    ?unit= (a package unit, repeatable) and a scanned or typed ?code= (one query
    each); with what it could not find."""
    ids = [value for value in request.GET.getlist("product") if _whole(value)]
    products = list(Product.objects.filter(pk__in=ids[:LABELS_LIMIT]).order_by("sku"))
    style_id = request.GET.get("style", "")
    style = None
    if _whole(style_id):
        style = Style.objects.filter(pk=style_id).first()
        if style is not None:
            products += list(style.variants.order_by("sku")[:LABELS_LIMIT])
    problem = ""
    code = (request.GET.get("code") or "").strip()
    if code:
        try:
            found = selectors.product_by_code(code)
        except selectors.SeveralProductsMatch as error:
            found, problem = None, _errors(error)
        else:
            if found is None:
                problem = _("No product has the code “%(code)s”.") % {"code": code[:60]}
        if found is not None:
            products.append(found)
    items = [LabelItem(product) for product in {p.pk: p for p in products}.values()]
    unit_ids = [value for value in request.GET.getlist("unit") if _whole(value)]
    if unit_ids:
        items += [
            LabelItem(unit.product, unit)
            for unit in PackageUnit.objects.filter(pk__in=unit_ids[:LABELS_LIMIT])
            .select_related("product")
            .order_by("product__sku", "factor")
        ]
    return items[:LABELS_LIMIT], style, problem


def _asked_counts(request) -> dict[str, int]:
    """Label counts a link asks for (a receipt's: one per unit received), each a
    whole number from 0 to 500; anything else is left to the default."""
    asked = {}
    for key, value in request.GET.items():
        if key[:2] in ("n_", "u_") and _whole(value) and int(value) <= 500:
            asked[key] = int(value)
    return asked


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def labels(request):
    """Choose what to print: products (scanned, from a style), how many of each,
    the label size."""
    products, style, problem = _label_products(request)
    form = forms.LabelsForm(
        products=products, initial={"size": "40x30", **_asked_counts(request)}
    )
    profile = ShopProfile.objects.filter(pk=1).first() or ShopProfile(pk=1)
    return render(
        request,
        "catalog/labels.html",
        {
            "form": form,
            "products": products,
            "style": style,
            "problem": problem,
            "prefix_form": forms.InstorePrefixForm(instance=profile),
            "without_barcode": [i for i in products if not i.unit and not i.barcode],
        },
    )


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def labels_print(request):
    """The labels as a page of their own, sized for the label printer or A4."""
    products, _style, _problem = _label_products(request)
    form = forms.LabelsForm(request.GET, products=products)
    if not form.is_valid():
        messages.error(
            request,
            _("Check the label counts: whole numbers from 0 to 500."),
        )
        return redirect(f"{_labels_url()}?{request.GET.urlencode()}")
    labels_ = []
    for item, count in form.counts():
        image = barcode_data_uri(item.code) if item.code else ""
        labels_.extend([(item, image)] * count)
    if len(labels_) > PRINT_LIMIT:
        messages.error(
            request,
            _("At most %(limit)d labels at once.") % {"limit": PRINT_LIMIT},
        )
        return redirect(f"{_labels_url()}?{request.GET.urlencode()}")
    return render(
        request,
        "catalog/labels_print.html",
        {
            "labels": labels_,
            "size": form.cleaned_data["size"],
            "show_price": form.cleaned_data["show_price"],
        },
    )


def _labels_url() -> str:
    return reverse("catalog:labels")
