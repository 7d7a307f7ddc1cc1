"""What the fuzz tests found, pinned: each input once answered with a server error
or a page that did not say what was wrong. Now refused with a clear message, and
nothing is written."""

from __future__ import annotations

import html
import importlib
import json
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override

from catalog.models import Supplier
from inventory.models import ClosedMonth
from jxc.forms import InputRulesMixin, ReasonForm
from jxc.inputs import CONTROL_CHARACTERS
from jxc.tests.fuzz import changes, fingerprint, formset, messages_of
from jxc.tests.fuzz_world import client_for, world_fixture  # noqa: F401
from purchasing import services as purchasing
from purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db

SHOP_APPS = [
    "accounts",
    "catalog",
    "inventory",
    "jxc",
    "purchasing",
    "reports",
    "sales",
]
CONTROL = (
    "This text contains invalid characters (control characters such as NUL). "
    "Remove them and type it again."
)
STALE = "This form is out of date or incomplete. Reload the page and enter it again."


def shown(response, msgid: str) -> bool:
    """The message, in the shop's language, is on the page (escaped as HTML)."""
    with override("zh-hans"):
        text = gettext(msgid)
    return html.escape(text) in response.content.decode()


def flashed(response) -> list[str]:
    return [text for _level, text in messages_of(response)]


@pytest.fixture
def owner_browser(world):
    return client_for(world, "owner")


# --- text: control characters, script ------------------------------------------------


@pytest.mark.parametrize("name", ["果园\x00", "\x1b[31m果园", "果园\x7f", "果\ufffe园"])
def test_control_characters_in_text_are_refused_with_a_clear_message(
    world, owner_browser, name
):
    before = fingerprint()
    response = owner_browser.post(
        f"/catalog/suppliers/{world.supplier.pk}/edit/",
        {"code": "S1", "name": name, "is_active": "on"},
    )
    assert response.status_code == 200
    assert shown(response, CONTROL)
    assert changes(before, fingerprint()) == {}
    assert Supplier.objects.get(pk=world.supplier.pk).name == "果园"


