"""Every main page fits a phone (390 px) on the demo shop's data: the page does not
scroll sideways, no pane inside it does, and no input is narrower than 80 px.

The pages are the ones ../shared/tools/phone_fit.py visits: the home page, every
page the navigation links to, and the first document of each document list (with
the sales orders, whose list's address lacks the word "orders"). A
screenshot of each lands in test-artifacts/phone/ (CI keeps the folder)."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "phone"
# Links that are no page to look at (a file, a sign-out, the admin).
SKIP = re.compile(r"logout|export|print|download|i18n|set_language|admin")
DOCUMENT_LISTS = ("orders", "receipts", "shipments", "stocktake")

MEASURE = """() => {
  const root = document.documentElement;
  const panes = [...document.querySelectorAll('body *')].filter(e => {
    const s = getComputedStyle(e);
    return (s.overflowX === 'auto' || s.overflowX === 'scroll')
      && e.scrollWidth > e.clientWidth + 2;
  }).map(e => (e.id || e.className || e.tagName) + ' ' + e.scrollWidth + 'px');
  const narrow = [...document.querySelectorAll(
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
    .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width < 80)
    .map(e => e.name || e.id);
  return {scroll: root.scrollWidth, client: root.clientWidth, panes, narrow};
}"""


def _sign_in_to_the_demo_shop(page, live_server):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    password = re.search(r"owner / (\S+)", out.getvalue()).group(1)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill("owner")
    page.locator("#id_password").fill(password)
    page.locator("#login-button").click()
    page.wait_for_url(live_server.url + "/")


def _main_pages(page, live_server):
    hrefs = page.eval_on_selector_all(
        "nav a[href^='/'], .navbar a[href^='/'], .dropdown-menu a[href^='/']",
        "els => [...new Set(els.map(e => e.getAttribute('href')))]",
    )
    urls = ["/"] + [h for h in hrefs if not SKIP.search(h)]
    documents = []
    for url in urls:
        # phone_fit.py's rule, and the sales orders (listed at /sales/).
        if any(word in url for word in DOCUMENT_LISTS) or url == "/sales/":
            page.goto(live_server.url + url)
            documents += page.eval_on_selector_all(
                "table a[href^='/']",
                "els => els.slice(0, 1).map(e => e.getAttribute('href'))",
            )
    return list(dict.fromkeys(urls + [d for d in documents if not SKIP.search(d)]))


def test_every_main_page_fits_a_phone_on_the_demo_shop(page, live_server):
    _sign_in_to_the_demo_shop(page, live_server)
    urls = _main_pages(page, live_server)
    # The navigation reaches every part of the shop (the list is not cut short).
    for part in ("/catalog/", "/purchasing/", "/sales/", "/counter/", "/inventory/"):
        assert any(url.startswith(part) for url in urls), part
    assert any(re.search(r"/\d+/$", url) for url in urls), "no document opened"
    SCREENS.mkdir(parents=True, exist_ok=True)
    misfits = []
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        expect(page.locator("main")).to_be_visible()
        fit = page.evaluate(MEASURE)
        name = url.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(SCREENS / f"{name}-390.png"))
        if fit["scroll"] > fit["client"] or fit["panes"] or fit["narrow"]:
            misfits.append((url, fit))
    assert not misfits, f"{len(misfits)} of {len(urls)} pages misfit: {misfits}"
