"""The OpenAPI schema is valid (drf-spectacular's generation without a warning,
then openapi-spec-validator) and names every endpoint and the bearer key."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/products/", "/api/v1/stock/", "/api/v1/customers/", "/api/v1/suppliers/",
    "/api/v1/warehouses/", "/api/v1/sales-orders/", "/api/v1/shipments/",
    "/api/v1/sales-returns/", "/api/v1/purchase-orders/", "/api/v1/receipts/",
    "/api/v1/purchase-returns/", "/api/v1/summary/", "/api/v1/price-levels/",
    "/api/v1/accounts/", "/api/v1/customer-payments/",
    "/api/v1/customer-payments/{id}/",
]  # fmt: skip


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.json"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
        "--file", str(out),
    )  # fmt: skip
    schema = json.loads(out.read_text())
    validate(schema)
    assert all(path in schema["paths"] for path in PATHS)
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert "post" in schema["paths"]["/api/v1/sales-orders/"]
    assert "post" in schema["paths"]["/api/v1/customer-payments/"]
    components = schema["components"]["schemas"]
    product = components["Product"]["properties"]
    assert {"style", "variant_values", "package_units", "level_prices"} <= set(product)
    assert {"price_level", "balance"} <= set(components["Customer"]["properties"])
    assert "packages" in components["Stock"]["properties"]
    paying = components["PaymentCreateRequest"]["properties"]
    assert {"customer", "account", "amount", "allocations"} <= set(paying)


def test_the_owner_reads_the_schema(owner_client):
    response = owner_client.get("/api/v1/schema/")
    assert response.status_code == 200
    validate(response.json())


def test_a_clerk_does_not_read_the_schema(staff_client):
    assert staff_client.get("/api/v1/schema/").status_code == 403


def test_drf_leaves_the_sites_form_messages_as_they_were():
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        assert gettext("This field is required.") == "这个字段是必填项。"