def test_tabs_and_line_breaks_are_ordinary_typing(world, owner_browser):
    response = owner_browser.post(
        f"/catalog/suppliers/{world.supplier.pk}/edit/",
        {"code": "S1", "name": "果园", "note": "一\t二\r\n三", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Supplier.objects.get(pk=world.supplier.pk).note == "一\t二\r\n三"


def test_every_text_field_of_a_shop_form_refuses_control_characters():
    form = ReasonForm({"reason": "录错\x00了"})
    assert not form.is_valid()
    assert form.errors["reason"] == [gettext(CONTROL)]
    assert isinstance(form, InputRulesMixin)
    assert CONTROL_CHARACTERS.search("\x85") and not CONTROL_CHARACTERS.search("\t\n\r")


def test_typed_script_comes_back_escaped(world, owner_browser):
    script = "<script>alert(1)</script>"
    response = owner_browser.post(
        "/catalog/suppliers/new/", {"code": "S1", "name": script, "is_active": "on"}
    )
    page = response.content.decode()
    assert response.status_code == 200  # the code is taken: the form comes back
    assert script not in page
    assert html.escape(script) in page


# --- hidden fields: tokens and versions ---------------------------------------------


def adjustment(world, **header):
    return {
        "submission": world.tokens()[-1],
        "warehouse": str(world.warehouse.pk),
        "note": "",
        **formset(
            "lines",
            [
                {
                    "product": "A001",
                    "direction": "out",
                    "quantity": "1",
                    "reason": "damaged",
                }
            ],
        ),
        **header,
    }


@pytest.mark.parametrize("token", ["garbage", "-1", "not-a-uuid-\x00"])
def test_a_garbled_submission_token_says_to_reload(world, owner_browser, token):
    before = fingerprint()
    data = adjustment(world, submission=token)
    response = owner_browser.post("/inventory/adjustments/new/", data)
    assert response.status_code == 200
    assert shown(response, STALE)
    assert changes(before, fingerprint()) == {}


@pytest.mark.parametrize("version", ["", "abc", "-", "1.5"])
def test_a_garbled_version_on_a_shipment_says_to_reload(world, owner_browser, version):
    order = world.confirmed_so
    line = order.lines.order_by("pk").first()
    before = fingerprint()
    response = owner_browser.post(
        f"/sales/shipments/new/?order={order.pk}",
        {"version": version, f"ship_{line.pk}": "1", "note": ""},
    )
    assert response.status_code == 200
    assert shown(response, STALE)
    assert changes(before, fingerprint()) == {}


def test_a_garbled_version_on_a_count_sheet_says_to_reload(world):
    clerk = client_for(world, "staff")
    line = world.stocktake.lines.first()
    before = fingerprint()
    response = clerk.post(
        f"/inventory/stocktakes/{world.stocktake.pk}/",
        {"version": "x", f"count_{line.pk}": "3", "save": ""},
    )
    assert response.status_code == 200
    assert shown(response, STALE)
    assert changes(before, fingerprint()) == {}


def test_a_too_long_shipment_note_is_shown_on_the_form(world, owner_browser):
    order = world.confirmed_so
    line = order.lines.order_by("pk").first()
    before = fingerprint()
    response = owner_browser.post(
        f"/sales/shipments/new/?order={order.pk}",
        {"version": order.version, f"ship_{line.pk}": "1", "note": "长" * 201},
    )
    assert response.status_code == 200
    assert 'invalid-feedback d-block">' in response.content.decode()
    assert "201" in response.content.decode()  # "…at most 200 characters (it has 201)"
    assert changes(before, fingerprint()) == {}


def test_a_too_long_return_reason_is_shown_on_the_form(world, owner_browser):
    line = world.shipment.lines.get()
    before = fingerprint()
    response = owner_browser.post(
        f"/sales/returns/new/?shipment={world.shipment.pk}",
        {"reason": "x" * 100_000, f"return_{line.pk}": "1"},
    )
    assert response.status_code == 200
    assert "100000" in response.content.decode()
    assert changes(before, fingerprint()) == {}


# --- formsets ------------------------------------------------------------------------


@pytest.mark.parametrize("total", ["0", "-1", None])
def test_a_retail_sale_without_lines_is_refused_not_a_server_error(world, total):
    clerk = client_for(world, "staff")
    data = {
        "submission": world.tokens()[-1],
        "warehouse": str(world.warehouse.pk),
        "amount_received": "100",
        "lines-INITIAL_FORMS": "0",
    }
    if total is not None:
        data["lines-TOTAL_FORMS"] = total
    before = fingerprint()
    response = clerk.post("/sales/retail/", data)
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert changes(before, fingerprint()) == {}


# --- numbers and ids in the query string or a plain POST ----------------------------


@pytest.mark.parametrize("days", ["²", "٣", "0", "9" * 30, "-5", "abc"])
@pytest.mark.parametrize("page", ["/reports/reorder/", "/reports/slow/"])
def test_odd_day_counts_fall_back_to_the_default(world, owner_browser, page, days):
    response = owner_browser.get(page, {"days": days})
    assert response.status_code == 200
    if page == "/reports/reorder/":  # 28 days of sales
        assert response.context["days"] == 28
    else:  # not sold in the last 90 days
        from datetime import timedelta

        from django.utils import timezone

        since = f"{timezone.localdate() - timedelta(days=89):%Y-%m-%d}"
        assert f"自 {since} 起未售出" in response.context["table"].notes
        assert f"自 {since} 起未售出" in response.content.decode()


@pytest.mark.parametrize(
    "typed", ["NaN", "sNaN", "Infinity", "-Infinity", "1e30", "0.0000001", "-1", "x"]
)
def test_reorder_quantities_out_of_range_are_refused_naming_the_product(
    world, owner_browser, typed
):
    before = fingerprint()
    response = owner_browser.post(
        "/reports/reorder/orders/",
        {"product": [str(world.apple.pk)], f"quantity_{world.apple.pk}": typed},
    )
    assert response.status_code == 302
    assert response.url == "/reports/reorder/"
    assert any("苹果" in text for text in flashed(response))
    assert changes(before, fingerprint()) == {}


def test_reorder_ignores_product_ids_that_are_not_ids(world, owner_browser):
    before = fingerprint()
    response = owner_browser.post(
        "/reports/reorder/orders/", {"product": ["²", "9" * 40, "-1"]}
    )
    assert response.status_code == 302
    assert flashed(response)  # "Choose at least one product to order."
    assert changes(before, fingerprint()) == {}


def test_reorder_still_makes_drafts_from_good_quantities(world, owner_browser):
    response = owner_browser.post(
        "/reports/reorder/orders/",
        {"product": [str(world.apple.pk)], f"quantity_{world.apple.pk}": "12.5"},
    )
    assert response.url == "/purchasing/"
    order = PurchaseOrder.objects.latest("pk")
    assert order.lines.get().quantity == Decimal("12.5")


@pytest.mark.parametrize("month", ["0001-01", "1999-12", "2101-01"])
def test_closing_a_month_outside_2000_to_2100_is_refused(world, owner_browser, month):
    response = owner_browser.post("/reports/month-close/", {"month": month})
    assert response.status_code == 302
    with override("zh-hans"):
        assert flashed(response) == [gettext("Choose a month between 2000 and 2100.")]
    assert not ClosedMonth.objects.exists()


@pytest.mark.parametrize("quantity", ["0.0000001", "1e30", "0", "-1"])
def test_a_purchase_order_line_must_hold_its_quantity(world, quantity):
    with pytest.raises(ValidationError, match="0.001"):
        purchasing.purchase_order_save(
            supplier=world.supplier,
            warehouse=world.warehouse,
            order_date=timezone.localdate(),
            expected_date=None,
            note="",
            user=world.owner,
            lines=[purchasing.OrderLineInput(world.apple, Decimal(quantity))],
        )


# --- lookups with control characters (PostgreSQL refuses NUL in a query) -------------


def test_a_product_search_with_nul_is_no_server_error(world, owner_browser):
    # A scan is looked up first: a NUL in it matched nothing and crashed on
    # PostgreSQL. The list then ignores the refused search box.
    response = owner_browser.get("/catalog/products/", {"q": "A00\x001"})
    assert response.status_code == 200
    # The refused search is ignored: the list shows the shop's products.
    assert "A001" in response.content.decode()


def test_product_suggestions_for_text_with_nul_are_empty(world, owner_browser):
    response = owner_browser.get("/catalog/products/options/", {"q": "A00\x001"})
    assert response.status_code == 200
    assert "A001" not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "query", "empty"),
    [
        ("/sales/availability/", {"warehouse": "1"}, {"available": None}),
        ("/purchasing/price/", {"supplier": "1"}, {"price": None}),
    ],
)
def test_a_line_lookup_with_control_characters_finds_nothing(
    world, owner_browser, path, query, empty
):
    for code in ("A00\x001", "A0\x1b01"):
        response = owner_browser.get(path, {**query, "product": code})
        assert response.status_code == 200
        assert json.loads(response.content) == empty


