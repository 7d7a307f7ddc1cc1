"""Catalog pages: thin glue between permissions, forms, services and selectors."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods
from django_filters.views import FilterView

from catalog import filters, forms, imports, selectors, services
from catalog.fields import OPTIONS_LIMIT
from catalog.models import Customer, Product, Style, Supplier
from jxc.documents import form_kept
from jxc.excel import Sheet, xlsx_response
from jxc.import_flow import ImportSpec, import_view
from jxc.inputs import searchable

VIEW_COST = "accounts.view_cost"
PAGE_SIZE = 50


class ListView(PermissionRequiredMixin, FilterView):
    """A filtered, sortable, paginated list of one kind of master data."""

    paginate_by = PAGE_SIZE
    selector = None
    strict = False

    def get_permission_required(self):
        return [f"catalog.view_{self.model._meta.model_name}"]

    def get_queryset(self):
        return self.selector()

    def get_template_names(self):
        return [
            self.template_name or f"catalog/{self.model._meta.model_name}_list.html"
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        name, plural = meta.model_name, f"{meta.model_name}s"
        user = self.request.user
        context.update(
            title=meta.verbose_name_plural,
            new_label=_("New %(thing)s") % {"thing": meta.verbose_name},
            empty_label=_("No %(things)s yet") % {"things": meta.verbose_name_plural},
            can_add=user.has_perm(f"catalog.add_{name}"),
            can_change=user.has_perm(f"catalog.change_{name}"),
            create_url=f"catalog:{name}_create",
            update_url=f"catalog:{name}_update",
            import_url=f"catalog:{plural}_import",
            export_url=f"catalog:{plural}_export",
        )
        return context


class ProductListView(ListView):
    """An exact SKU typed into the list's search box filters the list like any
    other text; only the search box at the top of every page (product_go) opens
    a product straight away."""

    model = Product
    filterset_class = filters.ProductFilter
    selector = staticmethod(selectors.product_list)


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def product_go(request):
    """The search box at the top of every page: a scanned barcode or a typed SKU
    opens that product at once; anything else (or a code several products
    share) lists what matches."""
    text = (request.GET.get("q") or "").strip()[:100]
    if not searchable(text):
        text = ""
    try:
        product = selectors.product_by_code(text) if text else None
    except selectors.SeveralProductsMatch:
        product = None
    if product is not None:
        return redirect("catalog:product_detail", pk=product.pk)
    url = reverse("catalog:product_list")
    return redirect(f"{url}?{urlencode({'q': text})}" if text else url)


class EditView(PermissionRequiredMixin, View):
    """Create (no pk) or edit (pk) a record through a form and a service."""

    model = None
    form_class = None
    save = None  # callable(instance_or_None, form, user) -> instance
    template_name = "catalog/form.html"
    list_url = ""

    def get_permission_required(self):
        action = "change" if "pk" in self.kwargs else "add"
        return [f"catalog.{action}_{self.model._meta.model_name}"]

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(self.model, pk=self.kwargs["pk"])
        return None

    def render(self, form, instance):
        meta = self.model._meta
        title = (
            _("Edit %(thing)s") % {"thing": meta.verbose_name}
            if instance
            else _("New %(thing)s") % {"thing": meta.verbose_name}
        )
        delete_url = (
            reverse(f"catalog:{meta.model_name}_delete", args=[instance.pk])
            if instance
            and self.request.user.has_perm(f"catalog.delete_{meta.model_name}")
            else ""
        )
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": instance,
                "title": title,
                "list_url": self.list_url,
                "delete_url": delete_url,
                "is_supplier": self.model is Supplier,
            },
        )

    def get(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.render(self.form_class(instance=instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_object()
        form = self.form_class(request.POST, instance=instance)
        with form_kept(form):
            if form.is_valid():
                try:
                    saved = self.save(instance, form, request.user)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("“%(name)s” saved.") % {"name": saved})
                    return redirect(self.success_url(saved))
        return self.render(form, instance)

    def success_url(self, saved):
        return self.list_url


class ProductEditView(EditView):
    model = Product
    form_class = forms.ProductForm
    template_name = "catalog/product_form.html"
    list_url = "catalog:product_list"

    def save(self, instance, form, user):
        product = services.product_save(
            product=instance, data=form.cleaned_data, user=user
        )
        if form.sells_below_cost():
            messages.warning(
                self.request,
                _("Note: the sale price of “%(name)s” is below its purchase price.")
                % {"name": product.name},
            )
        return product

    def success_url(self, saved):
        return reverse("catalog:product_detail", args=[saved.pk])


class DeleteView(PermissionRequiredMixin, View):
    """Confirm, then delete an unused record; a used one gets a clear refusal."""

    model = None
    remove = None  # callable(instance, user); "delete" is the HTTP method's name
    list_url = ""

    def get_permission_required(self):
        return [f"catalog.delete_{self.model._meta.model_name}"]

    def get(self, request, pk):
        instance = get_object_or_404(self.model, pk=pk)
        return render(
            request,
            "catalog/confirm_delete.html",
            {
                "object": instance,
                "list_url": self.list_url,
                "thing": self.model._meta.verbose_name,
            },
        )

    def post(self, request, pk):
        instance = get_object_or_404(self.model, pk=pk)
        name = str(instance)
        try:
            self.remove(instance, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.list_url)
        messages.success(request, _("“%(name)s” deleted.") % {"name": name})
        return redirect(self.list_url)


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def product_detail(request, pk):
    product = get_object_or_404(selectors.product_detail(pk))
    return render(request, "catalog/product_detail.html", {"product": product})


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def product_options(request):
    """<option>s for a document line's product field: what a clerk is typing."""
    products = selectors.search(
        selectors.product_list().filter(is_active=True), request.GET.get("q", "")
    ).order_by("sku")[:20]
    return render(request, "catalog/product_options.html", {"products": products})


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def unit_options(request):
    """<option>s of a document line's unit select for the product a code names:
    its base unit and package units; a package's barcode (a 箱 scanned) selects
    that package."""
    try:
        found = selectors.sellable_by_code(request.GET.get("code", "")[:64])
    except selectors.SeveralProductsMatch:
        found = None
    units = list(found.product.package_units.all()) if found else []
    return render(
        request, "catalog/unit_options.html", {"found": found, "units": units}
    )


