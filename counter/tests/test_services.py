"""The counter's services: payments that sum to the total, change from cash only,
挂账 for named customers, bad input refused with nothing written, a double submit
posting once, parked sales that expire at midnight."""

import uuid
from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from catalog.models import Customer, Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory
from counter import services
from counter.models import Cart, HeldSale
from counter.services import PaymentEntry, PaymentInput
from inventory.models import StockLevel, StockMove
from inventory.tests.factories import receive
from sales.models import PaymentMethod, SalePayment, SalesOrder
from sales.services import SaleLineInput

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shop(owner):
    pen = ProductFactory(name="中性笔", sale_price=D("2.50"), barcode="6922169890487")
    book = ProductFactory(name="笔记本", sale_price=D("12.80"))
    receive(pen, "10", "1.00", user=owner)
    receive(book, "5", "6.00", user=owner)
    return pen, book


def written():
    return (
        SalesOrder.objects.count(),
        SalePayment.objects.count(),
        StockMove.objects.count(),
        list(StockLevel.objects.order_by("pk").values_list("on_hand", flat=True)),
    )


def sell(user, lines, payments, **kwargs):
    return services.counter_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=lines,
        payments=payments,
        user=user,
        **kwargs,
    )


def test_split_payment_rows_sum_to_the_total_and_change_comes_from_cash(shop, staff):
    pen, book = shop
    order = sell(
        staff,
        [SaleLineInput(pen, D("3")), SaleLineInput(book, D("2"))],  # 7.50 + 25.60
        [
            PaymentInput(PaymentMethod.WECHAT, D("20.00")),
            PaymentInput(PaymentMethod.CASH, D("13.10"), tendered=D("50")),
        ],
    )
    assert order.total == D("33.10")
    rows = list(order.payments.order_by("pk"))
    assert [(row.method, row.amount) for row in rows] == [
        ("wechat", D("20.00")),
        ("cash", D("13.10")),
    ]
    assert sum(row.amount for row in rows) == order.total
    assert rows[1].change == D("36.90")
    assert order.amount_received == D("70.00")  # total + change, for old pages


@pytest.mark.parametrize(
    "payments, message",
    [
        ([PaymentInput("cash", D("10.00"))], "还差"),
        ([PaymentInput("wechat", D("20.00"))], "多于合计"),
        ([PaymentInput("cash", D("12.50"), tendered=D("10"))], "还差"),
        ([PaymentInput("wechat", D("12.50"), tendered=D("20"))], "只有现金"),
        ([PaymentInput("cash", D("12.505"))], "2 位小数"),
        ([PaymentInput("cash", D("-1")), PaymentInput("card", D("13.50"))], "2 位小数"),
        ([PaymentInput("bitcoin", D("12.50"))], "只能用一次"),
        ([PaymentInput("card", D("6")), PaymentInput("card", D("6.50"))], "只能用一次"),
    ],
)
def test_payments_that_are_not_exactly_the_total_are_refused(
    shop, staff, payments, message
):
    pen, _book = shop
    before = written()
    with pytest.raises(ValidationError) as refused:
        sell(staff, [SaleLineInput(pen, D("5"))], payments)  # ¥12.50
    assert message in " ".join(refused.value.messages)
    assert written() == before


def test_on_account_needs_a_named_customer(shop, staff):
    pen, _book = shop
    before = written()
    with pytest.raises(ValidationError, match="挂账"):
        sell(
            staff,
            [SaleLineInput(pen, D("1"))],
            [PaymentInput(PaymentMethod.ACCOUNT, D("2.50"))],
        )
    assert written() == before
    customer = CustomerFactory(name="王老板")
    order = sell(
        staff,
        [SaleLineInput(pen, D("1"))],
        [PaymentInput(PaymentMethod.ACCOUNT, D("2.50"))],
        customer=customer,
    )
    assert order.customer == customer
    assert order.payments.get().method == "account"


@pytest.mark.parametrize(
    "quantity, price",
    [
        (D("0"), None),
        (D("-1"), None),
        (D("1.0005"), None),
        (D("1000000000"), None),
        (D("1"), D("2.505")),
        (D("1"), D("-2")),
        (D("1"), D("100000000")),
    ],
)
def test_bad_quantities_and_prices_are_refused_with_nothing_written(
    shop, owner, quantity, price
):
    pen, _book = shop
    before = written()
    with pytest.raises(ValidationError):
        sell(
            owner,
            [SaleLineInput(pen, quantity, price)],
            [PaymentInput(PaymentMethod.CASH, D("2.50"))],
        )
    assert written() == before


