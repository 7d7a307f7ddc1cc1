from django.urls import path

from inventory import transfer_request_views as request_views
from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_overview, name="stock_overview"),
    path("export/", views.stock_overview_export, name="stock_overview_export"),
    path("card/<int:product_id>/", views.stock_card, name="stock_card"),
    path(
        "card/<int:product_id>/export/",
        views.stock_card_export,
        name="stock_card_export",
    ),
    path("product/<int:product_id>/", views.product_stock, name="product_stock"),
    path("style/<int:pk>/", views.style_stock, name="style_stock"),
    path("matrix/", views.style_matrix, name="style_matrix"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/new/", views.adjustment_create, name="adjustment_create"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path(
        "adjustments/<int:pk>/cancel/",
        views.document_cancel,
        {"kind": "adjustment"},
        name="adjustment_cancel",
    ),
    path("costs/", views.costadjustment_list, name="costadjustment_list"),
    path("costs/new/", views.costadjustment_create, name="costadjustment_create"),
    path("costs/<int:pk>/", views.costadjustment_detail, name="costadjustment_detail"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/new/", views.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path(
        "transfers/<int:pk>/cancel/",
        views.document_cancel,
        {"kind": "transfer"},
        name="transfer_cancel",
    ),
    path("stocktakes/", views.stocktake_list, name="stocktake_list"),
    path("stocktakes/new/", views.stocktake_start, name="stocktake_start"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake_detail"),
    path("stocktakes/<int:pk>/print/", views.stocktake_print, name="stocktake_print"),
    path(
        "stocktakes/<int:pk>/review/", views.stocktake_review, name="stocktake_review"
    ),
    path("stocktakes/<int:pk>/post/", views.stocktake_post, name="stocktake_post"),
    path("stocktakes/<int:pk>/scan/", views.stocktake_scan, name="stocktake_scan"),
    path(
        "stocktakes/<int:pk>/matrix/",
        views.stocktake_matrix,
        name="stocktake_matrix",
    ),
    path(
        "stocktakes/<int:pk>/abandon/",
        views.stocktake_abandon,
        name="stocktake_abandon",
    ),
    path(
        "stocktakes/<int:pk>/cancel/",
        views.document_cancel,
        {"kind": "stocktake"},
        name="stocktake_cancel",
    ),
    path("opening/", views.opening_import, name="opening_import"),
    path("opening/list/", views.openingstock_list, name="openingstock_list"),
    path("opening/<int:pk>/", views.openingstock_detail, name="openingstock_detail"),
    path(
        "opening/<int:pk>/cancel/",
        views.document_cancel,
        {"kind": "openingstock"},
        name="openingstock_cancel",
    ),
    path("opening/template/", views.opening_template, name="opening_template"),
    path("settings/", views.settings_edit, name="settings"),
    path(
        "transfer-requests/",
        request_views.transferrequest_list,
        name="transferrequest_list",
    ),
    path(
        "transfer-requests/new/",
        request_views.transferrequest_create,
        name="transferrequest_create",
    ),
    path(
        "transfer-requests/<int:pk>/",
        request_views.transferrequest_detail,
        name="transferrequest_detail",
    ),
    *[
        path(
            f"transfer-requests/<int:pk>/{step}/",
            getattr(request_views, f"transferrequest_{step}"),
            name=f"transferrequest_{step}",
        )
        for step in request_views.STEPS
    ],
]