def _party_options(request, model):
    """<option>s for a customer or supplier picker: what a clerk is typing."""
    parties = selectors.search(
        model.objects.filter(is_active=True), request.GET.get("q", "")
    ).order_by("code")[:OPTIONS_LIMIT]
    return render(request, "catalog/party_options.html", {"parties": parties})


@permission_required("catalog.view_customer", raise_exception=True)
@require_GET
def customer_options(request):
    return _party_options(request, Customer)


@permission_required("catalog.view_supplier", raise_exception=True)
@require_GET
def supplier_options(request):
    return _party_options(request, Supplier)


# --- import and export ------------------------------------------------------------

IMPORTS = {
    "products": {
        "model": Product,
        "columns": imports.PRODUCT_COLUMNS,
        "rows": imports.product_rows,
        "plan": selectors.product_import_plan,
        "save": services.products_import,
        "list_url": "catalog:product_list",
    },
    "suppliers": {
        "model": Supplier,
        "columns": imports.PARTY_COLUMNS,
        "rows": lambda table: imports.party_rows(table, Supplier),
        "plan": selectors.party_import_plan(Supplier),
        "save": partial(services.parties_import, model=Supplier),
        "list_url": "catalog:supplier_list",
    },
    "customers": {
        "model": Customer,
        "columns": imports.PARTY_COLUMNS,
        "rows": lambda table: imports.party_rows(table, Customer),
        "plan": selectors.party_import_plan(Customer),
        "save": partial(services.parties_import, model=Customer),
        "list_url": "catalog:customer_list",
    },
    "variants": {
        "model": Style,
        "columns": imports.VARIANT_COLUMNS,
        "rows": imports.variant_rows,
        "plan": selectors.variant_import_plan,
        "save": services.variants_import,
        "list_url": "catalog:style_list",
    },
}
EXPORTS = {
    "products": (
        filters.ProductFilter,
        selectors.product_list,
        imports.product_export_rows,
    ),
    "suppliers": (
        filters.SupplierFilter,
        selectors.supplier_list,
        imports.party_export_rows,
    ),
    "customers": (
        filters.CustomerFilter,
        selectors.customer_list,
        imports.party_export_rows,
    ),
    "variants": (
        filters.StyleFilter,
        selectors.style_list,
        imports.variant_export_rows,
    ),
}


def _import_spec(request, kind) -> ImportSpec:
    spec = IMPORTS[kind]

    def save(*, rows, name, submission):
        created, updated = spec["save"](rows=rows, user=request.user, source=name)
        message = _(
            "Import finished: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged."
        ) % {
            "created": created,
            "updated": updated,
            "unchanged": len(rows) - created - updated,
        }
        return message, reverse(spec["list_url"])

    return ImportSpec(kind, spec["columns"], spec["rows"], spec["plan"], save)


@permission_required("catalog.import_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_file(request, kind):
    """Upload → every problem at once, or a preview → 确认导入 (jxc/import_flow.py)."""
    spec = IMPORTS[kind]
    return import_view(
        request,
        _import_spec(request, kind),
        forms.ImportForm(request.POST or None, request.FILES or None),
        "catalog/import.html",
        {
            "kind": kind,
            "thing": spec["model"]._meta.verbose_name_plural,
            "list_url": spec["list_url"],
        },
    )


@permission_required("catalog.import_product", raise_exception=True)
@require_GET
def import_template(request, kind):
    """An empty workbook with the import's headers, to fill in and upload."""
    columns = IMPORTS[kind]["columns"]
    meta = IMPORTS[kind]["model"]._meta
    sheet = Sheet(
        title=str(meta.verbose_name_plural),
        columns=imports.export_header(columns),
        rows=[],
    )
    return xlsx_response(
        [sheet],
        _("%(thing)s template") % {"thing": meta.verbose_name_plural},
        titled=False,
    )


def export_file(request, kind):
    """The filtered list as .xlsx, in the columns the import takes back."""
    filterset_class, selector, make_rows = EXPORTS[kind]
    model = filterset_class._meta.model
    if not request.user.has_perm(f"catalog.view_{model._meta.model_name}"):
        raise PermissionDenied
    filterset = filterset_class(request.GET, queryset=selector(), request=request)
    columns = imports.export_columns(
        IMPORTS[kind]["columns"], with_cost=request.user.has_perm(VIEW_COST)
    )
    sheet = Sheet(
        title=str(model._meta.verbose_name_plural),
        columns=imports.export_header(columns),
        rows=make_rows(filterset.qs, columns),
    )
    return xlsx_response([sheet], str(model._meta.verbose_name_plural))


@permission_required("catalog.change_shopprofile", raise_exception=True)
@require_http_methods(["GET", "POST"])
def shop_profile(request):
    """店铺资料: the owner's shop name, address, phone and the slip's thank-you line."""
    form = forms.ShopProfileForm(
        request.POST or None, instance=selectors.shop_profile()
    )
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            services.shop_profile_save(data=form.cleaned_data, user=request.user)
            messages.success(request, _("Shop details saved."))
            return redirect("catalog:shop_profile")
    return render(request, "catalog/shop_profile.html", {"form": form})
