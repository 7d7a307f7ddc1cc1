from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("summary/", views.summary, name="summary"),
    path("summary/export/", views.summary_export, name="summary_export"),
    path("month-close/", views.month_close, name="month_close"),
    path("reorder/", views.reorder, name="reorder"),
    path("reorder/orders/", views.reorder_orders, name="reorder_orders"),
    path("turnover/", views.turnover, name="turnover"),
    path("shops/", views.shops, name="shops"),
    path("sales/", views.sales_analysis, name="sales"),
    path("prices/", views.price_analysis, name="prices"),
    path("slow/", views.slow_movers, name="slow"),
]
