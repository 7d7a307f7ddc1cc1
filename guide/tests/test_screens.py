"""The guide's screenshots, taken on the real screens of a demo shop (seed_demo)
in Chromium: one test per guide page walks its job as a clerk or the owner would,
checks each screen shows what the guide's steps talk about (a missing element
fails the test) and saves the pictures, 1366 px wide (390 px for the phone jobs),
in Chinese.

The pictures go to test-artifacts/guide/; with JXC_GUIDE_IMAGES=1 (`make
guide-images`) into guide/static/guide/, where the guide serves them from. Every
test also checks that the pictures its guide page shows are exactly the ones it
took, so a page cannot show a picture no test renews.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image, ImageChops
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE_STATIC = Path(__file__).resolve().parents[1] / "static" / "guide"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The tallest picture: enough for a form and its buttons, small enough to read.
MAX_HEIGHT = {1366: 760, 390: 1100}
IMAGE_SRC = re.compile(r'src="/static/guide/([\w-]+)\.png"')


def output_folder() -> Path:
    if os.environ.get("JXC_GUIDE_IMAGES") == "1":
        return GUIDE_STATIC
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "guide"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def barcode(sku: str) -> str:
    """The demo's barcode of a product (jxc/demo.py numbers them in order)."""
    from jxc.demo import PRODUCTS

    number = [row[0] for row in PRODUCTS].index(sku)
    return f"69{number + 20000000000:011d}"


