"""An owner loads products from the template file and finds one by pinyin initials."""

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_imports_the_template_and_finds_a_product_by_pinyin(
    signed_in_owner, live_server, tmp_path
):
    page = signed_in_owner
    page.goto(live_server.url + "/catalog/products/")
    expect(page.locator("#empty-state")).to_be_visible()
    page.get_by_role("link", name="从 Excel 导入").first.click()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板（.xlsx）").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    sheet.append(
        ["SG001", "红富士苹果", "6972168279211", "水果", "斤", "", 4.5, 6.8, 5]
    )
    sheet.append(["SG002", "香蕉", "", "水果", "斤", "", 2.2, 3.5, 20])
    sheet.append(["WJ001", "晨光中性笔", "", "文具", "支", "0.5mm", 1.1, 2.5, 10])
    workbook.save(template)

    page.locator("input[type=file]").set_input_files(str(template))
    page.get_by_role("button", name="上传并检查").click()
    # The preview: what the import would do, and the barcode whose check digit
    # does not add up (a warning: the owner may still import).
    expect(page.locator("#import-counts")).to_contain_text("新增 3")
    expect(page.locator("#import-warnings")).to_contain_text("校验位应为 2")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("新建 3 条")

    page.locator("main input[name=q]").fill("hfspg")
    page.locator("main input[name=q]").press("Enter")
    rows = page.locator("#product-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("红富士苹果")
    expect(rows.first).to_contain_text("¥6.80")
