"""A small shop with one of every document, made through the real services: what
the fuzz tests send their hostile input to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import OwnerFactory, StaffFactory
from api import services as api_services
from catalog.models import Customer, Warehouse
from catalog.tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
)
from counter import services as counter_services
from counter.models import Shift
from finance import services as finance
from finance.models import Account
from inventory import documents, transfer_requests
from jxc.tests import shop_world
from jxc.tests.fuzz import Spec, fingerprint, outcome, rolled_back, send
from purchasing import selectors as purchasing_selectors
from purchasing import services as purchasing
from sales import services as sales
from sales.models import SalePayment


@dataclass(repr=False)
class World:
    owner: object
    staff: object
    warehouse: object
    other_warehouse: object
    closed_warehouse: object
    category: object
    supplier: object
    old_supplier: object
    customer: object
    old_customer: object
    walk_in: object
    apple: object
    pear: object
    retired: object
    draft_po: object
    placed_po: object
    receipt: object
    purchase_return: object
    draft_so: object
    confirmed_so: object
    shipment: object
    sales_return: object
    adjustment: object
    transfer: object
    opening: object
    stocktake: object
    cost_adjustment: object
    counter_sale: object
    closed_shift: object
    shift: object
    customer_payment: object
    # The cash book (finance): an account with money, a transfer, an expense.
    money_account: object = None
    money_transfer: object = None
    cash_entry: object = None
    cash_category: object = None
    style: object = None
    attribute: object = None
    price_level: object = None
    box: object = None
    api_key: object = None
    # A chain: the shop and a transfer request between two warehouses.
    shop: object = None
    transfer_request: object = None

    def __repr__(self):
        return "World()"

    def other_ids(self) -> list[str]:
        """Ids of records of other kinds and of deactivated ones."""
        return [
            str(pk)
            for pk in (
                self.old_supplier.pk,
                self.old_customer.pk,
                self.closed_warehouse.pk,
                self.retired.pk,
                self.receipt.pk,
                self.shipment.pk,
                self.owner.pk,
            )
        ]

    def codes(self) -> list[str]:
        """What a clerk may type into a line's product field."""
        return [
            self.apple.sku,
            self.apple.sku.lower(),
            self.apple.barcode,
            f" {self.pear.sku} ",
            self.retired.sku,
            "NO-SUCH-SKU",
        ]

    def tokens(self) -> list[str]:
        """Submission tokens already used (a replayed form) and fresh ones."""
        used = [
            self.receipt.submission,
            self.shipment.submission,
            self.adjustment.submission,
            self.transfer.submission,
            self.draft_so.submission,
        ]
        return [str(t) for t in used if t] + [str(uuid.uuid4())]


