from django.urls import path

from catalog import filters, forms, selectors, services, views
from catalog.models import Category, Customer, Supplier, Warehouse

app_name = "catalog"


def _party_save(model):
    return lambda instance, form, user: services.party_save(
        model=model, party=instance, data=form.cleaned_data, user=user
    )


def _crud(name, model, filterset, selector, form_class, save, remove):
    """List, new, edit and delete pages for one kind of master data."""
    list_url = f"catalog:{name}_list"
    plural = "categories" if name == "category" else f"{name}s"
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


urlpatterns = [
    path("shop/", views.shop_profile, name="shop_profile"),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/new/", views.ProductEditView.as_view(), name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/options/", views.product_options, name="product_options"),
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
]
