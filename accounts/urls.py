from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_update, name="user_update"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("addresses/unlock/", views.address_unlock, name="address_unlock"),
    path("backups/", views.backup_list, name="backup_list"),
    path("backups/new/", views.backup_create, name="backup_create"),
    path("backups/<str:name>", views.backup_download, name="backup_download"),
    path(
        "password/",
        views.PasswordChangeView.as_view(
            success_url="/accounts/password/done/",
            template_name="accounts/password_change.html",
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