def test_the_same_form_posted_twice_posts_once(shop, staff):
    pen, _book = shop
    token = uuid.uuid4()
    first = sell(
        staff,
        [SaleLineInput(pen, D("2"))],
        [PaymentInput(PaymentMethod.CASH, D("5.00"))],
        submission=token,
    )
    after = written()
    again = sell(
        staff,
        [SaleLineInput(pen, D("2"))],
        [PaymentInput(PaymentMethod.CASH, D("5.00"))],
        submission=token,
    )
    assert again.pk == first.pk
    assert written() == after


# --- what the clerk types ------------------------------------------------------------


@pytest.mark.parametrize(
    "amounts, cash, rows",
    [
        ({}, None, [("cash", "33.10", "33.10")]),  # nothing typed: exact cash
        ({}, D("50"), [("cash", "33.10", "50")]),
        ({"wechat": D("33.10")}, None, [("wechat", "33.10", None)]),
        (
            {"wechat": D("20")},
            D("20"),
            [("cash", "13.10", "20"), ("wechat", "20", None)],
        ),
    ],
)
def test_what_was_typed_becomes_payment_rows(amounts, cash, rows):
    made = services.payments_from_entry(
        total=D("33.10"), entry=PaymentEntry(amounts, cash)
    )
    assert [(row.method, row.amount, row.tendered) for row in made] == [
        (method, D(amount), None if tendered is None else D(tendered))
        for method, amount, tendered in rows
    ]


@pytest.mark.parametrize(
    "amounts, cash, message",
    [
        ({}, D("30"), "还差 ¥3.10"),
        ({"wechat": D("20")}, None, "还差 ¥13.10"),
        ({"wechat": D("40")}, None, "多于合计"),
        ({"wechat": D("33.10")}, D("5"), "清空"),
    ],
)
def test_money_that_does_not_cover_the_total_is_refused(amounts, cash, message):
    with pytest.raises(ValidationError, match=message):
        services.payments_from_entry(
            total=D("33.10"), entry=PaymentEntry(amounts, cash)
        )


# --- the cart ---------------------------------------------------------------------


def test_a_scan_adds_one_and_the_same_product_again_adds_one_more(shop, staff):
    pen, book = shop
    services.cart_scan(user=staff, code="6922169890487")
    services.cart_scan(user=staff, code=" 6922169890487 ")
    services.cart_scan(user=staff, code=book.sku)
    cart = Cart.objects.get(clerk=staff)
    assert [(line["product"], line["quantity"]) for line in cart.lines] == [
        (pen.pk, "2"),
        (book.pk, "1"),
    ]
    services.cart_line_step(user=staff, step=1)  # the last line: the book
    services.cart_line_step(user=staff, product_id=pen.pk, step=-1)
    services.cart_line_remove(user=staff)  # the pen was touched last
    cart.refresh_from_db()
    assert [(line["product"], line["quantity"]) for line in cart.lines] == [
        (book.pk, "2")
    ]


def test_a_name_that_is_no_code_answers_the_matching_products(shop, staff):
    pen, _book = shop
    result = services.cart_scan(user=staff, code="中性")
    assert [product.pk for product in result.matches] == [pen.pk]
    assert not Cart.objects.filter(clerk=staff).exists()


@pytest.mark.parametrize("quantity", [D("0"), D("-1"), D("0.0001"), D("1e12")])
def test_a_bad_quantity_typed_on_a_line_changes_nothing(shop, staff, quantity):
    pen, _book = shop
    services.cart_scan(user=staff, code=pen.sku)
    before = Cart.objects.get(clerk=staff).lines
    with pytest.raises(ValidationError):
        services.cart_line_set(user=staff, product_id=pen.pk, quantity=quantity)
    assert Cart.objects.get(clerk=staff).lines == before


def test_checkout_posts_the_screen_and_empties_it_once(shop, staff):
    pen, book = shop
    services.cart_scan(user=staff, code=pen.sku)
    services.cart_scan(user=staff, code=book.sku)
    token = uuid.uuid4()
    entry = PaymentEntry({"wechat": D("5")}, D("20"))
    order = services.cart_checkout(user=staff, entry=entry, submission=token)
    assert order.total == D("15.30")
    assert order.payments.count() == 2
    cart = Cart.objects.get(clerk=staff)
    assert cart.lines == [] and cart.last_sale == order
    again = services.cart_checkout(user=staff, entry=entry, submission=token)
    assert again == order
    assert SalesOrder.objects.count() == 1