def build(owner, staff) -> World:
    today = timezone.localdate()
    warehouse = Warehouse.objects.get(is_default=True)
    other = WarehouseFactory(code="W2", name="二号仓")
    closed = WarehouseFactory(code="W9", name="停用仓", is_active=False)
    category = CategoryFactory(name="水果")
    supplier = SupplierFactory(code="S1", name="果园")
    old_supplier = SupplierFactory(code="S9", name="旧供应商", is_active=False)
    customer = CustomerFactory(code="C1", name="老王")
    old_customer = CustomerFactory(code="C9", name="旧客户", is_active=False)
    walk_in = Customer.objects.get(code="RETAIL")
    purchasing_selectors.purchasing_settings()  # made on first read: made here
    apple = ProductFactory(
        sku="A001", name="苹果", barcode="6901234567890", category=category
    )
    apple.preferred_supplier = supplier
    apple.save()
    pear = ProductFactory(sku="B002", name="梨", category=category)
    retired = ProductFactory(sku="Z999", name="停售品", is_active=False)
    goods = _goods(apple, category)

    def po(lines, confirm):
        order = purchasing.purchase_order_save(
            supplier=supplier,
            warehouse=warehouse,
            order_date=today,
            expected_date=None,
            note="",
            user=owner,
            submission=uuid.uuid4(),
            lines=[purchasing.OrderLineInput(p, Decimal(q)) for p, q in lines],
        )
        return (
            purchasing.purchase_order_confirm(order=order, user=owner)
            if confirm
            else order
        )

    draft_po = po([(apple, "5")], confirm=False)
    placed_po = po([(apple, "100"), (pear, "80")], confirm=True)
    receipt = purchasing.receipt_post(
        order=placed_po,
        supplier=None,
        warehouse=None,
        occurred_at=timezone.now(),
        note="",
        user=owner,
        submission=uuid.uuid4(),
        lines=[
            purchasing.ReceiptLineInput(apple, Decimal("60")),
            purchasing.ReceiptLineInput(pear, Decimal("50")),
        ],
    )
    purchase_return = purchasing.purchase_return_post(
        receipt=receipt,
        supplier=None,
        warehouse=None,
        occurred_at=timezone.now(),
        note="",
        user=owner,
        submission=uuid.uuid4(),
        lines=[purchasing.ReturnLineInput(apple, Decimal("1"))],
    )
    transfer = documents.transfer_post(
        from_warehouse=warehouse,
        to_warehouse=other,
        lines=[(apple, Decimal("10")), (pear, Decimal("10"))],
        note="",
        user=owner,
        submission=uuid.uuid4(),
    )
    adjustment = documents.adjustment_post(
        warehouse=warehouse,
        lines=[documents.AdjustmentInput(pear, Decimal("-1"), "damaged")],
        note="",
        user=owner,
        submission=uuid.uuid4(),
    )
    opening = documents.opening_stock_post(
        lines=[(pear, other, Decimal("5"), Decimal("3.20"))],
        note="",
        user=owner,
        submission=uuid.uuid4(),
    )
    stocktake = documents.stocktake_start(
        warehouse=other, categories=[], note="", user=owner, submission=uuid.uuid4()
    )
    cost_adjustment = documents.cost_adjustment_post(
        warehouse=other,
        product=pear,
        new_unit_cost=Decimal("3.20"),
        reason="核对成本",
        user=owner,
        submission=uuid.uuid4(),
    )

    def so(lines, customer=customer):
        return sales.sales_order_save(
            customer=customer,
            warehouse=warehouse,
            order_date=today,
            note="",
            user=owner,
            submission=uuid.uuid4(),
            lines=[sales.SaleLineInput(p, Decimal(q)) for p, q in lines],
        )

    draft_so = so([(apple, "2")])
    confirmed_so = sales.sales_order_confirm(
        order=so([(apple, "5"), (pear, "4")]), user=owner
    )
    shipped_so = sales.sales_order_confirm(order=so([(apple, "3")]), user=owner)
    shipment = sales.shipment_post(
        order=shipped_so,
        quantities={line.pk: line.quantity for line in shipped_so.lines.all()},
        occurred_at=timezone.now(),
        user=owner,
        submission=uuid.uuid4(),
    )
    sales_return = sales.sales_return_post(
        shipment=shipment,
        quantities={shipment.lines.get().pk: Decimal("1")},
        reason="",
        occurred_at=timezone.now(),
        user=owner,
        submission=uuid.uuid4(),
    )
    # A counter sale the clerk took in cash and WeChat, and the clerk's shift.
    grapes = ProductFactory(sku="C003", name="葡萄", category=category, unit="公斤")
    documents.opening_stock_post(
        lines=[(grapes, warehouse, Decimal("10"), Decimal("6"))], note="", user=owner
    )
    counter_sale = sales.retail_sale_post(
        warehouse=warehouse,
        lines=[sales.SaleLineInput(grapes, Decimal("3"), Decimal("10"))],
        amount_received=Decimal("30"),
        user=staff,
        submission=uuid.uuid4(),
    )
    SalePayment.objects.bulk_create(
        [
            SalePayment(
                order=counter_sale,
                method="wechat",
                amount=Decimal("10"),
                created_by=staff,
            ),
            SalePayment(
                order=counter_sale,
                method="cash",
                amount=Decimal("20"),
                tendered=Decimal("50"),
                created_by=staff,
            ),
        ]
    )
    shift = counter_services.shift_open(clerk=staff)
    # Another clerk's shift of today, closed: the owner may reopen it.
    closed_shift = Shift.objects.create(
        clerk=StaffFactory(username="closer"),
        day=timezone.localdate(),
        expected_cash=Decimal(0),
        counted_cash=Decimal(0),
        closed_at=timezone.now(),
    )
    customer_payment = finance.payment_post(
        customer=customer,
        account=Account.objects.get(payment_method="cash"),
        amount=Decimal("20"),
        occurred_at=timezone.now(),
        user=owner,
        submission=uuid.uuid4(),
    )
    money = _cash_book(owner)
    return World(
        **money,
        owner=owner,
        staff=staff,
        warehouse=warehouse,
        other_warehouse=other,
        closed_warehouse=closed,
        category=category,
        supplier=supplier,
        old_supplier=old_supplier,
        customer=customer,
        old_customer=old_customer,
        walk_in=walk_in,
        apple=apple,
        pear=pear,
        retired=retired,
        draft_po=draft_po,
        placed_po=placed_po,
        receipt=receipt,
        purchase_return=purchase_return,
        draft_so=draft_so,
        confirmed_so=confirmed_so,
        shipment=shipment,
        sales_return=sales_return,
        adjustment=adjustment,
        transfer=transfer,
        shop=warehouse.shop,
        transfer_request=transfer_requests.transfer_request_create(
            from_warehouse=other,
            to_warehouse=warehouse,
            lines=[(apple, Decimal("1"))],
            note="",
            user=owner,
        ),
        opening=opening,
        stocktake=stocktake,
        cost_adjustment=cost_adjustment,
        counter_sale=counter_sale,
        closed_shift=closed_shift,
        shift=shift,
        customer_payment=customer_payment,
        **goods,
        api_key=api_services.api_key_create(
            name="网店", scope="orders", user=owner, webhook_url="http://127.0.0.1:9/"
        ).key,
    )


