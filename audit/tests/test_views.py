"""The owner's log page and each record's history: who may see them, the filters,
a flat query count, and no way to change an entry from the app."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.translation import gettext

from accounts.tests.factories import OwnerFactory, StaffFactory
from audit.models import Action, AuditEntry
from audit.services import audit_record
from catalog import services as catalog
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import receive
from purchasing.tests.factories import ordered

pytestmark = pytest.mark.django_db
D = Decimal


def product(owner, sku="SG001", name="苹果", **data):
    return catalog.product_save(data={"sku": sku, "name": name, **data}, user=owner)


def test_owner_sees_the_log_with_who_what_and_old_new(owner_client, owner):
    apple = product(owner, sale_price=D("5"))
    catalog.product_save(product=apple, data={"sale_price": D("6")}, user=owner)
    response = owner_client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="h3">{gettext("Audit log")}</h1>' in html
    assert "SG001 苹果" in html
    assert f'href="/catalog/products/{apple.pk}/"' in html
    assert "<del>5.00</del>" in html and "6.00" in html
    assert "boss" in html


def test_staff_get_403_and_anonymous_the_login_page(staff_client, owner):
    apple = product(owner)
    for url in ("/audit/", f"/audit/history/catalog.product/{apple.pk}/"):
        assert staff_client.get(url).status_code == 403
    response = Client().get("/audit/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_only_the_owner_role_holds_the_audit_permission(owner, staff):
    assert owner.has_perm("audit.view_auditentry")
    assert not staff.has_perm("audit.view_auditentry")
    # No permission to add, change or delete entries exists at all.
    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_auditentry"}


def test_no_url_of_the_app_writes_an_entry(owner_client, owner):
    apple = product(owner)
    entry = AuditEntry.objects.get()
    routes = []

    def walk(resolver, prefix=""):
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                walk(item, prefix + str(item.pattern))
            elif isinstance(item, URLPattern):
                routes.append(prefix + str(item.pattern))

    walk(get_resolver())
    audit_routes = [r for r in routes if r.startswith("audit/")]
    assert audit_routes == [
        "audit/",
        "audit/history/<str:kind>/",
        "audit/history/<str:kind>/<int:pk>/",
    ]
    for url in ("/audit/", f"/audit/history/catalog.product/{apple.pk}/"):
        assert owner_client.post(url, {"action": "delete"}).status_code == 405
    assert list(AuditEntry.objects.values_list("pk", "summary")) == [(entry.pk, "")]


def test_the_admin_shows_entries_read_only(client, owner):
    product(owner)
    entry = AuditEntry.objects.get()
    root = OwnerFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    model_admin = admin.site._registry[AuditEntry]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None, entry)
    assert not model_admin.has_delete_permission(None, entry)
    change_url = f"/admin/audit/auditentry/{entry.pk}/change/"
    assert client.get(change_url).status_code == 200  # view only
    assert client.post(change_url, {"summary": "rewritten"}).status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    entry.refresh_from_db()
    assert entry.summary == ""


def test_entries_cannot_be_changed_or_deleted_in_code(owner):
    product(owner)
    entry = AuditEntry.objects.get()
    for attempt in (
        lambda: AuditEntry.objects.update(summary="x"),
        lambda: AuditEntry.objects.all().delete(),
        lambda: entry.save(),
        lambda: entry.delete(),
    ):
        with pytest.raises(TypeError):
            attempt()
    assert AuditEntry.objects.get().summary == ""


@pytest.fixture
def history(owner):
    """Entries by two users, of several actions and kinds, over three days."""
    clerk = StaffFactory(username="xiaoli")
    apple = product(owner, sku="SG001", name="苹果")
    pear = product(clerk, sku="SG002", name="香梨")
    catalog.product_save(product=apple, data={"name": "红富士"}, user=owner)
    order = ordered(clerk, [(pear, "3", "2")])
    audit_record(user=owner, action=Action.CHANGE, record=pear, summary="上个月的修改")
    return {"apple": apple, "pear": pear, "order": order, "clerk": clerk}


def shown(response) -> list[str]:
    return [entry.object_label for entry, _url in response.context["rows"]]


def test_log_filters_by_user_action_kind_record_and_text(owner_client, owner, history):
    clerk = history["clerk"]
    by_clerk = owner_client.get("/audit/", {"user": clerk.pk})
    assert set(shown(by_clerk)) == {"SG002 香梨", history["order"].number}
    confirmed = owner_client.get("/audit/", {"action": Action.CONFIRM})
    assert shown(confirmed) == [history["order"].number]
    orders = owner_client.get("/audit/", {"kind": "purchasing.purchaseorder"})
    assert set(shown(orders)) == {history["order"].number}
    one = owner_client.get(
        "/audit/", {"kind": "catalog.product", "record": history["apple"].pk}
    )
    assert set(shown(one)) == {"SG001 苹果", "SG001 红富士"}
    text = owner_client.get("/audit/", {"q": "香梨"})
    assert set(shown(text)) == {"SG002 香梨"}
    by_summary = owner_client.get("/audit/", {"q": "上个月"})
    assert len(shown(by_summary)) == 1
    by_username = owner_client.get("/audit/", {"q": "xiaoli"})
    assert shown(by_username) == shown(by_clerk)


def test_log_filters_by_local_dates(owner_client, owner):
    apple = product(owner)
    entry = AuditEntry.objects.get()
    # 23:30 local time on the 31st of October belongs to that day.
    late = timezone.make_aware(timezone.datetime(2026, 10, 31, 23, 30))
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=late,
                user=owner,
                action=Action.CHANGE,
                content_type=entry.content_type,
                object_id=apple.pk,
                object_label="深夜",
            )
        ]
    )
    day = owner_client.get("/audit/", {"start": "2026-10-31", "end": "2026-10-31"})
    assert shown(day) == ["深夜"]
    today = timezone.localdate().isoformat()
    assert shown(owner_client.get("/audit/", {"start": today})) == ["SG001 苹果"]
    before = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "深夜" in shown(owner_client.get("/audit/", {"end": before}))


@pytest.mark.parametrize(
    "query",
    [
        {"user": "999999"},
        {"action": "hack"},
        {"kind": "auth.permission"},
        {"start": "2026-02-30"},
        {"record": "1e30"},
        {"page": "9999"},
        {"q": "\x00"},
    ],
)
def test_odd_filters_never_fail(owner_client, owner, query):
    product(owner)
    assert owner_client.get("/audit/", query).status_code == 200


def test_log_is_paginated(owner_client, owner):
    apple = product(owner)
    for n in range(60):
        audit_record(user=owner, action=Action.CHANGE, record=apple, summary=f"#{n}")
    first = owner_client.get("/audit/")
    assert len(first.context["rows"]) == 50
    second = owner_client.get("/audit/", {"page": "2"})
    assert len(second.context["rows"]) == 11


def test_log_query_count_is_pinned(owner_client, owner, count_queries):
    """Session, user, its two permission reads, the count, the page (users and
    record types joined), the user filter's choices, and saving the session
    (savepoint, update, release): fixed, however many entries, users and kinds."""

    def count():
        return count_queries(owner_client, "/audit/")

    product(owner)
    count()  # content types and permissions cached
    few = count()
    for n in range(20):
        clerk = StaffFactory(username=f"clerk{n}")
        pear = product(clerk, sku=f"X{n}", name=f"梨{n}")
        ordered(clerk, [(pear, "1", "1")])
    assert count() == few == 10


def test_history_fragment_on_the_record_page(owner_client, owner):
    apple = product(owner, sale_price=D("5"))
    catalog.product_save(product=apple, data={"sale_price": D("6")}, user=owner)
    page = owner_client.get(f"/catalog/products/{apple.pk}/").content.decode()
    assert f'hx-get="/audit/history/catalog.product/{apple.pk}/"' in page
    assert "/audit/?kind=catalog.product&amp;record=" in page  # without JavaScript
    staff_client = Client()
    staff_client.force_login(StaffFactory())
    staff_page = staff_client.get(f"/catalog/products/{apple.pk}/").content.decode()
    assert "/audit/" not in staff_page
    fragment = owner_client.get(f"/audit/history/catalog.product/{apple.pk}/")
    html = fragment.content.decode()
    assert [e.action for e in fragment.context["entries"]] == [
        Action.CHANGE,
        Action.CREATE,
    ]
    assert "<del>5.00</del>" in html and "<html" not in html


def test_history_of_a_kind_for_settings_and_month_close(owner_client, owner):
    owner_client.post("/purchasing/settings/", {"over_receipt_percent": "5"})
    page = owner_client.get("/purchasing/settings/").content.decode()
    assert 'hx-get="/audit/history/purchasing.purchasingsettings/"' in page
    fragment = owner_client.get("/audit/history/purchasing.purchasingsettings/")
    assert len(fragment.context["entries"]) == 1
    month = owner_client.get("/reports/month-close/").content.decode()
    assert 'hx-get="/audit/history/inventory.closedmonth/"' in month


def test_history_of_an_unknown_kind_is_404(owner_client):
    for kind in ("auth.permission", "nothing", "audit.auditentry"):
        assert owner_client.get(f"/audit/history/{kind}/1/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/purchasing/orders/{order}/",
        "/purchasing/receipts/{receipt}/",
        "/inventory/adjustments/{adjustment}/",
        "/accounts/users/{clerk}/",
        "/catalog/suppliers/{supplier}/edit/",
    ],
)
def test_document_and_record_pages_carry_their_history(owner_client, owner, url):
    from inventory import documents
    from inventory.documents import AdjustmentInput
    from purchasing.tests.factories import received

    apple = ProductFactory()
    receive(apple, "5", "1", user=owner)
    order = ordered(owner, [(apple, "2", "1")])
    receipt = received(owner, order, [(apple, "2")])
    adjustment = documents.adjustment_post(
        warehouse=order.warehouse,
        lines=[AdjustmentInput(apple, D("-1"), "damaged")],
        note="",
        user=owner,
    )
    ids = {
        "order": order.pk,
        "receipt": receipt.pk,
        "adjustment": adjustment.pk,
        "clerk": StaffFactory().pk,
        "supplier": order.supplier_id,
    }
    html = owner_client.get(url.format(**ids)).content.decode()
    assert 'id="record-history"' in html
    assert Product.objects.exists()
