"""What the endpoint modules share: cost fields only for owner-level keys, the
``updated_since`` filter, read-only list + detail, document serializers."""

from __future__ import annotations

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers

from api.framework import ApiViewSet, in_key_shop


class CostAware(serializers.ModelSerializer):
    """Drops ``Meta.cost_fields`` unless the key sees costs (owner level)."""

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("costs", False):
            for name in getattr(self.Meta, "cost_fields", ()):
                fields.pop(name, None)
        return fields


def moment(value: str, name: str):
    """A query parameter's date or date-time (ISO 8601), aware in the shop's zone."""
    parsed = parse_datetime(value)
    if parsed is None and (day := parse_date(value)) is not None:
        from datetime import datetime

        parsed = datetime(day.year, day.month, day.day)
    if parsed is None:
        raise exceptions.ValidationError(
            {name: _("Use a date or date-time like 2026-12-01T08:00:00+08:00.")}
        )
    return make_aware(parsed) if is_naive(parsed) else parsed


SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only records changed at or after this moment (ISO 8601).",
)
DOCUMENT_SINCE = OpenApiParameter(
    "since",
    OpenApiTypes.DATETIME,
    description="Only documents created at or after this moment (ISO 8601).",
)
STATUS = OpenApiParameter("status", str, description="Only documents in this status.")


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """List (paginated) and detail of one kind of record. ``since_field``: the
    column the ``since_param`` filter compares (an empty ``since_param``: no
    such filter, for records without a change time)."""

    since_field = "updated_at"
    since_param = "updated_since"

    def filter_queryset(self, queryset):
        # A shop-bound key sees its shop's records only (list and detail: 404).
        queryset = in_key_shop(queryset, self.request)
        value = self.since_param and self.request.query_params.get(self.since_param)
        if value and self.action == "list":
            queryset = queryset.filter(
                **{f"{self.since_field}__gte": moment(value, self.since_param)}
            )
        return queryset


def document_viewset(model, serializer, perm, *, partner: str, schema_name: str):
    """A read-only endpoint of one kind of document, its lines with their
    products in two queries, filterable by ``since`` (created) and ``status``."""

    @extend_schema_view(list=extend_schema(parameters=[DOCUMENT_SINCE, STATUS]))
    class Documents(ReadOnly):
        serializer_class = serializer
        required_perms = {"GET": (perm,)}
        since_field = "created_at"
        since_param = "since"

        def get_queryset(self):
            return (
                model.objects.select_related(partner, "warehouse")
                .prefetch_related("lines__product")
                .order_by("-id")
            )

        def filter_queryset(self, queryset):
            queryset = super().filter_queryset(queryset)
            if status := self.request.query_params.get("status"):
                queryset = queryset.filter(status=status)
            return queryset

    Documents.__name__ = Documents.__qualname__ = schema_name
    return Documents
