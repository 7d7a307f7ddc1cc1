"""The monthly 进销存 summary (opening + in − out = closing, quantities and
values per product): owner-level keys only, as the summary page is the owner's."""

from __future__ import annotations

import math
import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from api.framework import VIEW_COST, ApiViewSet, check_key_shop, key_shop_id
from catalog.models import Warehouse
from inventory.months import next_month
from inventory.selectors import SUMMARY_COLUMNS
from reports import selectors

PAGE = 200
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# One row of the summary: the product and every column of SUMMARY_COLUMNS (the
# serializer's metaclass builds it, so the columns follow the summary's own list).
SummaryRowSerializer = type(serializers.Serializer)(
    "SummaryRowSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "product": serializers.IntegerField(),
        "sku": serializers.CharField(),
        "name": serializers.CharField(),
        "unit": serializers.CharField(),
        **{column: serializers.DecimalField(20, 3) for column in SUMMARY_COLUMNS},
    },
)


class SummarySerializer(serializers.Serializer):
    month = serializers.CharField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    totals = serializers.DictField(child=serializers.DecimalField(20, 3))
    results = SummaryRowSerializer(many=True)


def _month(value: str | None) -> date:
    if not value:
        today = timezone.localdate()
        return today.replace(day=1)
    found = MONTH.match(value)
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise exceptions.ValidationError({"month": _("A month like 2026-11.")})
    return date(int(found[1]), int(found[2]), 1)


def _number(value: str | None, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise exceptions.ValidationError({name: _("An id: a whole number.")})
    return int(value)


class SummaryViewSet(ApiViewSet):
    required_perms = {"GET": (VIEW_COST,)}
    needs_costs = True
    pagination_class = None
    serializer_class = SummarySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM; default this month."),
            OpenApiParameter("warehouse", int, description="Only this warehouse."),
            OpenApiParameter("page", OpenApiTypes.INT, description="200 rows a page."),
        ],
        responses=SummarySerializer,
    )
    def list(self, request):
        params = request.query_params
        start = _month(params.get("month"))
        warehouse = _number(params.get("warehouse"), "warehouse")
        page = _number(params.get("page"), "page") or 1
        if warehouse is not None:
            check_key_shop(request, Warehouse.objects.filter(pk=warehouse).first())
        rows, totals = selectors.summary(
            start=start,
            end=next_month(start),
            warehouse_id=warehouse,
            window=((page - 1) * PAGE, PAGE),
            shop_id=key_shop_id(request),
        )
        results = [
            {
                "product": row["product_id"],
                "sku": row["product"].sku,
                "name": row["product"].name,
                "unit": row["product"].unit,
                **{column: row[column] for column in SUMMARY_COLUMNS},
            }
            for row in rows
        ]
        data = {
            "month": f"{start:%Y-%m}",
            "count": rows.count_all,
            "page": page,
            "pages": max(1, math.ceil(rows.count_all / PAGE)),
            "totals": totals,
            "results": results,
        }
        return Response(SummarySerializer(data).data)


ENDPOINTS = [("summary", SummaryViewSet, "summary")]