class Camera:
    """Signs in to a seeded demo shop and saves cropped, palette PNGs."""

    def __init__(self, chromium, live_server, viewport):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        self.passwords = dict(re.findall(r"(owner|staff) / (\S+)", out.getvalue()))
        self.url = live_server.url
        self.width = viewport["width"]
        self.context = chromium.new_context(
            locale="zh-CN", viewport=viewport, device_scale_factor=1
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.taken: list[str] = []

    def sign_in(self, username: str):
        page = self.page
        page.goto(self.url + "/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(self.passwords[username])
        page.locator("#login-button").click()
        page.wait_for_url(self.url + "/")
        return page

    def go(self, path: str):
        self.page.goto(self.url + path)
        return self.page

    def snap(self, name: str, *, down_to=None, start_at=None, hide="") -> None:
        """The page from the top (or ``start_at``) down to the bottom of
        ``down_to`` (or as much as fits), with the help link in view when the top
        is; ``hide``: CSS selectors of bars fixed to the screen that would cover
        the crop."""
        page = self.page
        expect(page.locator("#help-link")).to_be_visible()
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(150)  # htmx swaps and focus rings settle
        top = 0
        if start_at is not None:
            top = max(0, int(start_at.bounding_box()["y"]) - 12)
        bottom = page.evaluate("document.documentElement.scrollHeight")
        if down_to is not None:
            box = down_to.bounding_box()
            bottom = int(box["y"] + box["height"]) + 16
        height = min(bottom - top, MAX_HEIGHT[self.width])
        assert page.evaluate("document.documentElement.scrollWidth") <= self.width
        path = output_folder() / f"{name}.png"
        # Through the CSSOM: the Content-Security-Policy refuses a <style>.
        visibility = "el => el.style.visibility = '{}'"
        if hide:
            page.locator(hide).evaluate(visibility.format("hidden"))
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": 0, "y": top, "width": self.width, "height": height},
        )
        image = Image.open(path).convert("RGB")
        if hide:
            page.locator(hide).evaluate(visibility.format(""))
        # No empty page below the last thing on it.
        content = ImageChops.difference(image, Image.new("RGB", image.size, "white"))
        box = content.getbbox()
        if box:
            image = image.crop((0, 0, image.width, min(image.height, box[3] + 16)))
        # Screens are flat colours: 64 of them keep the text crisp at a third of
        # the size.
        image.quantize(colors=64, dither=Image.Dither.NONE).save(path, optimize=True)
        self.taken.append(name)

    def check_guide(self, slug: str) -> None:
        """The guide page shows exactly the pictures this walk took."""
        self.go(f"/guide/{slug}/")
        shown = IMAGE_SRC.findall(self.page.content())
        assert sorted(shown) == sorted(self.taken)

    def close(self):
        self.context.close()


@pytest.fixture
def desktop(chromium, live_server):
    camera = Camera(chromium, live_server, DESKTOP)
    yield camera
    camera.close()


@pytest.fixture
def phone(chromium, live_server):
    camera = Camera(chromium, live_server, PHONE)
    yield camera
    camera.close()


def test_cashier(phone):
    page = phone.sign_in("staff")
    phone.go("/counter/")
    scan = page.locator("#scan-box")
    expect(scan).to_be_focused()
    scan.fill(barcode("WJ001"))
    scan.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("晨光中性笔")
    page.keyboard.type(barcode("WJ001"))
    page.keyboard.press("Enter")
    page.keyboard.type(barcode("WJ004"))
    page.keyboard.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("A5 笔记本")
    page.keyboard.type("xj")  # 香蕉 by its pinyin initials
    page.keyboard.press("Enter")
    expect(page.locator("#matches")).to_contain_text("香蕉")
    phone.snap("cashier-search", down_to=page.locator("#matches"))
    page.keyboard.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("香蕉")
    phone.snap("cashier-scan", down_to=page.locator("#counter-lines"))

    page.keyboard.press("Enter")  # an empty scan box: pay
    expect(page.locator("#id_cash")).to_be_focused()
    page.locator("[data-quick='50']").click()
    expect(page.locator("#pay-due")).to_contain_text("找零")
    phone.snap("cashier-pay", start_at=page.locator("#pay-panel"), hide="#counter-bar")
    page.keyboard.press("F9")
    expect(page.locator("#last-change")).to_be_visible()
    phone.snap("cashier-done", down_to=page.locator("#last-sale"))

    scan.fill(barcode("FZ009"))
    scan.press("Enter")
    expect(page.locator("#counter-lines")).to_contain_text("棉袜")
    page.locator("#hold-sale").click()
    expect(page.locator("#counter-notice")).to_contain_text("已挂单")
    expect(page.locator("#held-count")).to_have_text("1")
    phone.snap("cashier-hold", down_to=page.locator("#counter-notice"))
    phone.check_guide("cashier")


def lines(page, rows) -> None:
    """Types document lines: (code, quantity) each, as a clerk would."""
    for number, (code, quantity) in enumerate(rows):
        product = page.locator(f"#id_lines-{number}-product")
        product.fill(code)
        page.locator(f"#id_lines-{number}-quantity").fill(quantity)
        # The price arrives from the server once the product is known (not into
        # a field the clerk is typing in).
        expect(page.locator(f"#id_lines-{number}-unit_price")).not_to_have_value("")
        page.locator(f"#id_lines-{number}-quantity").press("Tab")


def test_receiving(desktop):
    page = desktop.sign_in("staff")
    desktop.go("/purchasing/")
    page.get_by_role("link", name="新建采购订单").first.click()
    page.get_by_label("供应商").fill("GYS002 晨光文具经销部")
    lines(page, [("WJ001", "100"), ("WJ004", "40"), ("WJ008", "10")])
    expect(page.locator("#document-total")).not_to_have_text("¥0.00")
    desktop.snap("receiving-order", down_to=page.locator("#post-document"))
    page.locator("#post-document").click()
    expect(page.locator("#order-status")).to_have_text("草稿")
    page.locator("#confirm-order").click()
    expect(page.locator("#order-status")).to_have_text("已下单")
    desktop.snap("receiving-placed", down_to=page.locator("#order-lines"))

    page.locator("#receive-order").click()
    page.locator("#id_lines-1-quantity").fill("30")
    desktop.snap("receiving-receive", down_to=page.locator("#post-document"))
    page.locator("#post-document").click()
    expect(page.locator(".alert-success")).to_contain_text("已过账")
    desktop.snap("receiving-posted", down_to=page.locator("#receipt-lines"))
    desktop.check_guide("receiving")


def test_shipping(desktop):
    page = desktop.sign_in("staff")
    desktop.go("/sales/orders/new/")
    page.get_by_label("客户").fill("KH002 城东小学")
    lines(page, [("WJ004", "50"), ("WJ005", "20"), ("WJ012", "10")])
    expect(page.locator("#lines .availability").first).to_contain_text("可用")
    desktop.snap("shipping-order", down_to=page.locator("#post-document"))
    page.locator("#post-document").click()
    page.locator("#confirm-order").click()
    expect(page.locator("#order-status")).to_have_text("已确认")
    desktop.snap("shipping-confirmed", down_to=page.locator("#order-lines"))

    page.locator("#ship-order").click()
    expect(page.locator("#ship-lines")).to_be_visible()
    desktop.snap("shipping-ship", down_to=page.locator("#post-shipment"))
    page.locator("#post-shipment").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#print-slip")).to_be_visible()
    desktop.snap("shipping-posted", down_to=page.locator("#shipment-lines"))
    desktop.check_guide("shipping")


def test_stocktake(desktop):
    page = desktop.sign_in("owner")
    desktop.go("/inventory/stocktakes/")
    page.get_by_role("link", name="开始盘点").first.click()
    page.get_by_label("水果").check()
    desktop.snap(
        "stocktake-start", down_to=page.get_by_role("button", name="生成盘点表")
    )
    page.get_by_role("button", name="生成盘点表").click()
    expect(page.locator("#document-status")).to_have_text("盘点中")
    scan = page.locator("#id_code")
    scan.fill("SG001")
    scan.press("Enter")
    expect(page.locator("#scan-result")).to_contain_text("红富士苹果")
    # What a shelf really holds: a little less than the books.
    for name, short in [("香蕉", "1.5"), ("红富士苹果", "2"), ("芒果", "0")]:
        row = page.locator("#count-sheet tbody tr", has_text=name)
        book = Decimal(row.locator("td.num").first.inner_text())
        page.get_by_label(f"{name} 的实盘数量").fill(str(book - Decimal(short)))
    desktop.snap(
        "stocktake-count", down_to=page.locator("#count-sheet tbody tr").nth(5)
    )
    page.locator("#save-and-review").click()
    expect(page.locator("#review")).to_be_visible()
    desktop.snap("stocktake-review", down_to=page.locator("#post-stocktake"))
    page.locator("#post-stocktake").click()
    if page.locator("#confirm-large").is_visible():
        for box in page.locator("#confirm-large input[type=checkbox]").all():
            box.check()
        page.locator("#post-stocktake").click()
    expect(page.locator("#document-status")).to_have_text("已过账")
    desktop.snap("stocktake-posted")
    desktop.check_guide("stocktake")


def test_month_end(desktop):
    page = desktop.sign_in("owner")
    desktop.go("/reports/summary/")
    expect(page.locator("#summary-table")).to_be_visible()
    desktop.snap(
        "month-end-summary", down_to=page.locator("#summary-table tbody tr").nth(6)
    )
    desktop.go("/reports/month-close/")
    expect(page.locator("#close-month")).to_be_visible()
    desktop.snap("month-end-close")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#close-button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    desktop.snap("month-end-closed")
    desktop.check_guide("month-end")


def test_import(desktop, tmp_path):
    page = desktop.sign_in("owner")
    desktop.go("/catalog/products/")
    page.get_by_role("link", name="从 Excel 导入").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板（.xlsx）").click()
    template = tmp_path / "products.xlsx"
    download.value.save_as(template)
    desktop.snap("import-products")
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    sheet.append(["SG015", "沃柑", "", "水果", "斤", "", 4.2, 6.9, 20])
    sheet.append(["SG016", "山竹", "", "水果", "斤", "", 12, 19.8, 5])
    sheet.append(
        ["WJ001", "晨光中性笔 0.5mm 黑", "", "文具", "支", "0.5mm", 1.1, 2.8, 50]
    )
    workbook.save(template)
    page.locator("input[type=file]").set_input_files(str(template))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#import-counts")).to_contain_text("新增 2")
    desktop.snap("import-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("新建 2 条")
    desktop.snap("import-done", down_to=page.locator(".alert-success"))
    desktop.go("/inventory/opening/")
    expect(page.locator("input[type=file]")).to_be_visible()
    desktop.snap("import-opening")
    desktop.check_guide("import")


def test_reorder(desktop):
    page = desktop.sign_in("owner")
    desktop.go("/reports/reorder/")
    boxes = page.locator("#reorder-table input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    desktop.snap("reorder-suggestions", down_to=page.locator("#make-orders"))
    page.locator("#make-orders").click()
    expect(page.locator(".alert-success")).to_contain_text("PO-")
    desktop.snap("reorder-orders", down_to=page.locator(".alert-success"))
    desktop.check_guide("reorder")


def test_reports(desktop):
    page = desktop.sign_in("owner")
    expect(page.locator("#dashboard")).to_be_visible()
    desktop.snap("reports-dashboard")
    desktop.go("/inventory/")
    expect(page.locator("#stock-table")).to_be_visible()
    desktop.snap("reports-stock", down_to=page.locator("#stock-table tbody tr").nth(8))
    desktop.go("/reports/turnover/")
    expect(page.locator("#report-table")).to_be_visible()
    desktop.snap(
        "reports-turnover", down_to=page.locator("#report-table tbody tr").nth(8)
    )
    desktop.check_guide("reports")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_help_link_opens_the_guide_at_its_section(chromium, live_server, viewport):
    """Not pictures for the guide: the guide itself, for review (test-artifacts/)."""
    camera = Camera(chromium, live_server, viewport)
    try:
        page = camera.sign_in("staff")
        camera.go("/counter/")
        page.locator("#help-link").click()
        page.wait_for_url(re.compile(r"/guide/cashier/#sell$"))
        section = page.locator("#sell")
        expect(section).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= camera.width
        for picture in page.locator("#guide-text img").all():
            picture.scroll_into_view_if_needed()
            assert picture.evaluate("image => image.naturalWidth") > 0
        folder = Path(settings.BASE_DIR) / "test-artifacts" / "guide-pages"
        folder.mkdir(parents=True, exist_ok=True)
        width = camera.width
        page.screenshot(path=str(folder / f"cashier-{width}.png"), full_page=True)
        camera.go("/guide/")
        expect(page.locator("#guide-pages li")).to_have_count(8)
        page.screenshot(path=str(folder / f"index-{width}.png"), full_page=True)
        camera.go("/guide/receiving/")
        page.screenshot(path=str(folder / f"receiving-{width}.png"), full_page=True)
    finally:
        camera.close()