@pytest.mark.parametrize("total", ["301", "1000000", "9" * 25])
def test_a_tampered_line_count_is_refused_without_building_its_lines(
    world, owner_browser, total
):
    before = fingerprint()
    response = owner_browser.post(
        "/purchasing/orders/new/",
        {
            "submission": world.tokens()[-1],
            "supplier": world.supplier.code,
            "warehouse": str(world.warehouse.pk),
            "order_date": timezone.localdate().isoformat(),
            "lines-TOTAL_FORMS": total,
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": "A001",
            "lines-0-quantity": "1",
        },
    )
    assert response.status_code == 200
    assert len(response.context["lines"].forms) <= 300
    with override("zh-hans"):
        message = ngettext(
            "A document has at most %(num)d line.",
            "A document has at most %(num)d lines.",
            300,
        ) % {"num": 300}
    assert html.escape(message) in response.content.decode()
    assert changes(before, fingerprint()) == {}


def test_a_formset_without_its_management_form_says_to_reload(world, owner_browser):
    before = fingerprint()
    response = owner_browser.post(
        "/inventory/transfers/new/",
        {
            "submission": world.tokens()[-1],
            "from_warehouse": str(world.warehouse.pk),
            "to_warehouse": str(world.other_warehouse.pk),
            "lines-0-product": "A001",
            "lines-0-quantity": "1",
        },
    )
    assert response.status_code == 200
    assert shown(response, STALE)
    assert changes(before, fingerprint()) == {}


