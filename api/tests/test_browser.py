"""In a real Chromium: the owner makes a key from the settings menu, copies it
from the page that shows it once, and reads the API's docs page (Swagger UI from
the app's own static files) under the site's strict CSP with no violation."""

import pytest
from playwright.sync_api import expect

from api.models import ApiKey
from api.tests.helpers import KeyClient
from jxc.tests.test_csp_browser import watched  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_makes_a_key_and_reads_the_docs(
    watched,  # noqa: F811 (the fixture imported above)
    signed_in_owner,
    live_server,
):
    page = watched
    page.locator("#user-menu").click()
    page.locator("#nav-api-keys").click()
    expect(page.locator("#no-keys")).to_be_visible()
    page.locator("#new-key").click()
    page.locator("#id_name").fill("网店")
    page.locator("#id_scope").select_option("orders")
    page.locator("#create-key").click()
    token = page.locator("#new-token").input_value()
    assert token.startswith("jxc_")
    assert page.check_csp("key page") == []
    key = ApiKey.objects.get()
    assert (key.name, key.scope) == ("网店", "orders")
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    page.goto(live_server.url + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("JXC API")
    expect(page.locator("#operations-products-products_list")).to_be_visible()
    assert page.check_csp("docs") == []
    # The key works, from outside the browser.
    assert KeyClient(token).get("/api/v1/products/").status_code == 200
