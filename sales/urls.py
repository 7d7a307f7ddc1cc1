from django.urls import path

from jxc.lists import list_urls
from sales import views

app_name = "sales"

urlpatterns = [
    *list_urls(
        views.document_list,
        views.document_export,
        {"order": "", "shipment": "shipments/", "return": "returns/"},
    ),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/end/", views.order_end, name="order_end"),
    path("orders/<int:pk>/reserve/", views.order_reserve, name="order_reserve"),
    path("availability/", views.availability, name="availability"),
    path("reservations/<int:product_id>/", views.reservations, name="reservations"),
    path(
        "reservations/<int:product_id>/release/",
        views.reservation_release,
        name="reservation_release",
    ),
    path("settings/", views.settings_edit, name="settings"),
    path("retail/", views.retail, name="retail"),
    path("shipments/new/", views.shipment_create, name="shipment_create"),
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/cancel/", views.shipment_cancel, name="shipment_cancel"),
    path(
        "shipments/<int:pk>/note/",
        views.shipment_print,
        {"layout": "note"},
        name="delivery_note",
    ),
    path(
        "shipments/<int:pk>/slip/",
        views.shipment_print,
        {"layout": "slip"},
        name="slip",
    ),
    path("returns/new/", views.return_create, name="return_create"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/cancel/", views.return_cancel, name="return_cancel"),
]
