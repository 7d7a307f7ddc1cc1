from django.urls import path

from jxc.lists import list_urls
from purchasing import views

app_name = "purchasing"

urlpatterns = [
    *list_urls(
        views.document_list,
        views.document_export,
        {"order": "", "receipt": "receipts/", "return": "returns/"},
    ),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/print/", views.order_print, name="order_print"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/end/", views.order_end, name="order_end"),
    path(
        "orders/<int:pk>/approve-prices/",
        views.order_prices_approve,
        name="order_prices_approve",
    ),
    path("price/", views.last_price, name="last_price"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/cancel/", views.receipt_cancel, name="receipt_cancel"),
    path("returns/new/", views.return_create, name="return_create"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/cancel/", views.return_cancel, name="return_cancel"),
    path(
        "prices/product/<int:product_id>/", views.product_prices, name="product_prices"
    ),
    path(
        "prices/supplier/<int:supplier_id>/",
        views.supplier_prices,
        name="supplier_prices",
    ),
    path("settings/", views.settings_edit, name="settings"),
]
