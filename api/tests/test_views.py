"""The owner's API pages: make a key (shown once), revoke it, the delivery log."""

from __future__ import annotations

import uuid

import pytest

from api.models import ApiKey
from api.services import api_key_create, webhook_events_add
from api.tests.helpers import KeyClient
from audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def test_the_owner_makes_a_key_and_sees_it_once(owner_client, owner):
    page = owner_client.get("/api/keys/new/")
    assert page.status_code == 200
    submission = str(uuid.uuid4())
    response = owner_client.post(
        "/api/keys/new/",
        {
            "name": "网店",
            "scope": "orders",
            "webhook_url": "",
            "submission": submission,
        },
    )
    key = ApiKey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/api/keys/{key.pk}/"
    shown = owner_client.get(response["Location"])
    token = shown.context["token"]
    assert token in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    # Once: the page again shows no key.
    assert token not in owner_client.get(response["Location"]).content.decode()
    assert (key.name, key.scope, key.created_by) == ("网店", "orders", owner)
    assert KeyClient(token).get("/api/v1/products/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=key.pk).exists()
    # The same form sent again makes no second key and shows no key.
    again = owner_client.post(
        "/api/keys/new/",
        {
            "name": "网店",
            "scope": "orders",
            "webhook_url": "",
            "submission": submission,
        },
    )
    assert again.status_code == 302
    assert ApiKey.objects.count() == 1
    listing = owner_client.get("/api/keys/")
    assert token not in listing.content.decode()
    assert key.prefix in listing.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "scope": "read"},
        {"name": "x", "scope": "root"},
        {"name": "x", "scope": "read", "webhook_url": "ftp://example.com/x"},
        {"name": "x\x00", "scope": "read"},
        {"name": "x" * 101, "scope": "read"},
    ],
)
def test_bad_key_forms_are_refused_and_nothing_is_made(owner_client, data):
    response = owner_client.post(
        "/api/keys/new/", {"submission": str(uuid.uuid4()), **data}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_revoking_asks_first_then_stops_the_key(owner_client, owner):
    made = api_key_create(name="会计", scope="read", user=owner)
    url = f"/api/keys/{made.key.pk}/revoke/"
    confirm = owner_client.get(url)
    assert "会计" in confirm.content.decode()
    assert KeyClient(made.token).get("/api/v1/products/").status_code == 200
    owner_client.post(url)
    assert KeyClient(made.token).get("/api/v1/products/").status_code == 401
    owner_client.post(url)  # twice: nothing more happens
    assert (
        AuditEntry.objects.filter(action=Action.CHANGE, object_id=made.key.pk).count()
        == 1
    )


def test_a_clerk_cannot_open_or_post_the_key_pages(staff_client, owner):
    made = api_key_create(name="会计", scope="read", user=owner)
    for url in ("/api/keys/", "/api/keys/new/", "/api/webhooks/"):
        assert staff_client.get(url).status_code == 403
    assert staff_client.post(f"/api/keys/{made.key.pk}/revoke/").status_code == 403
    assert (
        staff_client.post("/api/keys/new/", {"name": "x", "scope": "full"}).status_code
        == 403
    )
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    assert ApiKey.objects.count() == 1


def test_key_list_and_delivery_log_query_counts_stay_flat(
    owner_client, owner, count_queries
):
    key = api_key_create(
        name="网店", scope="read", user=owner, webhook_url="http://127.0.0.1:9/"
    ).key
    webhook_events_add([key.pk], [("document.posted", {})])
    few = (
        count_queries(owner_client, "/api/keys/"),
        count_queries(owner_client, "/api/webhooks/"),
    )
    for index in range(4):
        other = api_key_create(
            name=f"k{index}",
            scope="read",
            user=owner,
            webhook_url="http://127.0.0.1:9/",
        ).key
        webhook_events_add([other.pk], [("stock.changed", {})] * 3)
    many = (
        count_queries(owner_client, "/api/keys/"),
        count_queries(owner_client, "/api/webhooks/"),
    )
    assert few == many


def test_the_docs_page_loads_swagger_ui_from_the_app(owner_client):
    response = owner_client.get("/api/v1/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    )
    assert "<style" not in body and "<script>" not in body
    script = owner_client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "/api/v1/schema/" in script.content.decode()
