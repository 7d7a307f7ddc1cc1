from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("summary/", views.summary, name="summary"),
    path("summary/export/", views.summary_export, name="summary_export"),
    path("month-close/", views.month_close, name="month_close"),
    path("reorder/", views.reorder, name="reorder"),
    path("reorder/orders/", views.reorder_orders, name="reorder_orders"),
]
