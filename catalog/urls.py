from django.urls import path

from catalog import filters, forms, goods_views, selectors, services, views
from catalog.models import (
    Attribute,
    Category,
    Customer,
    PriceLevel,
    Shop,
    Style,
    Supplier,
    Warehouse,
)

app_name = "catalog"


def _party_save(model):
    return lambda instance, form, user: services.party_save(
        model=model, party=instance, data=form.cleaned_data, user=user
    )


def _crud(name, model, filterset, selector, form_class, save, remove):
    """List, new, edit and delete pages for one kind of master data."""
    plural = "categories" if name == "category" else f"{name}s"
    return _routes(name, plural, model, filterset, selector, form_class, save, remove)


def _routes(name, plural, model, filterset, selector, form_class, save, remove):
    """The same pages under the URL word ``plural``."""
    list_url = f"catalog:{name}_list"
    return [
        path(
            f"{plural}/",
            views.ListView.as_view(
                model=model, filterset_class=filterset, selector=selector
            ),
            name=f"{name}_list",
        ),
        path(
            f"{plural}/new/",
            views.EditView.as_view(
                model=model, form_class=form_class, save=save, list_url=list_url
            ),
            name=f"{name}_create",
        ),
        path(
            f"{plural}/<int:pk>/edit/",
            views.EditView.as_view(
                model=model, form_class=form_class, save=save, list_url=list_url
            ),
            name=f"{name}_update",
        ),
        path(
            f"{plural}/<int:pk>/delete/",
            views.DeleteView.as_view(model=model, remove=remove, list_url=list_url),
            name=f"{name}_delete",
        ),
    ]


class StyleEditView(views.EditView):
    model = Style
    form_class = forms.StyleForm
    list_url = "catalog:style_list"
    template_name = "catalog/style_form.html"

    def save(self, instance, form, user):
        data = {k: v for k, v in form.cleaned_data.items() if k != "values"}
        return services.style_save(
            style=instance, data=data, values=form.cleaned_data["values"], user=user
        )

    def success_url(self, saved):
        return saved.get_absolute_url()


def _attribute_save(instance, form, user):
    return services.attribute_save(
        attribute=instance,
        data=form.cleaned_data,
        values=form.cleaned_data["values_text"],
        user=user,
    )


urlpatterns = [
    path("shop/", views.shop_profile, name="shop_profile"),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    # Styles (款式) and their variants
    path(
        "styles/",
        views.ListView.as_view(
            model=Style,
            filterset_class=filters.StyleFilter,
            selector=selectors.style_list,
        ),
        name="style_list",
    ),
    path("styles/new/", StyleEditView.as_view(), name="style_create"),
    path("styles/<int:pk>/", goods_views.style_detail, name="style_detail"),
    path("styles/<int:pk>/edit/", StyleEditView.as_view(), name="style_update"),
    path(
        "styles/<int:pk>/delete/",
        views.DeleteView.as_view(
            model=Style,
            remove=lambda s, user: services.style_delete(style=s, user=user),
            list_url="catalog:style_list",
        ),
        name="style_delete",
    ),
    path(
        "styles/<int:pk>/generate/",
        goods_views.style_generate,
        name="style_generate",
    ),
    path(
        "styles/<int:pk>/barcodes/",
        goods_views.style_barcodes_assign,
        name="style_barcodes_assign",
    ),
    *_crud(
        "attribute",
        Attribute,
        filters.AttributeFilter,
        selectors.attribute_list,
        forms.AttributeForm,
        _attribute_save,
        lambda a, user: services.attribute_delete(attribute=a, user=user),
    ),
    *_routes(
        "pricelevel",
        "price-levels",
        PriceLevel,
        filters.PriceLevelFilter,
        selectors.price_level_list,
        forms.PriceLevelForm,
        lambda instance, form, user: services.price_level_save(
            level=instance, data=form.cleaned_data, user=user
        ),
        lambda level, user: services.price_level_delete(level=level, user=user),
    ),
    # Package units, level prices, barcodes and labels
    path("products/<int:pk>/units/", goods_views.product_units, name="product_units"),
    path(
        "products/<int:pk>/level-prices/",
        goods_views.product_level_prices,
        name="product_level_prices",
    ),
    path(
        "products/<int:pk>/barcode/",
        goods_views.product_barcode_assign,
        name="product_barcode_assign",
    ),
    path("labels/", goods_views.labels, name="labels"),
    path("labels/print/", goods_views.labels_print, name="labels_print"),
    path("labels/prefix/", goods_views.instore_prefix, name="instore_prefix"),
    path("products/new/", views.ProductEditView.as_view(), name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/options/", views.product_options, name="product_options"),
    path("products/go/", views.product_go, name="product_go"),
    path("products/units/options/", views.unit_options, name="unit_options"),
    path("customers/options/", views.customer_options, name="customer_options"),
    path("suppliers/options/", views.supplier_options, name="supplier_options"),
    path(
        "products/<int:pk>/edit/",
        views.ProductEditView.as_view(),
        name="product_update",
    ),
    path(
        "products/<int:pk>/delete/",
        views.DeleteView.as_view(
            model=views.Product,
            remove=lambda p, user: services.product_delete(product=p, user=user),
            list_url="catalog:product_list",
        ),
        name="product_delete",
    ),
    *[
        route
        for kind in views.IMPORTS
        for route in (
            path(
                f"{kind}/import/",
                views.import_file,
                {"kind": kind},
                name=f"{kind}_import",
            ),
            path(
                f"{kind}/import/template/",
                views.import_template,
                {"kind": kind},
                name=f"{kind}_import_template",
            ),
            path(
                f"{kind}/export/",
                views.export_file,
                {"kind": kind},
                name=f"{kind}_export",
            ),
        )
    ],
    *_crud(
        "supplier",
        Supplier,
        filters.SupplierFilter,
        selectors.supplier_list,
        forms.SupplierForm,
        _party_save(Supplier),
        lambda p, user: services.party_delete(party=p, user=user),
    ),
    *_crud(
        "customer",
        Customer,
        filters.CustomerFilter,
        selectors.customer_list,
        forms.CustomerForm,
        _party_save(Customer),
        lambda p, user: services.party_delete(party=p, user=user),
    ),
    *_crud(
        "category",
        Category,
        filters.CategoryFilter,
        selectors.category_list,
        forms.CategoryForm,
        lambda instance, form, user: services.category_save(
            category=instance, data=form.cleaned_data, user=user
        ),
        lambda c, user: services.category_delete(category=c, user=user),
    ),
    *_crud(
        "warehouse",
        Warehouse,
        filters.WarehouseFilter,
        selectors.warehouse_list,
        forms.WarehouseForm,
        lambda instance, form, user: services.warehouse_save(
            warehouse=instance,
            data=form.cleaned_data,
            make_default=form.cleaned_data["make_default"],
            user=user,
        ),
        lambda w, user: services.warehouse_delete(warehouse=w, user=user),
    ),
    *_crud(
        "shop",
        Shop,
        filters.ShopFilter,
        selectors.shop_list,
        forms.ShopForm,
        lambda instance, form, user: services.shop_save(
            shop=instance, data=form.cleaned_data, user=user
        ),
        lambda shop, user: services.shop_delete(shop=shop, user=user),
    ),
]
