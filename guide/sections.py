"""The guide's pages and which page (and section on it) each screen's help link
opens.

A page's text lives in a template per language, guide/pages/<language>/<slug>.html
(Chinese first; a language without its own file shows the Chinese one); its title
here is translated like every other string. ``HELP`` maps URL names to a page and
an anchor on it: the first pattern that matches wins, and a screen that matches
none links to the guide's index.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    # Anchors (ids of the page's sections) a help link may point at.
    anchors: tuple[str, ...] = ()


PAGES = [
    Page(
        "cashier",
        _("Cashier"),
        _("Sell at the counter: scan, take payment, print the slip, refunds."),
        ("sell", "pay", "hold", "return", "shift"),
    ),
    Page(
        "receiving",
        _("Purchasing and receiving"),
        _("Order from a supplier, receive the goods, return faulty goods."),
        ("order", "receive", "return"),
    ),
    Page(
        "shipping",
        _("Sales and shipping"),
        _("Take a customer's order, ship it, print the delivery note."),
        ("order", "ship", "return"),
    ),
    Page(
        "stocktake",
        _("Stocktake"),
        _("Count the goods on the shelves and post the differences."),
        ("start", "count", "post"),
    ),
    Page(
        "month-end",
        _("Month-end close"),
        _("Close last month so its figures can no longer change."),
        ("check", "close"),
    ),
    Page(
        "import",
        _("Importing from Excel"),
        _("Load products, suppliers, customers and opening stock from a spreadsheet."),
        ("products", "opening"),
    ),
    Page(
        "reorder",
        _("Reordering"),
        _("See what is running low and turn it into purchase orders."),
        ("suggestions", "orders"),
    ),
    Page(
        "reports",
        _("Reports"),
        _("The dashboard, stock, the monthly summary and the analyses."),
        ("dashboard", "stock", "summary", "analyses"),
    ),
]
BY_SLUG = {page.slug: page for page in PAGES}

# (URL name pattern, page slug, anchor): the first match wins.
HELP = [
    ("counter:*", "cashier", "sell"),
    ("sales:retail", "cashier", "sell"),
    ("sales:slip", "cashier", "pay"),
    ("purchasing:receipt_*", "receiving", "receive"),
    ("purchasing:return_*", "receiving", "return"),
    ("purchasing:*", "receiving", "order"),
    ("sales:shipment_*", "shipping", "ship"),
    ("sales:delivery_note", "shipping", "ship"),
    ("sales:return_*", "shipping", "return"),
    ("sales:*", "shipping", "order"),
    ("inventory:stocktake_*", "stocktake", "count"),
    ("inventory:opening*", "import", "opening"),
    ("catalog:*import*", "import", "products"),
    ("reports:month_close", "month-end", "close"),
    ("reports:reorder*", "reorder", "suggestions"),
    ("reports:summary*", "reports", "summary"),
    ("reports:*", "reports", "analyses"),
    ("home", "reports", "dashboard"),
    ("inventory:stock_*", "reports", "stock"),
]


def help_target(url_name: str) -> tuple[str, str] | None:
    """The (page slug, anchor) a screen's help link opens, or None: the index."""
    for pattern, slug, anchor in HELP:
        if fnmatchcase(url_name, pattern):
            return slug, anchor
    return None


def help_url(url_name: str | None) -> str:
    """The guide URL a screen's "?" opens."""
    target = help_target(url_name or "")
    if target is None:
        return reverse("guide:index")
    slug, anchor = target
    return reverse("guide:page", args=[slug]) + (f"#{anchor}" if anchor else "")
