"""The owner's API pages (keys, the webhook delivery log) and the API's schema
and docs page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from api import forms, selectors, services
from api.models import ApiKey
from jxc.documents import form_kept

VIEW = "api.view_apikey"
NEW_TOKEN = "api_new_token"  # noqa: S105 (a session key's name)
PAGE_SIZE = 50


@permission_required(VIEW, raise_exception=True)
@require_GET
def key_list(request):
    return render(
        request,
        "api/key_list.html",
        {
            "keys": selectors.key_list(),
            "form": forms.ApiKeyForm(),
            "can_add": request.user.has_perm("api.add_apikey"),
        },
    )


@permission_required("api.add_apikey", raise_exception=True)
@require_http_methods(["GET", "POST"])
@never_cache
def key_create(request):
    form = forms.ApiKeyForm(request.POST or None)
    if request.method == "POST":
        with form_kept(form):
            if form.is_valid():
                data = form.cleaned_data
                made = services.api_key_create(
                    name=data["name"],
                    scope=data["scope"],
                    shop_id=data["shop"].pk if data["shop"] else None,
                    webhook_url=data["webhook_url"],
                    user=request.user,
                    submission=data["submission"],
                )
                if made is None:
                    messages.info(
                        request,
                        _(
                            "This form was sent already and its key made; the key "
                            "was shown then, and only then."
                        ),
                    )
                    return redirect("api:key_list")
                # Shown once, on the next page: the session holds it only until
                # that page takes it out (never in a cookie, never in a URL).
                request.session[NEW_TOKEN] = [made.key.pk, made.token]
                messages.success(
                    request,
                    _("API key “%(name)s” created.") % {"name": made.key.name},
                )
                return redirect("api:key_detail", pk=made.key.pk)
    return render(request, "api/key_form.html", {"form": form})


@permission_required(VIEW, raise_exception=True)
@require_GET
def key_detail(request, pk):
    key = get_object_or_404(ApiKey.objects.select_related("created_by", "shop"), pk=pk)
    new = request.session.pop(NEW_TOKEN, None)
    token = new[1] if new and new[0] == key.pk else None
    response = render(
        request,
        "api/key_detail.html",
        {
            "key": key,
            "events": selectors.delivery_log(key=key)[:10],
            "can_revoke": request.user.has_perm("api.change_apikey") and key.is_active,
            "token": token,
        },
    )
    if token:
        add_never_cache_headers(response)
    return response


@permission_required("api.change_apikey", raise_exception=True)
@require_http_methods(["GET", "POST"])
def key_revoke(request, pk):
    key = get_object_or_404(ApiKey, pk=pk)
    if request.method == "POST":
        services.api_key_revoke(key=key, user=request.user)
        messages.success(
            request, _("The key “%(name)s” is revoked.") % {"name": key.name}
        )
        return redirect("api:key_detail", pk=key.pk)
    return render(request, "api/key_revoke.html", {"key": key})


@permission_required(VIEW, raise_exception=True)
@require_GET
def deliveries(request):
    form = forms.DeliveryFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    events = selectors.delivery_log(
        key=chosen.get("key"), status=chosen.get("status", "")
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "api/deliveries.html", {"form": form, "page_obj": page})


class OwnerPages(BasePermission):
    """The schema and docs: the owner's pages (who makes the keys)."""

    def has_permission(self, request, view):
        return request.user.has_perm(VIEW)


class JsonSchema(OpenApiJsonRenderer):
    media_type = "application/json"


class SchemaView(SpectacularAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [OwnerPages]
    renderer_classes = [JsonSchema]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's files (served by the app, no
    CDN); the page loads its start script from this URL (``?script``), so it
    needs no inline script and the site's strict CSP holds (README, API)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [OwnerPages]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


# Pages of the site like any other: signed out, the sign-in page (DRF's own views
# would answer 403).
schema = login_required(SchemaView.as_view())
docs = login_required(DocsView.as_view())