# --- parked sales ---------------------------------------------------------------------


def test_a_parked_sale_comes_back_with_a_short_line_flagged_not_lost(
    shop, staff, owner
):
    from counter import selectors

    pen, book = shop
    services.cart_scan(user=staff, code=book.sku)
    services.cart_line_set(user=staff, product_id=book.pk, quantity=D("4"))
    held = services.held_sale_park(user=staff)
    assert held.total == D("51.20") and held.item_count == 4
    assert Cart.objects.get(clerk=staff).lines == []
    # Meanwhile another customer buys 3 of the 5 books.
    sell(owner, [SaleLineInput(book, D("3"))], [PaymentInput("cash", D("38.40"))])
    services.held_sale_resume(user=staff, held_id=held.pk)
    assert not HeldSale.objects.exists()
    cart = selectors.cart_of(staff)
    view = selectors.cart_view(cart, cart.warehouse_id)
    (row,) = view.rows
    assert row.quantity == D("4") and row.available == D("2") and row.short


def test_a_clerk_cannot_resume_another_clerks_parked_sale(shop, staff):
    from accounts.tests.factories import StaffFactory

    pen, _book = shop
    services.cart_scan(user=staff, code=pen.sku)
    held = services.held_sale_park(user=staff)
    with pytest.raises(ValidationError):
        services.held_sale_resume(user=StaffFactory(), held_id=held.pk)
    assert HeldSale.objects.filter(pk=held.pk).exists()


def test_parked_sales_expire_at_local_midnight(shop, staff):
    from counter import selectors

    pen, _book = shop
    with time_machine.travel(datetime(2026, 3, 1, 23, 50, tzinfo=SHANGHAI)):
        services.cart_scan(user=staff, code=pen.sku)
        held = services.held_sale_park(user=staff)
        assert list(selectors.held_sales(staff)) == [held]
    with time_machine.travel(datetime(2026, 3, 2, 0, 5, tzinfo=SHANGHAI)):
        assert list(selectors.held_sales(staff)) == []
        with pytest.raises(ValidationError, match="过期"):
            services.held_sale_resume(user=staff, held_id=held.pk)
        assert services.held_sales_expire() == 1
    assert not HeldSale.objects.exists()


def test_the_walk_in_customer_is_the_default(shop, staff):
    pen, _book = shop
    order = sell(staff, [SaleLineInput(pen, D("1"))], [PaymentInput("cash", D("2.50"))])
    assert order.customer == Customer.objects.get(code="RETAIL")


def _scale(layout):
    from counter.models import CounterSettings

    CounterSettings.objects.update_or_create(
        pk=1, defaults={"scale_prefix": "2", "scale_layout": layout}
    )


def test_a_product_barcode_that_starts_like_a_scale_label_is_the_product(owner, staff):
    """In-store EAN-13s start with 2, as scale labels do by default: the product
    that carries the code wins; only a code no product carries is read as a label
    (read as a label first, this one would be refused as an unknown PLU)."""
    from counter.models import ScaleLayout
    from counter.scale import example_label

    _scale(ScaleLayout.WEIGHT)
    code = example_label("2", "912345", 1)  # a valid EAN-13 starting with 2
    towel = ProductFactory(name="毛巾", sale_price=D("9.90"), barcode=code)
    receive(towel, "5", "3.00", user=owner)
    services.cart_scan(user=staff, code=code)
    assert Cart.objects.get(clerk=staff).lines[0]["product"] == towel.pk
    assert Cart.objects.get(clerk=staff).lines[0]["quantity"] == "1"


def test_a_price_label_line_sells_at_the_label_amount(owner, staff):
    from counter.models import ScaleLayout
    from counter.scale import example_label

    _scale(ScaleLayout.PRICE)
    # At ¥23.45 a 斤 no quantity in thousandths makes ¥43.21 (1.842 → 43.19,
    # 1.843 → 43.22): the label's line takes a price a fen away, and the sale
    # charges the label's amount, not the sale price's.
    nuts = ProductFactory(name="瓜子", unit="斤", sale_price=D("23.45"), plu="77")
    receive(nuts, "50", "10.00", user=owner)
    label = example_label("2", "77", 4321)  # ¥43.21
    services.cart_scan(user=staff, code=label)
    order = services.cart_checkout(
        user=staff, entry=PaymentEntry({}, D("43.21")), submission=uuid.uuid4()
    )
    assert order.total == D("43.21")
    line = order.lines.get()
    assert line.product == nuts and line.amount == D("43.21")
