"""Returns at the counter: the slip's number opens the sale, the goods come back
and the money goes back by the sale's own methods."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.tests.factories import CustomerFactory, ProductFactory
from counter import services
from counter.tests.factories import counter_sale
from inventory.models import StockLevel
from inventory.tests.factories import receive
from sales.models import SalePayment, SalesReturn

pytestmark = pytest.mark.django_db
D = Decimal
SPLIT = [("wechat", "20"), ("cash", "30")]


@pytest.fixture
def apple(owner):
    product = ProductFactory(name="苹果", sale_price=D("10.00"))
    receive(product, "100", "5", user=owner)
    return product


@pytest.fixture
def pear(owner):
    product = ProductFactory(name="梨", sale_price=D("4.00"))
    receive(product, "100", "2", user=owner)
    return product


def _lines(order):
    return {line.product_id: line for line in order.shipments.get().lines.all()}


def _refunds(document):
    return {row.method: row.amount for row in document.refunds.all()}


def test_a_return_refunds_account_then_cash_then_the_rest_by_default(staff, apple):
    # 挂账 needs a named customer (the walk-in customer owes nobody anything).
    sale = counter_sale(
        staff,
        [(apple, "10")],
        payments=[("wechat", "50"), ("cash", "30"), ("account", "20")],
        customer=CustomerFactory(name="阳光幼儿园"),
    )
    line = _lines(sale)[apple.pk]
    document = services.counter_return_post(
        order=sale, quantities={line.pk: D("6")}, reason="坏了", user=staff
    )
    assert document.total == D("60")
    assert _refunds(document) == {
        "account": D("-20"),
        "cash": D("-30"),
        "wechat": D("-10"),
    }
    assert StockLevel.objects.get(product=apple).on_hand == D("96")


def test_the_clerk_may_split_the_refund_among_the_sale_s_methods(staff, apple):
    sale = counter_sale(staff, [(apple, "5")], payments=SPLIT)
    line = _lines(sale)[apple.pk]
    document = services.counter_return_post(
        order=sale,
        quantities={line.pk: D("2")},
        reason="",
        user=staff,
        refunds={"wechat": D("20")},
    )
    assert _refunds(document) == {"wechat": D("-20")}


@pytest.mark.parametrize(
    ("refunds", "message"),
    [
        ({"alipay": D("20")}, "没有用"),
        ({"wechat": D("25")}, "最多可退"),
        ({"wechat": D("10"), "cash": D("5")}, "合计"),
        ({"cash": D("-20")}, "不能为负数"),
    ],
)
def test_a_wrong_refund_split_is_refused_and_nothing_changes(
    staff, apple, refunds, message
):
    sale = counter_sale(staff, [(apple, "5")], payments=SPLIT)
    line = _lines(sale)[apple.pk]
    with pytest.raises(ValidationError, match=message):
        services.counter_return_post(
            order=sale,
            quantities={line.pk: D("2")},
            reason="",
            user=staff,
            refunds=refunds,
        )
    assert not SalesReturn.objects.exists()
    assert not SalePayment.objects.filter(sales_return__isnull=False).exists()
    assert StockLevel.objects.get(product=apple).on_hand == D("95")


def test_a_second_return_refunds_only_what_is_left_per_method(staff, apple, pear):
    sale = counter_sale(
        staff,
        [(apple, "3"), (pear, "5")],
        payments=[("card", "40"), ("cash", "10")],
    )
    lines = _lines(sale)
    first = services.counter_return_post(
        order=sale, quantities={lines[pear.pk].pk: D("5")}, reason="", user=staff
    )
    assert _refunds(first) == {"cash": D("-10"), "card": D("-10")}
    second = services.counter_return_post(
        order=sale, quantities={lines[apple.pk].pk: D("3")}, reason="", user=staff
    )
    assert _refunds(second) == {"card": D("-30")}
    total = sum(row.amount for row in SalePayment.objects.all())
    assert total == 0


def test_returning_a_weighed_line_in_part(staff, owner):
    grapes = ProductFactory(unit="斤", sale_price=D("9.90"))
    receive(grapes, "10", "6", user=owner)
    sale = counter_sale(staff, [(grapes, "1.234")])  # ¥12.22
    line = _lines(sale)[grapes.pk]
    part = services.counter_return_post(
        order=sale, quantities={line.pk: D("0.5")}, reason="", user=staff
    )
    rest = services.counter_return_post(
        order=sale, quantities={line.pk: D("0.734")}, reason="", user=staff
    )
    assert part.total + rest.total == sale.total
    assert _refunds(part)["cash"] + _refunds(rest)["cash"] == -sale.total


# --- the page ---------------------------------------------------------------------


def test_the_slip_number_opens_the_sale(staff_client, staff, apple):
    sale = counter_sale(staff, [(apple, "2")])
    for typed in [
        sale.number,
        f"  {sale.number.lower()} ",
        sale.shipments.get().number,
    ]:
        page = staff_client.get("/counter/return/", {"number": typed}).content.decode()
        assert 'id="return-form"' in page and "苹果" in page, typed


def test_an_unknown_number_says_so(staff_client):
    page = staff_client.get("/counter/return/", {"number": "SO-19990101-001"})
    assert "SO-19990101-001" in page.content.decode()
    assert 'id="return-form"' not in page.content.decode()


def test_posting_the_page_returns_refunds_and_a_double_click_lands_on_the_return(
    staff_client, staff, apple
):
    sale = counter_sale(staff, [(apple, "3")], payments=[("alipay", "30")])
    line = _lines(sale)[apple.pk]
    data = {"submission": uuid.uuid4(), f"return_{line.pk}": "3", "reason": "不要了"}
    url = f"/counter/return/?number={sale.number}"
    first = staff_client.post(url, data, follow=True)
    document = SalesReturn.objects.get()
    assert _refunds(document) == {"alipay": D("-30")}
    assert document.number in first.content.decode()
    second = staff_client.post(url, data, follow=True)
    assert second.redirect_chain[-1][0] == f"/sales/returns/{document.pk}/"
    assert f"{document.number} 已在第一次点击时过账" in second.content.decode()
    assert SalesReturn.objects.count() == 1
    assert StockLevel.objects.get(product=apple).on_hand == D("100")


@pytest.mark.parametrize("quantity", ["0", "-1", "4", "1.2345", "abc", "1e9"])
def test_bad_quantities_change_nothing(staff_client, staff, apple, quantity):
    sale = counter_sale(staff, [(apple, "3")])
    line = _lines(sale)[apple.pk]
    staff_client.post(
        f"/counter/return/?number={sale.number}",
        {"submission": uuid.uuid4(), f"return_{line.pk}": quantity},
    )
    assert not SalesReturn.objects.exists()
    assert StockLevel.objects.get(product=apple).on_hand == D("97")


def test_the_return_page_query_count_is_flat(
    staff_client, staff, apple, owner, count_queries
):
    sale = counter_sale(staff, [(apple, "1")])
    few = count_queries(staff_client, f"/counter/return/?number={sale.number}")
    products = [ProductFactory() for _ in range(5)]
    for product in products:
        receive(product, "5", "1", user=owner)
    bigger = counter_sale(staff, [(p, "1") for p in products])
    assert (
        count_queries(staff_client, f"/counter/return/?number={bigger.number}") == few
    )


def test_a_reason_too_long_is_said_and_changes_nothing(staff_client, staff, apple):
    sale = counter_sale(staff, [(apple, "3")])
    line = _lines(sale)[apple.pk]
    page = staff_client.post(
        f"/counter/return/?number={sale.number}",
        {"submission": uuid.uuid4(), f"return_{line.pk}": "1", "reason": "x" * 201},
    )
    assert 'class="invalid-feedback d-block"' in page.content.decode()
    assert not SalesReturn.objects.exists()
    assert StockLevel.objects.get(product=apple).on_hand == D("97")
