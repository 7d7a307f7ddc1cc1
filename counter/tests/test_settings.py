"""The owner's counter settings and shop details pages."""

from decimal import Decimal

import pytest

from audit.models import AuditEntry
from catalog.models import ShopProfile
from catalog.tests.factories import ProductFactory
from counter.models import CounterSettings

pytestmark = pytest.mark.django_db


def _settings(**values):
    data = {
        "auto_print": "on",
        "scale_prefix": "2",
        "scale_layout": "weight",
        "opening_float": "200",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_the_owner_saves_counter_settings_with_an_audit_entry(owner_client):
    response = owner_client.post("/counter/settings/", _settings(scale_prefix="21"))
    assert response.status_code == 302
    saved = CounterSettings.objects.get()
    assert (saved.scale_prefix, saved.opening_float) == ("21", Decimal("200"))
    entry = AuditEntry.objects.get(object_label="")
    assert entry.changes["scale_prefix"] == ["2", "21"]


def test_the_settings_page_shows_a_worked_label(owner_client):
    page = owner_client.get("/counter/settings/").content.decode()
    from counter.scale import example_label

    # prefix 2, PLU 000001, 1234 g, and its check digit
    assert example_label("2", "1", 1234) in page
    assert example_label("2", "1", 1234).startswith("200000101234")


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [("", ""), ("a", "1 or 2 digits"), ("123", "1 or 2 digits"), ("2 ", None)],
)
def test_a_bad_prefix_is_refused_and_nothing_changes(owner_client, prefix, problem):
    response = owner_client.post("/counter/settings/", _settings(scale_prefix=prefix))
    if problem is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert not CounterSettings.objects.exists()


def test_a_two_digit_prefix_is_refused_while_a_plu_has_six_digits(owner_client):
    ProductFactory(name="西瓜", plu="123456")
    response = owner_client.post("/counter/settings/", _settings(scale_prefix="21"))
    assert response.status_code == 200
    assert "123456" in response.content.decode()
    assert not CounterSettings.objects.exists()


def test_staff_cannot_change_counter_settings_or_shop_details(staff_client):
    assert staff_client.get("/counter/settings/").status_code == 403
    assert staff_client.post("/counter/settings/", _settings()).status_code == 403
    assert staff_client.get("/catalog/shop/").status_code == 403
    assert staff_client.post("/catalog/shop/", {"name": "x"}).status_code == 403
    assert not CounterSettings.objects.exists() and not ShopProfile.objects.exists()


def test_the_owner_saves_the_shop_details_with_an_audit_entry(owner_client):
    response = owner_client.post(
        "/catalog/shop/",
        {
            "name": "阳光水果店",
            "address": "幸福路 1 号",
            "phone": "0571-88886666",
            "slip_footer": "再见",
        },
    )
    assert response.status_code == 302
    shop = ShopProfile.objects.get()
    assert (shop.name, shop.slip_footer) == ("阳光水果店", "再见")
    entry = AuditEntry.objects.get()
    assert entry.changes["name"] == ["", "阳光水果店"]


def test_shop_details_refuse_control_characters_and_too_long(owner_client):
    owner_client.post("/catalog/shop/", {"name": "a\x00b", "slip_footer": "x"})
    owner_client.post("/catalog/shop/", {"name": "x" * 101, "slip_footer": "x"})
    assert not ShopProfile.objects.exists()
