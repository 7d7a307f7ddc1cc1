from django.urls import include, path

from api import views

app_name = "api"

urlpatterns = [
    path("keys/", views.key_list, name="key_list"),
    path("keys/new/", views.key_create, name="key_create"),
    path("keys/<int:pk>/", views.key_detail, name="key_detail"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("webhooks/", views.deliveries, name="deliveries"),
    path("v1/", include("api.v1.urls")),
]
