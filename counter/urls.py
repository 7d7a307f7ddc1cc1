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
    path("settings/", views.settings_edit, name="settings"),
    path("slip/<int:pk>/", views.slip, name="slip"),
    path("shift/", views.shift, name="shift"),
    path("shift/float/", views.shift_float, name="shift_float"),
    path("shift/paid-out/", views.shift_paid_out, name="shift_paid_out"),
    path("shift/close/", views.shift_close, name="shift_close"),
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/export/", views.shift_export, name="shift_export"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/print/", views.shift_print, name="shift_print"),
    path("shifts/<int:pk>/reopen/", views.shift_reopen, name="shift_reopen"),
    path("return/", views.counter_return, name="return"),
]
