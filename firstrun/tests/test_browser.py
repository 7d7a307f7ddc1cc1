"""The first-run wizard in Chromium: from an empty database, the owner's first
sign-in opens it, every step is walked (with a refusal on the way) and the shop's
first counter sale follows, at 1366 px; then every wizard page at 390 px, none
scrolling sideways. Screenshots of both widths go to test-artifacts/."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.roles import STAFF, user_role
from accounts.tests.factories import PASSWORD, OwnerFactory
from catalog.models import Product, ShopProfile, Warehouse
from catalog.tests.factories import ProductFactory
from conftest import ARTIFACTS
from firstrun.models import SetupProgress
from inventory.models import StockLevel
from sales.models import SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = ["shop", "warehouses", "products", "opening", "staff", "done"]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"firstrun-{name}.png"), full_page=True)


def test_from_an_empty_database_to_the_first_counter_sale(page, live_server):
    OwnerFactory(username="boss", first_name="王老板")
    page.set_viewport_size({"width": 1366, "height": 860})
    url = live_server.url
    page.goto(url + "/login/")
    page.locator("#id_username").fill("boss")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url(url + "/setup/shop/")

    # 1. The shop: a phone that is none is refused, then saved.
    expect(page.locator("#id_name")).to_be_focused()
    page.locator("#id_name").fill("阳光水果店")
    page.locator("#id_address").fill("杭州市文三路 1 号")
    page.locator("#id_phone").fill("找老板")
    page.locator("#setup-shop-save").click()
    expect(page.locator("#setup-shop-form")).to_contain_text("不是有效的电话号码")
    assert not ShopProfile.objects.exists()
    shot(page, "shop-1366")
    page.locator("#id_phone").fill("0571-8888 6666")
    page.locator("#setup-shop-save").click()
    page.wait_for_url(url + "/setup/warehouses/")

    # 2. Warehouses: rename the default one, add a back room, refuse a twin.
    main = Warehouse.objects.get(is_default=True)
    page.locator(f"#name-{main.pk}").fill("门店")
    page.locator(f"#rename-{main.pk} button").click()
    expect(page.locator(f"#name-{main.pk}")).to_have_value("门店")
    page.locator("#new_name").fill("后仓")
    page.locator("#add-warehouse-button").click()
    expect(page.locator("#setup-warehouses")).to_contain_text("WH02")
    page.locator("#new_name").fill("门店")
    page.locator("#add-warehouse-button").click()
    expect(page.locator("#warehouse-errors")).to_contain_text("已有名为“门店”的仓库")
    assert Warehouse.objects.count() == 2
    shot(page, "warehouses-1366")
    page.locator("#step-done").click()
    page.wait_for_url(url + "/setup/products/")

    # 3. Products: the import is catalog's own page; two are typed by hand.
    expect(page.locator("#product-import")).to_have_attribute(
        "href", "/catalog/products/import/"
    )
    for name, unit, price, barcode in [
        ("红富士苹果", "斤", "6.80", "6901234567892"),
        ("矿泉水", "瓶", "2", ""),
    ]:
        page.locator("#id_name").fill(name)
        page.locator("#id_unit").fill(unit)
        page.locator("#id_sale_price").fill(price)
        page.locator("#id_barcode").fill(barcode)
        page.locator("#product-add").click()
        expect(page.locator("#setup-products")).to_contain_text(name)
    shot(page, "products-1366")
    page.locator("#step-done").click()
    page.wait_for_url(url + "/setup/opening/")

    # 4. Opening stock, typed for the products just added, into the shop.
    apple, water = Product.objects.order_by("pk")
    page.locator(f"#id_quantity_{apple.pk}").fill("20")
    page.locator(f"#id_quantity_{water.pk}").fill("48")
    page.locator(f"#id_cost_{apple.pk}").fill("4.20")
    shot(page, "opening-1366")
    page.locator("#opening-save").click()
    page.wait_for_url(url + "/setup/staff/")
    level = StockLevel.objects.get(product=apple, warehouse=main)
    assert (level.on_hand, level.value) == (20, Decimal("84.00"))

    # 5. A clerk's account, through accounts' own form.
    page.locator("#id_username").fill("xiaowang")
    page.locator("#id_first_name").fill("小王")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#staff-form [type=submit]").click()
    expect(page.locator("#setup-users")).to_contain_text("xiaowang")
    shot(page, "staff-1366")
    page.locator("#step-done").click()
    page.wait_for_url(url + "/setup/done/")
    shot(page, "done-1366")
    assert SetupProgress.objects.get().complete
    from django.contrib.auth import get_user_model

    assert user_role(get_user_model().objects.get(username="xiaowang")) == STAFF

    # The first sale: two apples scanned at the counter, paid in cash.
    page.locator("#go-counter").click()
    page.wait_for_url(url + "/counter/")
    scan = page.locator("#scan-box")
    expect(scan).to_be_focused()
    scan.fill("6901234567892")
    scan.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("红富士苹果")
    expect(page.locator("#counter-total")).to_have_text("¥6.80")
    page.keyboard.press("Enter")  # an empty scan box: pay
    expect(page.locator("#id_cash")).to_be_focused()
    page.keyboard.press("F9")
    expect(page.locator("#last-total")).to_have_text("¥6.80")
    order = SalesOrder.objects.get()
    assert order.total == Decimal("6.80")
    assert StockLevel.objects.get(product=apple, warehouse=main).on_hand == 19

    # Every step done: the dashboard has no checklist any more.
    page.goto(url + "/")
    expect(page.locator("#dashboard")).to_be_visible()
    expect(page.locator("#setup-checklist")).to_have_count(0)

    # The wizard's pages on a phone: nothing scrolls sideways (a product still
    # without stock puts a line on the opening-stock page).
    ProductFactory(name="库尔勒香梨", unit="斤")
    page.set_viewport_size({"width": 390, "height": 844})
    for name in PAGES:
        page.goto(url + f"/setup/{name}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        shot(page, f"{name}-390")


def test_the_dashboard_checklist_resumes_where_the_owner_left(page, live_server):
    OwnerFactory(username="boss")
    url = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url + "/login/")
    page.locator("#id_username").fill("boss")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url(url + "/setup/shop/")
    page.locator("#step-skip").click()
    page.wait_for_url(url + "/setup/warehouses/")
    page.locator("#setup-later").click()
    page.wait_for_url(url + "/")
    checklist = page.locator("#setup-checklist")
    expect(checklist).to_contain_text("已跳过")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "checklist-390")
    page.locator("#setup-resume").click()
    page.wait_for_url(url + "/setup/warehouses/")
    page.goto(url + "/")
    page.locator("#setup-dismiss").click()
    page.wait_for_url(url + "/")
    expect(page.locator("#setup-checklist")).to_have_count(0)