def test_a_count_sheet_of_thousands_of_products_can_be_saved(world, settings):
    # Django refuses more than 1,000 fields by default: a real stocktake has more.
    line = world.stocktake.lines.first()
    data = {"version": world.stocktake.version, f"count_{line.pk}": "4", "save": ""}
    data.update({f"other_{n}": "" for n in range(3000)})
    response = client_for(world, "staff").post(
        f"/inventory/stocktakes/{world.stocktake.pk}/", data
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.counted_quantity == 4


def test_a_request_django_cannot_read_gets_a_page_in_the_layout(
    world, owner_browser, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = owner_browser.post(
        "/catalog/suppliers/new/", {f"f{n}": "x" for n in range(20)}
    )
    assert response.status_code == 400
    assert shown(response, "The form could not be read")


def test_a_retail_sale_sent_with_a_sales_orders_token_is_refused(world):
    # Counter sales and sales orders share one token column: a tampered page
    # once found the draft order and failed looking for its shipment.
    clerk = client_for(world, "staff")
    before = fingerprint()
    response = clerk.post(
        "/sales/retail/",
        {
            "submission": str(world.draft_so.submission),
            "warehouse": str(world.warehouse.pk),
            "amount_received": "100",
            **formset("lines", [{"product": "A001", "quantity": "1"}]),
        },
    )
    assert response.status_code == 200
    assert shown(response, STALE)
    assert changes(before, fingerprint()) == {}


@pytest.mark.parametrize("category", ["99999999999999999999", "²", "-1", "1.0"])
def test_a_category_id_no_table_holds_is_an_invalid_choice(
    world, owner_browser, category
):
    # SQLite cannot hold 10^20 as an integer: Django's own field sent it there.
    before = fingerprint()
    response = owner_browser.post(
        "/inventory/stocktakes/new/",
        {
            "submission": world.tokens()[-1],
            "warehouse": str(world.warehouse.pk),
            "categories": [category],
        },
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert changes(before, fingerprint()) == {}


LONG_SEARCHES = ["a " * 2500, "x" * 100_000]


@pytest.mark.parametrize("text", LONG_SEARCHES, ids=["many-words", "100KB"])
@pytest.mark.parametrize(
    "path",
    [
        "/catalog/products/",
        "/catalog/products/options/",
        "/catalog/suppliers/",
        "/catalog/categories/",
        "/inventory/",
        "/purchasing/",
        "/sales/shipments/",
        "/audit/",
    ],
)
def test_a_search_longer_than_anything_stored_finds_nothing(
    world, owner_browser, path, text
):
    # SQLite refused the query (a LIKE pattern over 50,000 bytes, a thousand
    # words), and the audit log took seconds per request.
    response = owner_browser.get(path, {"q": text})
    assert response.status_code == 200
    assert "A001" not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "query", "empty"),
    [
        ("/sales/availability/", {"warehouse": "1"}, {"available": None}),
        ("/purchasing/price/", {"supplier": "1"}, {"price": None}),
    ],
)
def test_a_line_lookup_longer_than_any_code_finds_nothing(
    world, owner_browser, path, query, empty
):
    response = owner_browser.get(path, {**query, "product": "x" * 100_000})
    assert json.loads(response.content) == empty


def test_every_form_of_the_shop_applies_the_input_rules():
    """A new form that forgets InputRulesMixin fails here by name."""
    for app in SHOP_APPS:
        importlib.import_module(f"{app}.forms")
    ours, stack = [], [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.__module__ in {f"{app}.forms" for app in SHOP_APPS}:
            ours.append(cls)
    assert len(ours) > 20
    missing = [c.__qualname__ for c in ours if not issubclass(c, InputRulesMixin)]
    assert not missing
