from django.urls import path

from firstrun import views

app_name = "firstrun"

urlpatterns = [
    path("", views.start, name="start"),
    path("shop/", views.shop, name="shop"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("products/", views.products, name="products"),
    path("opening/", views.opening, name="opening"),
    path("staff/", views.staff, name="staff"),
    path("step/", views.step_end, name="step_end"),
    path("dismiss/", views.dismiss, name="dismiss"),
    path("done/", views.done, name="done"),
]
