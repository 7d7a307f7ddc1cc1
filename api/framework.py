"""How a call is let in, counted, audited and answered: the key authentication,
scopes, the per-key rate limit, pagination, errors in the user's words, and the
base every endpoint of /api/v1/ builds on (api/v1/<app>.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import exception_handler
from rest_framework.viewsets import GenericViewSet

from api import services
from api.models import ApiKey, Scope
from catalog.models import Warehouse
from catalog.shops import WAREHOUSE_FIELDS
from jxc.documents import NotSaved, failure_kind, not_saved

VIEW_COST = "accounts.view_cost"
# Which scopes may write through an endpoint whose write_scope is the key.
WRITERS = {Scope.ORDERS: {Scope.ORDERS, Scope.FULL}, Scope.FULL: {Scope.FULL}}
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f6b0f3e-3c1e-4a53-9a39-2d1f0c9e1a21")


class KeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer jxc_<prefix>_<secret>``: the call acts as the
    owner who made the key, within the key's scope."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        key = services.api_key_find(token)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return key.created_by, key

    def authenticate_header(self, request):
        return self.keyword


def key_of(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


def key_shop_id(request) -> int | None:
    """The shop the call's key is bound to; None: every shop."""
    key = key_of(request)
    return key.shop_id if key else None


def in_key_shop(rows, request):
    """``rows`` (warehouses, stock levels, documents: anything with a warehouse,
    or a transfer's two) narrowed to the key's shop; records of no warehouse
    (products, partners, payments) as they are. (catalog.shops' fields.)"""
    shop_id = key_shop_id(request)
    if shop_id is None:
        return rows
    if rows.model is Warehouse:
        return rows.filter(shop_id=shop_id)
    names = {field.name for field in rows.model._meta.get_fields()}
    condition = Q()
    for name in WAREHOUSE_FIELDS:
        if name in names:
            condition |= Q(**{f"{name}__shop_id": shop_id})
    return rows.filter(condition) if condition else rows


def check_key_shop(request, warehouse, name: str = "warehouse") -> None:
    """A 400 (nothing written) when a shop-bound key names another shop's
    warehouse."""
    shop_id = key_shop_id(request)
    if shop_id is not None and warehouse is not None and warehouse.shop_id != shop_id:
        raise exceptions.ValidationError(
            {
                name: [
                    _("This API key belongs to one shop: use a warehouse of that shop.")
                ]
            }
        )


def sees_costs(request) -> bool:
    """Costs, stock values and margins: an owner-level key of an owner."""
    key = key_of(request)
    return bool(key and key.scope == Scope.FULL and request.user.has_perm(VIEW_COST))


class KeyScope(BasePermission):
    """A key, a scope that allows the method, and the page permissions the
    endpoint's pages need (``required_perms``: the role rules, as on the pages)."""

    message = _("This API key's scope does not allow this call.")

    def has_permission(self, request, view):
        key = key_of(request)
        if key is None:
            return False
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            write_scope = getattr(view, "write_scope", None)
            if write_scope is None or key.scope not in WRITERS[write_scope]:
                return False
        if getattr(view, "needs_costs", False) and not sees_costs(request):
            return False
        perms = view.required_perms.get(request.method, ())
        return request.user.has_perms(perms)


class KeyRateThrottle(BaseThrottle):
    """At most JXC_API_CALLS_PER_MINUTE calls per key per minute, counted in the
    database (api.RateWindow): every worker and host shares the count."""

    def allow_request(self, request, view):
        key = key_of(request)
        if key is None:
            return True
        return services.rate_count(key=key) <= settings.JXC_API_CALLS_PER_MINUTE

    def wait(self):
        import time

        return 60 - time.time() % 60


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def handle_exception(error, context):
    """Django's ValidationError (a service's refusal) is a 400 with its messages;
    NotSaved (the database failed, nothing written) a 503 to retry."""
    if isinstance(error, NotSaved):
        return Response(
            {"detail": error.messages[0], "retry": True},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if isinstance(error, DjangoValidationError):
        return Response({"detail": error.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(error, DatabaseError):
        # A conflict or a broken connection inside the call's own transaction:
        # rolled back whole; the same call again (with its Idempotency-Key) is safe.
        kind = failure_kind(error)
        connection.close_if_unusable_or_obsolete()
        return Response(
            {"detail": not_saved(kind), "retry": True},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return exception_handler(error, context)


class ApiViewSet(GenericViewSet):
    """The base of every endpoint: key authentication only (no session: the pages'
    sign-in never opens the API, and no CSRF applies), every call audited."""

    authentication_classes = [KeyAuthentication]
    permission_classes = [KeyScope]
    throttle_classes = [KeyRateThrottle]
    pagination_class = Pages
    required_perms: dict[str, tuple[str, ...]] = {}
    write_scope: str | None = None
    needs_costs = False

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        # The key is the sign-in: the site's LoginRequiredMiddleware lets it by.
        view.login_required = False
        return view

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["costs"] = sees_costs(self.request)
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        key = key_of(request)
        if key is not None:
            services.api_call_record(
                key=key,
                method=request.method,
                path=request.get_full_path()[:300],
                status=response.status_code,
            )
        return super().finalize_response(request, response, *args, **kwargs)

    def idempotent(self, request, write):
        """Run ``write`` (returns a Response) once per Idempotency-Key: a retry, or a
        second identical request sent at the same time, gets the first answer."""
        header = request.headers.get("Idempotency-Key")
        if header is None:
            return write(None)
        if not header or len(header) > 200:
            raise exceptions.ValidationError(
                {"detail": _("Idempotency-Key: 1 to 200 characters.")}
            )
        try:
            return self._idempotent(request, header, write)
        except DatabaseError:
            # Rolled back whole, the claim too: the same retry runs it again.
            return Response(
                {"detail": not_saved("busy"), "retry": True},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )

    def _idempotent(self, request, header, write):
        key = key_of(request)
        print_ = services.fingerprint(request.method, request.path, request.body)
        with transaction.atomic():
            try:
                record = services.idempotent_claim(
                    key=key, idempotency_key=header, print_=print_
                )
            except services.IdempotencyConflict:
                return Response(
                    {"detail": _("This Idempotency-Key was used for another request.")},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if record.status_code:
                response = Response(record.response, status=record.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
            submission = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{key.pk}:{header}")
            response = self._refusal_kept(write, submission)
            services.idempotent_store(
                record, status=response.status_code, data=response.data
            )
        return response

    def _refusal_kept(self, write, submission):
        """A refusal rolls back the write's savepoint and is an answer (400)."""
        try:
            with transaction.atomic():
                return write(submission)
        except DjangoValidationError as error:
            return handle_exception(error, {})
        except exceptions.ValidationError as error:
            return Response(error.detail, status=status.HTTP_400_BAD_REQUEST)
