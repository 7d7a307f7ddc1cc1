"""In a real Chromium, under the Content-Security-Policy: htmx fragments, the product
picker and live line totals (lines.js), Bootstrap's menus, the SVG charts and the
print views all work, and the browser reports no violation."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, OwnerFactory
from catalog.models import Supplier
from jxc.tests import shop_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline")
    + " " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation, console error and script error kept."""
    problems = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )

    def check(where):
        # Let the page's own requests (suggestions, availability) finish first:
        # a late violation or failed request belongs to this page.
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp || []")
        found = [f"{where}: {v}" for v in violations] + [
            f"{where}: {p}" for p in problems
        ]
        problems.clear()
        page.evaluate("window.__csp = []")
        return found

    page.check_csp = check
    return page


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url(live_server.url + "/")


def test_the_policy_blocks_inline_script_and_our_pages_break_none_of_it(
    watched, live_server
):
    page = watched
    owner = OwnerFactory(username="boss")
    world = shop_world.build(owner)
    found = []

    page.goto(live_server.url + "/login/")
    found += page.check_csp("login")
    sign_in(page, live_server, "boss")

    # The policy is enforced: an injected inline script does not run, and the
    # listener above sees the violation (so it would see ours).
    page.evaluate(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__ran = 1'; document.body.append(s);"
    )
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in page.check_csp("probe"))

    # Dashboard: the 30-day line chart is drawn and has a size (the desktop one;
    # the phone's is hidden at this width).
    chart = page.locator("#sales-trend .d-sm-block svg.chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 100
    expect(page.locator("#sales-trend .d-sm-none svg.chart")).to_be_hidden()
    # Bootstrap's JavaScript: the user menu opens.
    page.locator("#user-menu").click()
    expect(page.locator("#logout-button")).to_be_visible()
    found += page.check_csp("home")

    # htmx fragments on the product page: stock per warehouse, prices paid.
    page.goto(f"{live_server.url}/catalog/products/{world['product_b']}/")
    expect(page.locator("#product-stock")).to_be_visible()
    expect(page.locator("#price-history")).to_contain_text("1,234.56")
    found += page.check_csp("product page")

    # A report with a bar chart.
    page.goto(live_server.url + "/reports/sales/")
    expect(page.locator("#report-chart svg.chart")).to_be_visible()
    found += page.check_csp("sales analysis")

    # A purchase order: the product picker suggests, the price defaults to the
    # last one paid, the total follows the typing.
    page.goto(live_server.url + "/purchasing/orders/new/")
    supplier = Supplier.objects.get(pk=world["supplier"])
    page.get_by_label("供应商").fill(f"{supplier.code} {supplier.name}")
    code = page.locator("#id_lines-0-product")
    code.fill("SEC")
    expect(page.locator("#product-options option")).to_have_count(3)
    code.fill("SEC-B")
    code.press("Tab")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("1234.56")
    page.locator("#id_lines-0-quantity").fill("2")
    expect(page.locator("#document-total")).to_have_text("¥2,469.12")
    rows = page.locator("#lines tbody tr")
    count = rows.count()
    page.locator("#add-line").click()
    expect(rows).to_have_count(count + 1)
    expect(rows.last.locator(".product-code")).to_be_focused()
    found += page.check_csp("purchase order form")

    # A sales order: each line shows what is available.
    page.goto(live_server.url + "/sales/orders/new/")
    page.locator("#id_lines-0-product").fill("SEC-A")
    page.locator("#id_lines-0-quantity").fill("1")
    page.locator("#id_lines-0-quantity").press("Tab")
    expect(page.locator("#lines .availability").first).to_contain_text("2")
    found += page.check_csp("sales order form")

    # The stocktake count sheet (its form) and the review.
    page.goto(f"{live_server.url}/inventory/stocktakes/{world['stocktake']}/")
    expect(page.locator("#count-sheet")).to_be_visible()
    page.goto(f"{live_server.url}/inventory/stocktakes/{world['stocktake']}/review/")
    expect(page.locator("#review")).to_contain_text("-¥7,913.47")
    found += page.check_csp("stocktake")

    # Print views, each a page of its own with its own style sheet.
    for path in (
        f"/purchasing/orders/{world['purchase_order']}/print/",
        f"/sales/shipments/{world['shipment']}/note/",
        f"/inventory/stocktakes/{world['stocktake']}/print/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        found += page.check_csp(path)
    page.goto(f"{live_server.url}/sales/shipments/{world['shipment']}/slip/")
    # slip.css narrows the page to the 80 mm roll (74 mm of text ≈ 280 px).
    width = page.evaluate("getComputedStyle(document.body).width")
    assert 270 < float(width.removesuffix("px")) < 290, width
    found += page.check_csp("slip")

    assert not found, "\n".join(found)


def test_django_admin_works_under_the_policy(watched, live_server):
    page = watched
    get_user_model().objects.create_superuser("it-admin", password=PASSWORD)
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("it-admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    found = page.check_csp("admin index")
    page.goto(live_server.url + "/admin/catalog/product/")
    found += page.check_csp("admin products")
    page.goto(live_server.url + "/admin/auth/user/add/")
    found += page.check_csp("admin add user")
    assert not found, "\n".join(found)
