"""Importing the spreadsheets shops really keep, and refusing what is not clear."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Category, Customer, Product, Supplier
from catalog.tests.factories import ProductFactory, SupplierFactory
from jxc.testing.imports import upload as upload_and_confirm

pytestmark = pytest.mark.django_db

# Copies of ../shared/samples: spreadsheets of the kind shops really keep.
SAMPLES = Path(__file__).resolve().parent / "samples"
HEADER = [
    "商品编码",
    "商品名称",
    "条形码",
    "分类",
    "单位",
    "规格",
    "进价",
    "售价",
    "安全库存",
]


def upload(client, name: str, data: bytes, kind="products"):
    """Upload and, when the file shows a preview, confirm it."""
    return upload_and_confirm(
        client, f"/catalog/{kind}/import/", name, data, follow=True
    )


def xlsx(rows, *, setup=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def state():
    return (
        list(Product.objects.order_by("pk").values()),
        list(Category.objects.order_by("pk").values()),
    )


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_tidy_product_list_imports_with_categories(owner_client):
    response = upload(owner_client, "商品资料.xlsx", sample("商品资料.xlsx"))
    assert "导入完成：新建 20 条，更新 0 条" in response.content.decode()
    apple = Product.objects.get(sku="SP0001")
    assert (apple.name, apple.barcode, apple.unit) == (
        "苹果 红富士",
        "6972168279211",
        "斤",
    )
    assert (apple.purchase_price, apple.sale_price) == (
        Decimal("4.50"),
        Decimal("6.80"),
    )
    assert apple.safety_stock == Decimal("5")
    assert set(Category.objects.values_list("name", flat=True)) == {
        "水果",
        "文具",
        "服装",
    }


def test_gbk_csv_from_chinese_excel_with_yuan_signs(owner_client):
    data = sample("商品资料_excel导出.csv")
    assert data.decode("gb18030")  # the sample really is GB18030
    response = upload(owner_client, "商品资料.csv", data)
    assert "导入完成" in response.content.decode()
    assert Product.objects.get(sku="SP0001").purchase_price == Decimal("4.50")


def test_hand_kept_sheet_with_title_blank_rows_padding_and_fullwidth_digits(
    owner_client,
):
    response = upload(owner_client, "手工库存表.xlsx", sample("手工库存表.xlsx"))
    assert "导入完成：新建 8 条" in response.content.decode()
    assert Product.objects.get(sku="SP0001").name == "苹果 红富士"
    assert Product.objects.get(sku="SP0003").safety_stock == Decimal("20")
    assert Product.objects.get(sku="SP0004").sale_price == Decimal("9.90")


def test_utf8_bom_csv_with_english_headers(owner_client):
    response = upload(owner_client, "products.csv", sample("products_utf8_bom.csv"))
    assert "导入完成" in response.content.decode()
    assert Product.objects.get(sku="SP0009").name == "晨光中性笔 0.5mm 黑"


def test_existing_skus_update_and_new_ones_are_created(owner_client):
    ProductFactory(sku="sp0001", name="旧名字", note="保留的备注")
    response = upload(owner_client, "商品资料.xlsx", sample("商品资料.xlsx"))
    assert "新建 19 条，更新 1 条" in response.content.decode()
    apple = Product.objects.get(sku__iexact="SP0001")
    assert apple.name == "苹果 红富士"
    assert apple.note == "保留的备注"  # the file has no 备注 column


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.xlsx", b"", "文件是空的"),
        ("a.xlsx", b"this is not a workbook", "不是有效的 .xlsx"),
        ("a.csv", b"\x00\x01\x02binary", "不是表格文件"),
        ("a.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "另存为"),
        ("a.csv", "名称,数量\n苹果,3\n".encode(), "没有找到表头"),
        ("a.csv", "商品名称,售价\n苹果,3\n".encode(), "缺少必需的列：商品编码"),
        ("a.csv", "商品编码,商品名称\n".encode(), "没有数据行"),
        ("a.csv", "商品编码,商品名称,商品名称\nA,B,C\n".encode(), "出现了两次"),
    ],
)
def test_malformed_files_get_a_clear_message_and_change_nothing(
    owner_client, name, data, message
):
    before = state()
    response = upload(owner_client, name, data)
    html = response.content.decode()
    assert message in html
    assert "没有导入任何数据" in html
    assert state() == before


def test_formulas_are_refused_naming_the_cell(owner_client):
    data = xlsx([HEADER, ["A1", "苹果", "", "", "斤", "", "=2+2", 5, 1]])
    before = state()
    html = upload(owner_client, "f.xlsx", data).content.decode()
    assert "G2" in html and "公式" in html
    assert state() == before


def test_merged_cells_are_refused(owner_client):
    data = xlsx(
        [HEADER, ["A1", "苹果"], ["A2", "梨"]], setup=lambda s: s.merge_cells("D2:D3")
    )
    before = state()
    assert "合并" in upload(owner_client, "m.xlsx", data).content.decode()
    assert state() == before


def test_too_large_file_is_refused_saying_the_limit(owner_client):
    data = "商品编码,商品名称\n".encode() + b"A,B\n" * (5 * 1024 * 1024 // 4 + 10)
    html = upload(owner_client, "big.csv", data).content.decode()
    assert "太大" in html and "5 MB" in html
    assert not Product.objects.exists()


def test_too_many_rows_are_refused(owner_client):
    rows = "".join(f"P{n},商品{n}\n" for n in range(20_001))
    html = upload(
        owner_client, "many.csv", ("商品编码,商品名称\n" + rows).encode()
    ).content
    assert "20,000" in html.decode()
    assert not Product.objects.exists()


def test_row_problems_are_listed_and_nothing_is_imported(owner_client):
    ProductFactory(sku="OLD", name="条码占用者", barcode="6900000000001")
    data = xlsx(
        [
            ["小店商品表"],
            HEADER + ["首选供应商编码"],
            ["A1", "苹果", "", "水果", "斤", "", "-1", "5", "1", ""],
            ["A2", "", "", "", "", "", "1", "abc", "", ""],
            ["A1", "梨", "6900000000001", "", "", "", "1.005", "1", "0.0001", "NOPE"],
            ["A4", "桃", "6.9E+12", "", "", "", "1,2", "1", "1", ""],
        ]
    )
    before = state()
    response = upload(owner_client, "bad.xlsx", data)
    problems = {(p.row, p.column): p.problem for p in response.context["problems"]}
    assert problems[(3, "进价")] == "不能为负数"
    assert problems[(4, "商品名称")] == "必填"
    assert problems[(4, "售价")] == "不是数字"
    assert "第 3 行" in problems[(5, "商品编码")]
    assert "条码占用者" in problems[(5, "条形码")]
    assert "小数" in problems[(5, "进价")]
    assert "小数" in problems[(5, "安全库存")]
    assert "NOPE" in problems[(5, "首选供应商编码")]
    assert "文本" in problems[(6, "条形码")]
    assert problems[(6, "进价")] == "不是数字"
    assert "没有导入任何数据" in response.content.decode()
    assert state() == before


def test_export_then_import_changes_nothing(owner_client):
    supplier = SupplierFactory(code="GYS001")
    upload(owner_client, "商品资料.xlsx", sample("商品资料.xlsx"))
    Product.objects.filter(sku="SP0001").update(
        preferred_supplier=supplier, note="=1+1 备注", is_active=False
    )
    before = list(Product.objects.order_by("pk").values())
    exported = owner_client.get("/catalog/products/export/")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    response = upload(owner_client, "export.xlsx", exported.content)
    # Every row is as the shop has it: nothing is counted as updated.
    assert "新建 0 条，更新 0 条，不变 20 条" in response.content.decode()
    after = list(Product.objects.order_by("pk").values())
    for row in before + after:
        row.pop("updated_at")
    assert after == before


def test_export_follows_the_list_filters_and_writes_text_as_text(owner_client):
    ProductFactory(sku="A", name='=HYPERLINK("http://x")', is_active=True)
    ProductFactory(sku="B", name="停售", is_active=False)
    content = owner_client.get("/catalog/products/export/", {"active": "1"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    title, *rows = sheet.iter_rows(values_only=True)
    assert title[0].startswith("商品 · ")  # no shop profile: no shop name
    assert rows[0][:2] == ("商品编码", "商品名称")
    assert [row[0] for row in rows[1:]] == ["A"]
    assert sheet["B3"].data_type == "s"
    assert sheet.freeze_panes == "A3"


def test_staff_export_has_no_purchase_prices(staff_client):
    ProductFactory(purchase_price=Decimal("4321.09"))
    content = staff_client.get("/catalog/products/export/").content
    rows = list(
        openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert "进价" not in rows[0]
    assert Decimal("4321.09") not in [
        Decimal(str(v)) for v in rows[1] if isinstance(v, float)
    ]


def test_template_has_the_import_headers(owner_client):
    content = owner_client.get("/catalog/products/import/template/").content
    header = next(
        openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
    )
    assert header[:9] == tuple(HEADER)


def test_suppliers_and_customers_import_by_code(owner_client):
    data = "编码,名称,联系人,电话\nGYS001,南方果业,陈经理,13800138001\n".encode(
        "gb18030"
    )
    assert (
        "新建 1 条" in upload(owner_client, "s.csv", data, "suppliers").content.decode()
    )
    assert Supplier.objects.get(code="GYS001").contact == "陈经理"
    data = "Code,Name\nRETAIL,零售客户\nKH9,新客户\n".encode()
    html = upload(owner_client, "c.csv", data, "customers").content.decode()
    assert "新建 1 条，更新 0 条，不变 1 条" in html
    assert Customer.objects.filter(code="KH9").exists()


def test_staff_cannot_import(staff_client):
    response = upload(staff_client, "商品资料.xlsx", sample("商品资料.xlsx"))
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_walk_in_customer_rows_cannot_deactivate_it(owner_client):
    data = "编码,名称,状态\nretail,零售客户,停用\n".encode()
    response = upload(owner_client, "c.csv", data, "customers")
    assert "零售客户保持启用" in response.content.decode()
    data = "编码,名称\nretail,门店零售\n".encode()
    upload(owner_client, "c.csv", data, "customers")
    walk_in = Customer.objects.get(code="RETAIL")
    assert (walk_in.name, walk_in.is_active) == ("门店零售", True)


def test_a_barcode_moving_to_another_product_is_refused(owner_client):
    ProductFactory(sku="A", barcode="111")
    ProductFactory(sku="B", barcode="222")
    before = state()
    data = xlsx(
        [["商品编码", "商品名称", "条形码"], ["A", "甲", "222"], ["B", "乙", "111"]]
    )
    response = upload(owner_client, "swap.xlsx", data)
    assert len(response.context["problems"]) == 2
    assert state() == before


def test_a_corrupt_workbook_gets_a_clear_message(owner_client):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not really xml")
    html = upload(owner_client, "bad.xlsx", buffer.getvalue()).content.decode()
    assert "不是有效的 .xlsx" in html


def test_problems_are_listed_in_english_when_english_is_chosen(owner_client):
    owner_client.cookies["django_language"] = "en"
    data = b"SKU,Name,Sale price\nA1,,abc\n"
    response = upload(owner_client, "e.csv", data)
    problems = {(p.column, p.problem) for p in response.context["problems"]}
    assert problems == {("Name", "required"), ("Sale price", "not a number")}
    problems_table = response.content.decode().split('id="import-problems"')[1]
    assert "商品" not in problems_table.split("</table>")[0]


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula cell keeps the value it showed
    (openpyxl writes formulas without one)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = part.decode()
                for cell, value in values.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                        rf"\1\2<v>{value}</v>",
                        text,
                    )
                part = text.encode()
            target.writestr(info, part)
    return out.getvalue()


def test_one_upload_reports_every_problem_of_the_file_sorted_by_row(owner_client):
    """A formula in G4 (with the value Excel shows), merged cells in a blank row
    (no problem), a duplicate SKU, a negative price, a missing name, 十 as a
    quantity and an absurd price: one upload lists them all, in row order."""
    rows = [
        ["门店商品表"],  # a title row
        HEADER,
        ["A1", "苹果", "", "", "斤", "", 4.5, 6.8, 5],  # row 3: fine
        ["A2", "梨", "", "", "斤", "", "=2+2", 5, 1],  # row 4: formula in G4
        [],  # row 5: blank, merged below
        ["A2", "香蕉", "", "", "斤", "", 2, -3, 1],  # row 6: dup SKU, negative price
        ["A4", "", "", "", "斤", "", 2, 3, "十"],  # row 7: no name, 十 as quantity
        ["A5", "西瓜", "", "", "个", "", 2, 999999999999, 1],  # row 8: absurd price
    ]
    data = with_cached_values(
        xlsx(rows, setup=lambda s: s.merge_cells("A5:C5")), {"G4": "4"}
    )
    before = state()
    response = owner_client.post(
        "/catalog/products/import/", {"file": SimpleUploadedFile("p.xlsx", data)}
    )
    problems = response.context["problems"]
    listed = [(p.row, p.column) for p in problems]
    assert listed == sorted(listed, key=lambda item: item[0])
    assert {row for row, _column in listed} == {4, 6, 7, 8}
    formula = next(p for p in problems if p.row == 4)
    assert "G4" in formula.problem and "公式" in formula.problem
    assert "Excel 显示为 4" in formula.problem
    assert (6, "商品编码") in listed and (6, "售价") in listed
    assert (7, "商品名称") in listed and (7, "安全库存") in listed
    assert (8, "售价") in listed
    assert not any("合并" in p.problem for p in problems)  # only a blank row
    assert len(problems) == 6
    assert "6 个问题" in response.content.decode()
    assert state() == before


def test_merged_cells_over_data_rows_are_listed_with_the_rows_problems(owner_client):
    data = xlsx(
        [HEADER, ["A1", "苹果"], ["A2", ""]],
        setup=lambda s: s.merge_cells("B2:B3"),
    )
    response = owner_client.post(
        "/catalog/products/import/", {"file": SimpleUploadedFile("m.xlsx", data)}
    )
    problems = [(p.row, p.column, p.problem) for p in response.context["problems"]]
    assert (2, "B2:B3", "合并单元格（B2:B3）") in problems
    assert any(row == 3 and column == "商品名称" for row, column, _p in problems)
    assert not Product.objects.exists()


def test_a_clean_file_is_previewed_and_written_only_on_confirm(owner_client, owner):
    from jxc.testing.imports import confirm

    ProductFactory(sku="OLD1", name="旧名字", sale_price=Decimal("1"))
    ProductFactory(sku="SAME", name="不变的", unit="个", sale_price=Decimal("2"))
    data = (
        "商品编码,商品名称,单位,售价\n"
        "old1,新名字,个,1\nSAME,不变的,个,2\nNEW1,新商品,个,3\nNEW2,又一个,个,4\n"
    ).encode()
    before = state()
    url = "/catalog/products/import/"
    preview = owner_client.post(url, {"file": SimpleUploadedFile("p.csv", data)})
    html = preview.content.decode()
    assert state() == before  # a preview writes nothing
    counts = " ".join(html[html.index('id="import-counts"') :].split("</p>")[0].split())
    assert "新增 <strong>2</strong>" in counts
    assert "更新 <strong>1</strong>" in counts
    assert "不变 <strong>1</strong>" in counts
    assert "确认导入" in html
    done = confirm(owner_client, url, preview, follow=True)
    assert "导入完成：新建 2 条，更新 1 条" in done.content.decode()
    assert Product.objects.get(sku="OLD1").name == "新名字"
    after = state()
    # A double click (or the confirm sent again from another tab) imports once.
    again = confirm(owner_client, url, preview)
    assert "已过期或已经导入过了" in again.content.decode()
    assert state() == after


def test_a_preview_is_confirmed_only_by_the_user_who_uploaded_it(owner_client, owner):
    from django.test import Client

    from accounts.tests.factories import OwnerFactory
    from jxc.testing.imports import confirm

    url = "/catalog/products/import/"
    data = "商品编码,商品名称\nNEW1,新商品\n".encode()
    preview = owner_client.post(url, {"file": SimpleUploadedFile("p.csv", data)})
    client = Client()
    client.force_login(OwnerFactory())
    refused = confirm(client, url, preview)
    assert "已过期或已经导入过了" in refused.content.decode()
    assert not Product.objects.exists()
    assert confirm(owner_client, url, preview).status_code == 302
    assert Product.objects.filter(sku="NEW1").exists()


def test_a_new_product_named_like_an_existing_one_is_warned_in_the_preview(
    owner_client,
):
    ProductFactory(sku="SG001", name="红富士苹果")
    data = (
        "商品编码,商品名称\nSG009,苹果 红富士\nSG010,（红富士）苹果\nSG011,香蕉\n"
    ).encode()
    preview = owner_client.post(
        "/catalog/products/import/", {"file": SimpleUploadedFile("p.csv", data)}
    )
    warnings = preview.context["plan"].warnings
    assert [(w.row, w.column) for w in warnings] == [(2, "商品名称"), (3, "商品名称")]
    assert "红富士苹果" in warnings[0].problem and "SG001" in warnings[0].problem
    # A warning, not an error: the owner may still import.
    assert preview.context["token"]
    assert "是不是同一个商品录了两次" in preview.content.decode()


@pytest.mark.parametrize(
    ("barcode", "outcome"),
    [
        ("6901234567892", "ok"),  # EAN-13, right check digit
        ("6901234567891", "warning"),  # EAN-13, wrong check digit
        ("96385074", "ok"),  # EAN-8
        ("96385075", "warning"),
        ("036000291452", "ok"),  # UPC-A
        ("036000291453", "warning"),
        ("10012345678902", "ok"),  # GTIN-14
        ("10012345678903", "warning"),
        ("123456789012345", "error"),  # 15 digits: no barcode is that long
        ("ZD-0001", "ok"),  # a shop's own code with letters
        ("12345", "ok"),  # a short internal number
    ],
)
def test_barcodes_are_checked_as_gs1_numbers(owner_client, barcode, outcome):
    data = f"商品编码,商品名称,条形码\nA1,苹果,{barcode}\n".encode()
    response = owner_client.post(
        "/catalog/products/import/", {"file": SimpleUploadedFile("p.csv", data)}
    )
    problems = response.context["problems"]
    plan = response.context["plan"]
    if outcome == "error":
        assert [(p.row, p.column) for p in problems] == [(2, "条形码")]
        assert "最多 14 位" in problems[0].problem
        assert plan is None
    elif outcome == "warning":
        assert not problems
        assert [(w.row, w.column) for w in plan.warnings] == [(2, "条形码")]
        assert "校验位应为" in plan.warnings[0].problem
    else:
        assert not problems and not plan.warnings
    assert not Product.objects.exists()
