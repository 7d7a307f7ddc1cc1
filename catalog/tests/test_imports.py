"""Importing the spreadsheets shops really keep, and refusing what is not clear."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

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
    assert "新建 0 条，更新 20 条" in response.content.decode()
    after = list(Product.objects.order_by("pk").values())
    for row in before + after:
        row.pop("updated_at")
    assert after == before


def test_export_follows_the_list_filters_and_writes_text_as_text(owner_client):
    ProductFactory(sku="A", name='=HYPERLINK("http://x")', is_active=True)
    ProductFactory(sku="B", name="停售", is_active=False)
    content = owner_client.get("/catalog/products/export/", {"active": "1"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("商品编码", "商品名称")
    assert [row[0] for row in rows[1:]] == ["A"]
    assert sheet["B2"].data_type == "s"
    assert sheet.freeze_panes == "A2"


def test_staff_export_has_no_purchase_prices(staff_client):
    ProductFactory(purchase_price=Decimal("4321.09"))
    content = staff_client.get("/catalog/products/export/").content
    rows = list(
        openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
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
    assert "新建 1 条，更新 1 条" in html
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