def _cash_book(owner) -> dict:
    """¥1,000 of other income into the till, ¥300 moved to the bank, ¥50 of rent."""
    from finance import cashbook
    from finance.models import Account, CashCategory

    till = Account.objects.get(name="现金")
    bank = Account.objects.get(name="银行卡")
    income = CashCategory.objects.get(name="其他收入")
    rent = CashCategory.objects.get(name="房租")
    now = timezone.now()
    cashbook.cash_post(
        category=income,
        account=till,
        amount=Decimal("1000"),
        occurred_at=now,
        user=owner,
        submission=uuid.uuid4(),
    )
    transfer = cashbook.transfer_post(
        from_account=till,
        to_account=bank,
        amount=Decimal("300"),
        occurred_at=now,
        user=owner,
        submission=uuid.uuid4(),
    )
    entry = cashbook.cash_post(
        category=rent,
        account=till,
        amount=Decimal("50"),
        occurred_at=now,
        user=owner,
        submission=uuid.uuid4(),
    )
    return {
        "money_account": till,
        "money_transfer": transfer,
        "cash_entry": entry,
        "cash_category": rent,
    }


def _goods(apple, category) -> dict:
    """A style with two variants (one attribute in use), a price level with a price,
    and a box of the apple with its own barcode."""
    from catalog import services as catalog
    from catalog.tests.factories import style_with

    style = style_with(code="T1", colours=("RD",), sizes=("S", "M"), category=category)
    catalog.style_variants_generate(style=style)
    level = catalog.price_level_save(data={"name": "批发价"})
    catalog.package_units_save(
        product=apple,
        rows=[
            {
                "pk": None,
                "name": "箱",
                "factor": Decimal(10),
                "barcode": "6909999999994",
                "sale_price": None,
            }
        ],
    )
    catalog.level_prices_save(product=apple, prices={(level.pk, None): Decimal(5)})
    return {
        "style": style,
        "attribute": style.values.first().attribute,
        "price_level": level,
        "box": apple.package_units.get(),
    }


@pytest.fixture(name="world")
def world_fixture(db, settings):
    """The shop every fuzz example starts from (import this into a test module)."""
    # Passwords are hashed quickly here: the accounts below, and those the
    # examples make (a real hasher takes most of a second each time).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build(OwnerFactory(username="boss"), StaffFactory(username="clerk"))
    shop_world.backup_file()  # the backup the backup page's download names
    # Every example starts from this state (each is rolled back afterwards).
    world.baseline = fingerprint()
    world.clients = {}
    return world


def client_for(world, role: str) -> Client:
    """A signed-in client per role, made once per test (its session row is
    restored with everything else after each example)."""
    if role not in world.clients:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        world.clients[role] = client
    return world.clients[role]


def exercise(world, spec: Spec, pairs) -> str:
    """Send one hostile submission and check the answer; nothing of it remains."""
    client = Client() if spec.relogin else client_for(world, spec.user)
    # Messages may travel in a cookie, which no rollback takes back: each example
    # starts without the last one's.
    client.cookies.pop(CookieStorage.cookie_name, None)
    with rolled_back():
        if spec.relogin:
            client.force_login(getattr(world, spec.user))
        before = fingerprint() if spec.relogin else world.baseline
        response = send(client, spec, world, pairs)
        return outcome(
            response, before, pairs, may_write=spec.may_write, quiet=spec.quiet
        )
