from django.urls import path

from finance import cash_views, views

app_name = "finance"

urlpatterns = [
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/export/", views.collection_export, name="collection_export"),
    path("collections/new/", views.collection_create, name="collection_create"),
    path("disbursements/", views.disbursement_list, name="disbursement_list"),
    path(
        "disbursements/export/",
        views.disbursement_export,
        name="disbursement_export",
    ),
    path("disbursements/new/", views.disbursement_create, name="disbursement_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("receivables/", views.receivables, name="receivables"),
    path("payables/", views.payables, name="payables"),
    path("customers/<int:pk>/", views.customer_account, name="customer_account"),
    path("customers/<int:pk>/credit/", views.credit_limit, name="credit_limit"),
    path("suppliers/<int:pk>/", views.supplier_account, name="supplier_account"),
]

# The cash book and the money reports (finance/cash_views.py).
urlpatterns += [
    path("accounts/", cash_views.account_list, name="account_list"),
    path("accounts/new/", cash_views.account_create, name="account_create"),
    path("accounts/<int:pk>/", cash_views.account_journal, name="account_journal"),
    path("accounts/<int:pk>/edit/", cash_views.account_update, name="account_update"),
    path("transfers/", cash_views.transfer_list, name="transfer_list"),
    path("transfers/new/", cash_views.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/", cash_views.transfer_detail, name="transfer_detail"),
    path(
        "transfers/<int:pk>/cancel/", cash_views.transfer_cancel, name="transfer_cancel"
    ),
    path("cash/", cash_views.cash_list, name="cash_list"),
    path("cash/new/", cash_views.cash_create, name="cash_create"),
    path("cash/<int:pk>/", cash_views.cash_detail, name="cash_detail"),
    path("cash/<int:pk>/cancel/", cash_views.cash_cancel, name="cash_cancel"),
    path("cash/categories/", cash_views.category_list, name="category_list"),
    path(
        "cash/categories/<int:pk>/edit/",
        cash_views.category_update,
        name="category_update",
    ),
    path(
        "customers/<int:pk>/statement/",
        cash_views.customer_statement,
        name="customer_statement",
    ),
    path(
        "customers/<int:pk>/statement/print/",
        cash_views.customer_statement_print,
        name="customer_statement_print",
    ),
    path(
        "suppliers/<int:pk>/statement/",
        cash_views.supplier_statement,
        name="supplier_statement",
    ),
    path(
        "suppliers/<int:pk>/statement/print/",
        cash_views.supplier_statement_print,
        name="supplier_statement_print",
    ),
    path("aging/receivables/", cash_views.receivables_aging, name="receivables_aging"),
    path("aging/payables/", cash_views.payables_aging, name="payables_aging"),
    path("profit/", cash_views.profit, name="profit"),
]
