from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/new/", views.collection_create, name="collection_create"),
    path("disbursements/", views.disbursement_list, name="disbursement_list"),
    path("disbursements/new/", views.disbursement_create, name="disbursement_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("receivables/", views.receivables, name="receivables"),
    path("payables/", views.payables, name="payables"),
    path("customers/<int:pk>/", views.customer_account, name="customer_account"),
    path("customers/<int:pk>/credit/", views.credit_limit, name="credit_limit"),
    path("suppliers/<int:pk>/", views.supplier_account, name="supplier_account"),
]
