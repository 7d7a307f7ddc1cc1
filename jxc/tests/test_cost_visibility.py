"""A clerk never sees a cost figure: not the moving-average cost, stock value, cost
of goods, gross profit or margin, on any page, fragment, print view, JSON answer or
Excel export a clerk may open (permission_table.py says which). The figures are
shop_world's, chosen so that they cannot appear by accident; the owner sees each
of them somewhere, so a search that finds nothing means something."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import OwnerFactory, StaffFactory
from catalog.models import Supplier
from jxc.tests import permission_table as table
from jxc.tests import shop_world
from jxc.tests.test_permission_matrix import ROUTES, XLSX_TYPE, concrete

pytestmark = pytest.mark.django_db

READABLE = {table.PAGE, table.FRAGMENT, table.PRINT, table.XLSX, table.JSON}
CENT = Decimal("0.01")


def pattern(value: Decimal) -> re.Pattern:
    """7913.47 as a page may write it: 7,913.47, 7913.47, ¥7,913.47, 7913.4700,
    -¥7,913.47; not as part of a longer number (17,913.47, 7,913.475)."""
    whole, fraction = f"{value:,.2f}".split(".")
    whole = whole.replace(",", ",?")
    return re.compile(rf"(?<![\d.,]){whole}\.{fraction}0*(?!\d)")


PATTERNS = {value: pattern(value) for value in shop_world.COST_FIGURES}


def figures_in_text(text: str) -> set[Decimal]:
    return {value for value, regex in PATTERNS.items() if regex.search(text)}


def figures_in_workbook(content: bytes) -> set[Decimal]:
    """Numbers in any cell (a margin also as a fraction: 0.1988) and text."""
    found = set()
    workbook = openpyxl.load_workbook(BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int | float | Decimal):
                    number = Decimal(str(value))
                    for candidate in (number, number * 100):
                        rounded = abs(candidate).quantize(CENT)
                        if rounded == abs(candidate) and rounded in PATTERNS:
                            found.add(rounded)
                else:
                    found |= figures_in_text(str(value))
    return found


def urls_for(role_may: set[str], world) -> list[tuple[str, str]]:
    """(url name, url) of every readable URL declared for those ``who``."""
    urls = []
    for route in ROUTES:
        access = table.declared(route.name)
        if access.who not in role_may or access.get not in READABLE:
            continue
        base = concrete(route, access, world)
        for query in ("", *access.also):
            url = base
            if query:
                url += ("&" if "?" in url else "?") + query.format(**world)
            urls.append((route.name, url))
    return urls


def figures_seen(client, urls) -> dict[Decimal, list[str]]:
    seen: dict[Decimal, list[str]] = {}
    for name, url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{name}: GET {url} gave {response}"
        if response["Content-Type"] == XLSX_TYPE:
            found = figures_in_workbook(response.content)
        else:
            found = figures_in_text(response.content.decode())
        for value in found:
            seen.setdefault(value, []).append(url)
    return seen


@pytest.fixture
def world():
    owner = OwnerFactory(username="boss")
    StaffFactory(username="clerk")
    return shop_world.build(owner)


def signed_in(username: str, language: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["django_language"] = language
    return client


def test_the_search_finds_every_form_of_a_figure():
    text = "¥7,913.47 | 7913.4700 | 3926.14 | -¥1,604.93 | 19.88%"
    assert figures_in_text(text) == {
        Decimal("7913.47"),
        Decimal("3926.14"),
        Decimal("1604.93"),
        Decimal("19.88"),
    }
    assert not figures_in_text("17,913.47 7,913.475 ¥79,134.70 1963.071")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_clerk_sees_no_cost_figure_anywhere(world, language):
    clerk = signed_in("clerk", language)
    urls = urls_for({table.STAFF, table.PUBLIC}, world)
    assert len(urls) > 60  # every page, fragment, print view and export

    seen = figures_seen(clerk, urls)

    leaks = [
        f"{shop_world.COST_FIGURES[value]} ({value}) on {', '.join(where)}"
        for value, where in sorted(seen.items())
    ]
    assert not leaks, "A clerk sees cost figures:\n" + "\n".join(leaks)


def test_the_owner_sees_each_of_these_figures_somewhere(world):
    """Else a figure could be missing from every page, and the clerk's search
    above would find nothing for the wrong reason."""
    owner = signed_in("boss", "zh-hans")
    urls = urls_for({table.STAFF, table.PUBLIC, table.OWNER}, world)

    seen = figures_seen(owner, urls)

    shown = set(shop_world.COST_FIGURES) - {shop_world.MARGIN_A}
    assert set(seen) == shown, {
        shop_world.COST_FIGURES[value] for value in shown - set(seen)
    }


# --- what a clerk posts: the pages and messages that answer ----------------------


def clerk_posts(world) -> list[tuple[str, str, dict, bool]]:
    """(what, url, data, valid) for every form a clerk posts that moves or counts
    stock at a cost: the valid submission (its success message names the document
    whose cost is one of the figures) and an empty one (the form comes back with
    its errors)."""
    import uuid

    from inventory.models import Stocktake
    from jxc.tests.fuzz import formset
    from sales.models import SalesOrder, Shipment

    def token():
        return str(uuid.uuid4())

    today = timezone.localdate().isoformat()
    order = SalesOrder.objects.get(pk=world["sales_order"])
    shipment = Shipment.objects.get(pk=world["shipment"])
    stocktake = Stocktake.objects.get(pk=world["stocktake"])
    posts = [
        (
            # 1 of A at 9,876.54: cost 7,913.47, profit 1,963.07
            "retail sale of A",
            "/sales/retail/",
            {
                "submission": token(),
                "warehouse": str(world["warehouse"]),
                "amount_received": "10000",
                **formset("lines", [{"product": "SEC-A", "quantity": "1"}]),
            },
        ),
        (
            # the last unit of the order: cost 7,913.47
            "shipment of the order's last unit",
            f"/sales/shipments/new/?order={order.pk}",
            {
                "submission": token(),
                "version": str(order.version),
                "note": "",
                **{f"ship_{line.pk}": "1" for line in order.lines.all()},
            },
        ),
        (
            # back at the cost it left with: 7,913.47
            "sales return of a shipped unit",
            f"/sales/returns/new/?shipment={shipment.pk}",
            {
                "submission": token(),
                "reason": "不新鲜",
                **{f"return_{line.pk}": "1" for line in shipment.lines.all()},
            },
        ),
        (
            # B's last unit in the shop warehouse leaves at its cost: 1,604.93
            "purchase return of B",
            "/purchasing/returns/new/",
            {
                "submission": token(),
                # The supplier picker takes a code (or a name), not an id.
                "supplier": Supplier.objects.get(pk=world["supplier"]).code,
                "warehouse": str(world["warehouse2"]),
                "date": today,
                "note": "",
                **formset("lines", [{"product": "SEC-B", "quantity": "1"}]),
            },
        ),
        (
            # counted 2 of A's 3: a difference worth −7,913.47
            "stocktake counts",
            f"/inventory/stocktakes/{stocktake.pk}/",
            {
                "version": str(stocktake.version),
                "save": "",
                **{f"count_{line.pk}": "2" for line in stocktake.lines.all()},
            },
        ),
        (
            "draft purchase orders from the reorder page",
            "/reports/reorder/orders/",
            {"product": [str(world["product"])], f"quantity_{world['product']}": "4"},
        ),
    ]
    return [(what, url, data, True) for what, url, data in posts] + [
        (f"{what}, sent empty", url, {}, False) for what, url, _data in posts
    ]


def test_a_clerk_sees_no_cost_figure_after_posting(world):
    """Each answer to a clerk's POST (the form again with its errors, or the page
    it redirects to) and each flash message it carries is searched too: the
    message after selling or returning goods must not name their cost."""
    from django.contrib import messages as flash

    clerk = signed_in("clerk", "zh-hans")
    leaks = []
    for what, url, data, valid in clerk_posts(world):
        response = clerk.post(url, data, follow=True)
        assert response.status_code == 200, f"{what}: {response}"
        said = [(m.level, str(m)) for m in response.context["messages"]]
        if valid:
            # It did post: else the search below proves nothing.
            assert [level for level, _text in said] == [flash.SUCCESS], (what, said)
            assert response.redirect_chain, what
        found = figures_in_text(response.content.decode()) | figures_in_text(
            " ".join(text for _level, text in said)
        )
        leaks += [f"{what}: {shop_world.COST_FIGURES[value]}" for value in found]
    assert not leaks, "A clerk sees cost figures after posting:\n" + "\n".join(leaks)
