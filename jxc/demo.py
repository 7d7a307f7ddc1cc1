"""Demo data for `manage.py seed_demo`: each part loaded through its app's services.

Every step creates only what is missing, so running it again changes nothing.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation

from catalog import services as catalog_services
from catalog.models import (
    Attribute,
    Category,
    Customer,
    PriceLevel,
    Product,
    Shop,
    ShopProfile,
    Style,
    Supplier,
    Warehouse,
)
from inventory import documents as inventory_documents
from inventory.models import OpeningStock
from inventory.services import InsufficientStock
from purchasing import services as purchasing_services
from purchasing.models import PurchaseOrder
from sales import services as sales_services
from sales.models import SalesOrder

SUPPLIERS = [
    (
        "GYS001",
        "南方果业批发",
        "陈经理",
        "13800138001",
        "广州市江南果菜批发市场 A 区 12 号",
    ),
    ("GYS002", "晨光文具经销部", "刘女士", "13900139002", "上海市静安区共和新路 88 号"),
    (
        "GYS003",
        "杭州织里服饰",
        "王先生",
        "13700137003",
        "湖州市吴兴区织里镇童装城 3 楼",
    ),
    ("GYS004", "本地菜市场", "", "", "街口菜市场"),
]
CUSTOMERS = [
    ("KH001", "阳光幼儿园", "李老师", "13600136001", "幸福路 12 号"),
    ("KH002", "城东小学", "张主任", "13500135002", "城东大道 200 号"),
    ("KH003", "绿叶餐厅", "赵老板", "13300133003", "美食街 8 号"),
]
# sku, name, category, unit, spec, purchase, sale, safety stock, supplier
PRODUCTS = [
    ("SG001", "红富士苹果", "水果", "斤", "80mm", "4.50", "6.80", "20", "GYS001"),
    ("SG002", "香蕉", "水果", "斤", "", "2.20", "3.50", "30", "GYS001"),
    ("SG003", "赣南脐橙", "水果", "斤", "", "3.90", "5.80", "20", "GYS001"),
    ("SG004", "巨峰葡萄", "水果", "斤", "", "6.00", "9.90", "10", "GYS001"),
    ("SG005", "砀山梨", "水果", "斤", "", "2.50", "3.90", "20", "GYS001"),
    ("SG006", "海南西瓜", "水果", "个", "约8斤", "18.00", "29.90", "5", "GYS001"),
    ("SG007", "猕猴桃", "水果", "斤", "", "7.50", "11.80", "10", "GYS001"),
    ("SG008", "丹东草莓", "水果", "盒", "500g", "15.00", "25.00", "8", "GYS001"),
    ("SG009", "芒果", "水果", "斤", "", "5.50", "8.80", "10", "GYS004"),
    ("SG010", "火龙果", "水果", "个", "红心", "4.00", "6.50", "10", "GYS004"),
    ("SG011", "哈密瓜", "水果", "个", "", "12.00", "19.90", "5", "GYS001"),
    ("SG012", "柠檬", "水果", "个", "", "0.80", "1.50", "30", "GYS004"),
    ("SG013", "樱桃", "水果", "斤", "JJ级", "28.00", "45.00", "5", "GYS001"),
    ("SG014", "蓝莓", "水果", "盒", "125g", "9.00", "15.90", "10", "GYS001"),
    (
        "WJ001",
        "晨光中性笔 0.5mm 黑",
        "文具",
        "支",
        "0.5mm",
        "1.10",
        "2.50",
        "50",
        "GYS002",
    ),
    (
        "WJ002",
        "晨光中性笔 0.5mm 红",
        "文具",
        "支",
        "0.5mm",
        "1.10",
        "2.50",
        "30",
        "GYS002",
    ),
    ("WJ003", "得力订书机 0414", "文具", "个", "", "8.50", "15.00", "5", "GYS002"),
    ("WJ004", "A5 笔记本 80页", "文具", "本", "A5", "3.20", "6.00", "40", "GYS002"),
    (
        "WJ005",
        "2B 铅笔（12支装）",
        "文具",
        "盒",
        "12支",
        "5.60",
        "9.90",
        "20",
        "GYS002",
    ),
    ("WJ006", "橡皮擦 4B", "文具", "块", "", "0.60", "1.50", "50", "GYS002"),
    ("WJ007", "文件夹 A4 蓝", "文具", "个", "A4", "2.10", "4.50", "20", "GYS002"),
    ("WJ008", "A4 打印纸 70g", "文具", "包", "500张", "18.00", "26.00", "10", "GYS002"),
    ("WJ009", "透明胶带", "文具", "卷", "18mm", "1.00", "2.50", "30", "GYS002"),
    ("WJ010", "彩色便利贴", "文具", "本", "76×76mm", "1.80", "3.50", "30", "GYS002"),
    ("WJ011", "直尺 30cm", "文具", "把", "30cm", "1.20", "3.00", "20", "GYS002"),
    ("WJ012", "水彩笔 24色", "文具", "盒", "24色", "9.50", "18.00", "10", "GYS002"),
    ("WJ013", "计算器", "文具", "台", "12位", "22.00", "39.00", "5", "GYS002"),
    ("FZ001", "纯棉T恤 白 M", "服装", "件", "M", "22.00", "59.00", "10", "GYS003"),
    ("FZ002", "纯棉T恤 白 L", "服装", "件", "L", "22.00", "59.00", "10", "GYS003"),
    ("FZ003", "纯棉T恤 黑 XL", "服装", "件", "XL", "23.00", "59.00", "10", "GYS003"),
    ("FZ004", "牛仔裤 直筒 30", "服装", "条", "30", "65.00", "139.00", "5", "GYS003"),
    ("FZ005", "牛仔裤 直筒 32", "服装", "条", "32", "65.00", "139.00", "5", "GYS003"),
    ("FZ006", "卫衣 灰 L", "服装", "件", "L", "48.00", "99.00", "5", "GYS003"),
    ("FZ007", "羽绒服 黑 L", "服装", "件", "L", "180.00", "399.00", "3", "GYS003"),
    ("FZ008", "针织围巾 红", "服装", "条", "", "25.00", "59.00", "5", "GYS003"),
    ("FZ009", "棉袜 五双装", "服装", "包", "均码", "9.00", "19.90", "10", "GYS003"),
    ("FZ010", "运动短裤 蓝 M", "服装", "条", "M", "19.00", "45.00", "5", "GYS003"),
    ("FZ011", "衬衫 白 40", "服装", "件", "40", "55.00", "129.00", "3", "GYS003"),
    ("FZ012", "毛线帽 灰", "服装", "顶", "均码", "12.00", "29.00", "5", "GYS003"),
    ("FZ013", "连衣裙 碎花 M", "服装", "件", "M", "75.00", "169.00", "3", "GYS003"),
]


def seed(*, owner) -> list[str]:
    """Load the demo shop; returns lines to print."""
    lines = []
    if not ShopProfile.objects.exists():
        catalog_services.shop_profile_save(
            data={
                "name": "阳光便利店",
                "address": "幸福路 18 号",
                "phone": "0571-88886666",
                "slip_footer": "谢谢惠顾，欢迎再来！",
            }
        )
    if not Warehouse.objects.filter(code="WH02").exists():
        catalog_services.warehouse_save(
            data={"code": "WH02", "name": "后仓", "address": ""}
        )
    for code, name, contact, phone, address in SUPPLIERS:
        if not Supplier.objects.filter(code=code).exists():
            catalog_services.party_save(
                model=Supplier,
                data={
                    "code": code,
                    "name": name,
                    "contact": contact,
                    "phone": phone,
                    "address": address,
                },
            )
    for code, name, contact, phone, address in CUSTOMERS:
        if not Customer.objects.filter(code=code).exists():
            catalog_services.party_save(
                model=Customer,
                data={
                    "code": code,
                    "name": name,
                    "contact": contact,
                    "phone": phone,
                    "address": address,
                },
            )
    for order, name in enumerate(["水果", "文具", "服装"]):
        if not Category.objects.filter(name=name).exists():
            catalog_services.category_save(data={"name": name, "sort_order": order})
    categories = {c.name: c for c in Category.objects.all()}
    suppliers = {s.code: s for s in Supplier.objects.all()}
    created = 0
    for number, row in enumerate(PRODUCTS):
        sku, name, category, unit, spec, cost, price, safety, supplier = row
        if Product.objects.filter(sku=sku).exists():
            continue
        catalog_services.product_save(
            data={
                "sku": sku,
                "name": name,
                "barcode": f"69{number + 20000000000:011d}",
                # Fruit sold by the jin is weighed on the label scale: PLU 1 is
                # SG001 (labels 2 000001 wwwww c with the default prefix 2).
                "plu": str(int(sku[2:])) if unit == "斤" else "",
                "category": categories[category],
                "unit": unit,
                "spec": spec,
                "purchase_price": Decimal(cost),
                "sale_price": Decimal(price),
                "safety_stock": Decimal(safety),
                "reorder_quantity": Decimal(safety) * 2,
                "lead_time_days": 2 if category == "水果" else 7,
                "preferred_supplier": suppliers[supplier],
            }
        )
        created += 1
    lines.append(
        f"Demo catalog: {created} products added ({len(PRODUCTS)} in the demo)."
    )
    lines.append(_goods())
    lines.append(_opening_stock(owner))
    lines.append(_second_shop(owner))
    lines.append(_purchases(owner))
    lines.append(_sales(owner))
    lines.append(_money(owner))
    lines.append(_expenses(owner))
    return lines


# Credit limits (信用额度) of the demo's customers.
CREDIT_LIMITS = {"KH001": "2000", "KH002": "5000", "KH003": "800"}


def _money(owner) -> str:
    """往来账: credit limits, a customer who paid part of what it owes, and the
    shop paying part of what it owes its suppliers (from the till)."""
    from finance import selectors as finance_selectors
    from finance import services as finance_services
    from finance.models import Account, Payment

    if Payment.objects.exists():
        return "Demo money: already there."
    for code, limit in CREDIT_LIMITS.items():
        customer = Customer.objects.filter(code=code).first()
        if customer is not None:
            finance_services.credit_limit_save(
                customer=customer, limit=Decimal(limit), user=owner
            )
    moment = timezone.now() - timedelta(days=3)
    till = Account.objects.get(payment_method="cash")
    wechat = Account.objects.get(payment_method="wechat")
    paid = 0
    for customer in Customer.objects.filter(code__in=["KH002", "KH003"]):
        owed = finance_selectors.partner_balance(customer_id=customer.pk)
        if owed > 0:
            finance_services.payment_post(
                customer=customer,
                account=wechat,
                amount=(owed / 2).quantize(Decimal("0.01")),
                occurred_at=moment,
                note="",
                user=owner,
            )
            paid += 1
    for supplier in Supplier.objects.filter(code__in=["GYS001", "GYS002"]):
        owed = finance_selectors.partner_balance(supplier_id=supplier.pk)
        till.refresh_from_db()
        amount = min((owed / 2).quantize(Decimal("0.01")), till.balance)
        if amount > 0:
            finance_services.payment_post(
                supplier=supplier,
                account=till,
                amount=amount,
                occurred_at=moment,
                note="",
                user=owner,
            )
            paid += 1
    return f"Demo money: credit limits set, {paid} payments recorded."


# Last month's 日常收支: what a small shop pays besides its goods (category,
# account, day of the month, amount).
EXPENSES = [
    ("房租", "银行卡", 1, "1500"),
    ("水电", "现金", 8, "326.40"),
    ("运费", "现金", 12, "85"),
    ("工资", "银行卡", 15, "2200"),
    ("杂费", "现金", 22, "48.50"),
]


def _expenses(owner) -> str:
    """A month of expenses (rent and wages from the bank, after moving the till's
    takings there; utilities, freight and sundries from the till)."""
    from finance import cashbook
    from finance.models import Account, CashCategory, CashEntry

    if CashEntry.objects.exists():
        return "Demo expenses: already there."
    first = timezone.localdate().replace(day=1)
    month = (first - timedelta(days=1)).replace(day=1)

    def moment(day):
        return timezone.make_aware(datetime.combine(month.replace(day=day), time(10)))

    till = Account.objects.get(name="现金")
    bank = Account.objects.get(name="银行卡")
    if till.balance >= Decimal("4000"):
        cashbook.transfer_post(
            from_account=till,
            to_account=bank,
            amount=Decimal("3700"),
            occurred_at=moment(1),
            user=owner,
        )
    made = 0
    for category, account, day, amount in EXPENSES:
        account = Account.objects.get(name=account)
        if account.balance < Decimal(amount):
            continue  # a demo with little money left: no overdraft
        cashbook.cash_post(
            category=CashCategory.objects.get(name=category),
            account=account,
            amount=Decimal(amount),
            occurred_at=moment(day),
            user=owner,
        )
        made += 1
    return f"Demo expenses: {made} of last month's expenses recorded."


STYLE_CODE = "FZ100"
DRINK_SKU = "YL001"
COLOURS = [("BK", "黑色"), ("WH", "白色"), ("RD", "红色"), ("NV", "藏青")]
SIZES = [("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL"), ("XXL", "XXL")]


@translation.override("zh-hans")
def _goods() -> str:
    """A T-shirt in 4 colours × 5 sizes, water sold by the 瓶 and the 箱 of 24, and
    a wholesale customer on 批发价 (its audit notes in the shop's language)."""
    attributes = {}
    for order, (name, values) in enumerate([("颜色", COLOURS), ("尺码", SIZES)]):
        attribute = Attribute.objects.filter(name=name).first()
        if attribute is None:
            attribute = catalog_services.attribute_save(
                data={"name": name, "sort_order": order}, values=values
            )
        attributes[name] = attribute
    clothes = Category.objects.get(name="服装")
    style = Style.objects.filter(code=STYLE_CODE).first()
    if style is None:
        style = catalog_services.style_save(
            data={
                "code": STYLE_CODE,
                "name": "纯棉圆领T恤",
                "category": clothes,
                "unit": "件",
                "supplier": Supplier.objects.get(code="GYS003"),
                "purchase_price": Decimal("28.00"),
                "sale_price": Decimal("59.00"),
            },
            values=[v for a in attributes.values() for v in a.values.all()],
        )
    made = catalog_services.style_variants_generate(style=style, instore_barcodes=True)
    drinks, _new = Category.objects.get_or_create(
        name="饮料", defaults={"sort_order": 3}
    )
    drink = Product.objects.filter(sku=DRINK_SKU).first()
    if drink is None:
        drink = catalog_services.product_save(
            data={
                "sku": DRINK_SKU,
                "name": "矿泉水 550ml",
                "barcode": "6900000000106",
                "category": drinks,
                "unit": "瓶",
                "spec": "550ml",
                "purchase_price": Decimal("0.90"),
                "sale_price": Decimal("2.00"),
                "safety_stock": Decimal("48"),
                "reorder_quantity": Decimal("96"),
                "preferred_supplier": Supplier.objects.get(code="GYS004"),
            }
        )
        catalog_services.package_units_save(
            product=drink,
            rows=[
                {
                    "pk": None,
                    "name": "箱",
                    "factor": Decimal(24),
                    "barcode": "6900000000205",
                    "sale_price": Decimal("40.00"),
                }
            ],
        )
    wholesale = PriceLevel.objects.filter(name="批发价").first()
    if wholesale is None:
        wholesale = catalog_services.price_level_save(
            data={"name": "批发价", "sort_order": 1, "note": "批发客户"}
        )
        catalog_services.price_level_save(data={"name": "会员价", "sort_order": 2})
        box = drink.package_units.get()
        catalog_services.level_prices_save(
            product=drink,
            prices={
                (wholesale.pk, None): Decimal("1.50"),
                (wholesale.pk, box.pk): Decimal("33.00"),
            },
        )
        for variant in style.variants.all():
            catalog_services.level_prices_save(
                product=variant, prices={(wholesale.pk, None): Decimal("45.00")}
            )
    if not Customer.objects.filter(code="KH004").exists():
        catalog_services.party_save(
            model=Customer,
            data={
                "code": "KH004",
                "name": "好邻居便利店",
                "contact": "孙老板",
                "phone": "13200132004",
                "address": "和平街 66 号",
                "price_level": wholesale,
            },
        )
    return f"Demo goods: {len(made)} variants of {STYLE_CODE}, {DRINK_SKU} by the 箱."


def _sales(owner) -> str:
    """About three months of counter sales and a few customer orders, fixed seed."""
    if SalesOrder.objects.exists():
        return "Demo sales: already there."
    rng = random.Random(20261126)  # noqa: S311 - demo data, not security
    main = Warehouse.objects.get(is_default=True)
    products = list(
        Product.objects.filter(sku__in=[row[0] for row in PRODUCTS]).order_by("sku")
    )
    customers = list(Customer.objects.exclude(code="RETAIL").order_by("code"))
    sold = skipped = 0
    start = timezone.localdate() - timedelta(days=88)
    for offset in range(0, 88, 2):
        day = start + timedelta(days=offset)
        for hour in (10, 15, 19):
            picks = rng.sample(products, k=rng.randint(1, 3))
            lines = [
                sales_services.SaleLineInput(p, Decimal(rng.randint(1, 3)))
                for p in picks
            ]
            try:
                sales_services.retail_sale_post(
                    warehouse=main,
                    lines=lines,
                    amount_received=Decimal(1000),
                    user=owner,
                    occurred_at=timezone.make_aware(datetime.combine(day, time(hour))),
                )
                sold += 1
            except (InsufficientStock, ValidationError):
                skipped += 1
        if offset % 14 == 0 and customers:
            customer = customers[(offset // 14) % len(customers)]
            order = sales_services.sales_order_save(
                customer=customer,
                warehouse=main,
                order_date=day,
                note="",
                user=owner,
                lines=[
                    sales_services.SaleLineInput(p, Decimal(rng.randint(2, 5)))
                    for p in rng.sample(products, k=2)
                ],
            )
            try:
                order = sales_services.sales_order_confirm(
                    order=order, user=owner, on_shortage="reduce"
                )
                sales_services.shipment_post(
                    order=order,
                    user=owner,
                    quantities={line.pk: line.quantity for line in order.lines.all()},
                    occurred_at=timezone.make_aware(datetime.combine(day, time(11))),
                )
                sold += 1
            except (InsufficientStock, ValidationError):
                skipped += 1
    return f"Demo sales: {sold} sales posted ({skipped} skipped for lack of stock)."


DEMO_DAYS = 120  # the demo shop opened four months ago


def _purchases(owner) -> str:
    """A few months of orders and receipts per supplier, prices drifting a little."""
    if PurchaseOrder.objects.exists():
        return "Demo purchases: already there."
    main = Warehouse.objects.get(is_default=True)
    count = 0
    for months_ago in (3, 2, 1):
        day = timezone.localdate() - timedelta(days=30 * months_ago)
        for supplier in Supplier.objects.filter(
            code__in=["GYS001", "GYS002", "GYS003"]
        ):
            products = list(supplier.preferred_products.order_by("sku")[:4])
            drift = Decimal(1) + Decimal("0.03") * (3 - months_ago)
            order = purchasing_services.purchase_order_save(
                supplier=supplier,
                warehouse=main,
                order_date=day,
                expected_date=day + timedelta(days=2),
                note="",
                user=owner,
                lines=[
                    purchasing_services.OrderLineInput(
                        p,
                        p.reorder_quantity or Decimal(10),
                        (p.purchase_price * drift).quantize(Decimal("0.01")),
                    )
                    for p in products
                ],
            )
            order = purchasing_services.purchase_order_confirm(order=order, user=owner)
            purchasing_services.receipt_post(
                order=order,
                supplier=None,
                warehouse=None,
                note="",
                user=owner,
                occurred_at=timezone.make_aware(
                    datetime.combine(day + timedelta(days=2), time(10))
                ),
                lines=[
                    purchasing_services.ReceiptLineInput(line.product, line.quantity)
                    for line in order.lines.select_related("product")
                ],
            )
            count += 1
    return f"Demo purchases: {count} orders received."


SECOND_SHOP = {"code": "S02", "name": "阳光便利店 二店", "address": "光明路 6 号"}
SECOND_SHOP_CLERK = "staff2"


def _second_shop(owner) -> str:
    """A second shop (a small chain) with its own warehouse, its clerk (staff2)
    and some stock, transferred from the first shop's main warehouse."""
    if Shop.objects.filter(code=SECOND_SHOP["code"]).exists():
        return "Demo second shop: already there."
    from django.contrib.auth import get_user_model

    clerks = list(get_user_model().objects.filter(username=SECOND_SHOP_CLERK))
    for clerk in clerks:
        clerk.shops.clear()  # staff2 works in the second shop only
    shop = catalog_services.shop_save(
        data={
            **SECOND_SHOP,
            "phone": "0571-88887777",
            "is_active": True,
            "members": clerks,
        },
        user=owner,
    )
    warehouse = catalog_services.warehouse_save(
        data={"code": "WH03", "name": "二店仓", "shop": shop, "address": ""},
        user=owner,
    )
    main = Warehouse.objects.get(is_default=True)
    lines = [
        (product, Decimal(2))
        for product in Product.objects.filter(
            sku__in=[row[0] for row in PRODUCTS[:12]]
        ).order_by("sku")
        if product.levels.filter(warehouse=main, on_hand__gte=4).exists()
    ]
    if lines:
        inventory_documents.transfer_post(
            from_warehouse=main,
            to_warehouse=warehouse,
            lines=lines,
            note="demo: 二店开业",
            user=owner,
        )
    return f"Demo second shop: {shop.name}, {warehouse.name}, {len(lines)} products."


def _opening_stock(owner) -> str:
    """Opening stock for the demo products; a few sit below their safety stock."""
    if OpeningStock.objects.exists():
        return "Demo opening stock: already there."
    main = Warehouse.objects.get(is_default=True)
    back = Warehouse.objects.get(code="WH02")
    products = Product.objects.filter(
        Q(sku__in=[row[0] for row in PRODUCTS] + [DRINK_SKU])
        | Q(style__code=STYLE_CODE)
    )
    rows = []
    products = products.select_related("category").order_by("sku")
    for number, product in enumerate(products):
        # Every seventh product is short, so the overview's filter has something.
        factor = Decimal("0.5") if number % 7 == 0 else Decimal(3)
        quantity = product.safety_stock * factor or Decimal(number % 4 + 1)
        rows.append((product, main, quantity, product.purchase_price))
        if product.category and product.category.name == "服装":
            rows.append((product, back, Decimal(4), product.purchase_price))
    opening = inventory_documents.opening_stock_post(
        lines=rows,
        note="demo",
        user=owner,
        occurred_at=timezone.now() - timedelta(days=DEMO_DAYS),
    )
    return f"Demo opening stock: {opening.number}, {len(rows)} lines."
