from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.forms import SignInForm
from accounts.views import SignInView
from jxc import views as jxc_views
from reports import views as reports_views

urlpatterns = [
    path("", reports_views.home, name="home"),
    path("reports/", include("reports.urls")),
    path(
        "login/",
        SignInView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works on the sign-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("inventory/", include("inventory.urls")),
    path("purchasing/", include("purchasing.urls")),
    path("sales/", include("sales.urls")),
    path("counter/", include("counter.urls")),
    path("finance/", include("finance.urls")),
    path("audit/", include("audit.urls")),
    path("setup/", include("firstrun.urls")),
    path("guide/", include("guide.urls")),
    path("api/", include("api.urls")),
    path("lines/amounts/", jxc_views.line_amounts, name="line_amounts"),
    path("admin/", admin.site.urls),
]

handler403 = "jxc.views.permission_denied"
handler500 = "jxc.views.server_error"
