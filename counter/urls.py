from django.urls import path

from counter import views

app_name = "counter"

urlpatterns = [
    path("", views.index, name="index"),
    path("scan/", views.scan, name="scan"),
    path("add/", views.add, name="add"),
    path("line/", views.line, name="line"),
    path("remove/", views.remove, name="remove"),
    path("clear/", views.clear, name="clear"),
    path("customer/", views.customer, name="customer"),
    path("warehouse/", views.warehouse, name="warehouse"),
    path("pay/", views.pay, name="pay"),
    path("hold/", views.hold, name="hold"),
    path("held/", views.held, name="held"),
    path("held/<int:pk>/resume/", views.resume, name="resume"),
    # The slip of a sale; c2's counter slip replaces this view at merge.
    path("sales/<int:pk>/slip/", views.slip, name="slip"),
]
