"""The money ledger through the documents: receivables, payables, payments,
prepayments, cancels and returns. check_money holds after every test."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from finance import services
from finance.models import Account, Allocation, MoneyEntry, Payment
from finance.tests.factories import account, balance_of, deposit, items_of, pay
from inventory.tests.factories import receive
from purchasing import services as purchasing
from purchasing.tests.factories import ordered, received
from sales import services as sales
from sales.models import SalePayment
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def ledgers_stay_true():
    yield
    call_command("check_money")
    call_command("check_stock")


@pytest.fixture
def apple(owner):
    product = ProductFactory(name="苹果", sale_price=D("10"), unit="斤")
    receive(product, "1000", "4", user=owner)
    return product


def test_a_credit_sale_and_two_partial_payments(owner, apple):
    kid = CustomerFactory(name="阳光幼儿园")
    order = confirmed(owner, [(apple, "45.9")], customer=kid)
    shipment = ship(owner, order)
    assert shipment.total == D("459.00")
    assert balance_of(kid) == D("459.00")
    [item] = items_of(kid)
    assert (item.source_number, item.open_amount) == (shipment.number, D("459.00"))
    first = pay(owner, kid, "200")
    assert first.number.startswith("SK-")
    assert balance_of(kid) == D("259.00")
    pay(owner, kid, "259")
    assert balance_of(kid) == D("0")
    item.refresh_from_db()
    assert (item.settled, item.is_open) == (D("459.00"), False)
    assert account().balance == D("459.00")
    entries = MoneyEntry.objects.filter(customer=kid).order_by("pk")
    assert [e.balance_after for e in entries] == [D("459"), D("259"), D("0")]


def test_a_receipt_paid_half_at_posting_and_half_later(owner, apple):
    cash = account()
    deposit(owner, cash, "1000")
    assert MoneyEntry.objects.get(account=cash).balance_after == D("1000")
    farm = SupplierFactory(name="绿源农场")
    order = ordered(owner, [(apple, "100", "3")], supplier=farm)
    receipt = received(owner, order, [(apple, "100")], payments=[(cash.pk, D("150"))])
    assert balance_of(farm) == D("150.00")
    cash.refresh_from_db()
    assert cash.balance == D("850.00")
    pay(owner, farm, "150")
    assert balance_of(farm) == D("0")
    assert [i.is_open for i in items_of(farm)] == [False, False, False]
    assert receipt.number in {i.source_number for i in items_of(farm)}


def test_a_prepayment_is_consumed_by_the_next_order(owner, apple):
    kid = CustomerFactory()
    pay(owner, kid, "300", into="微信")
    assert balance_of(kid) == D("-300.00")
    ship(owner, confirmed(owner, [(apple, "20")], customer=kid))
    assert balance_of(kid) == D("-100.00")
    shipment_item = [i for i in items_of(kid) if i.kind == "shipment"][0]
    assert shipment_item.is_open is False
    ship(owner, confirmed(owner, [(apple, "15")], customer=kid))
    assert balance_of(kid) == D("50.00")
    assert [i.open_amount for i in items_of(kid) if i.is_open] == [D("50.00")]


def test_cancelling_a_payment_reopens_what_it_paid(owner, apple):
    kid = CustomerFactory()
    ship(owner, confirmed(owner, [(apple, "10")], customer=kid))
    payment = pay(owner, kid, "100")
    assert balance_of(kid) == D("0")
    services.payment_cancel(payment=payment, user=owner, reason="记错了")
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert balance_of(kid) == D("100.00")
    assert account().balance == D("0")
    [item] = [i for i in items_of(kid) if not i.cancelled]
    assert item.open_amount == D("100.00")
    with pytest.raises(ValidationError, match="已经作废"):
        services.payment_cancel(payment=payment, user=owner, reason="again")


def test_a_return_reduces_the_balance(owner, apple):
    kid = CustomerFactory()
    shipment = ship(owner, confirmed(owner, [(apple, "10")], customer=kid))
    line = shipment.lines.get()
    sales.sales_return_post(
        shipment=shipment,
        quantities={line.pk: D("4")},
        reason="坏了",
        occurred_at=timezone.now(),
        user=owner,
    )
    assert balance_of(kid) == D("60.00")
    assert sum(i.open_amount for i in items_of(kid)) == D("60.00")


def test_cancelling_a_shipment_frees_its_payment_as_a_prepayment(owner, apple):
    kid = CustomerFactory()
    shipment = ship(owner, confirmed(owner, [(apple, "10")], customer=kid))
    pay(owner, kid, "100")
    sales.shipment_cancel(shipment=shipment, user=owner, reason="送错")
    assert balance_of(kid) == D("-100.00")
    ship(owner, confirmed(owner, [(apple, "5")], customer=kid))
    assert balance_of(kid) == D("-50.00")


def test_counter_sale_payments_settle_into_the_mapped_accounts(owner, apple):
    kid = CustomerFactory()
    sale = sales.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[sales.SaleLineInput(apple, D("10"))],
        amount_received=D("100"),
        customer=kid,
        user=owner,
        payments=[
            ("cash", D("30"), D("50")),
            ("wechat", D("50"), None),
            ("account", D("20"), None),
        ],
    )
    assert SalePayment.objects.filter(order=sale).count() == 3
    assert (account("现金").balance, account("微信").balance) == (D("30"), D("50"))
    assert balance_of(kid) == D("20.00")
    with pytest.raises(ValidationError, match="已经登记过"):
        sales.sale_payments_record(
            order=sale, payments=[("cash", D("100"), None)], user=owner
        )


def test_an_old_path_retail_sale_is_paid_in_cash(owner, apple):
    sales.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[sales.SaleLineInput(apple, D("2"))],
        amount_received=D("50"),
        user=owner,
    )
    assert account("现金").balance == D("20.00")
    assert not SalePayment.objects.exists()


def test_a_cash_account_never_goes_below_zero(owner, apple):
    farm = SupplierFactory()
    with pytest.raises(ValidationError, match="现金"):
        pay(owner, farm, "10")
    assert not Payment.objects.exists()
    assert not MoneyEntry.objects.exists()
    bank = Account.objects.get(name="银行卡")
    Account.objects.filter(pk=bank.pk).update(allow_overdraft=True)
    pay(owner, farm, "10", into="银行卡")
    bank.refresh_from_db()
    assert bank.balance == D("-10.00")
    assert balance_of(farm) == D("-10.00")


def test_explicit_allocations_and_their_refusals(owner, apple):
    kid = CustomerFactory()
    first = ship(owner, confirmed(owner, [(apple, "10")], customer=kid))
    second = ship(owner, confirmed(owner, [(apple, "5")], customer=kid))
    items = {i.source_number: i for i in items_of(kid)}
    newer = items[second.number]
    for allocations, message in [
        ({newer.pk: D("60")}, "未结"),
        ({newer.pk: D("30"), items[first.number].pk: D("30")}, "超过了收付款金额"),
        ({newer.pk: D("-1")}, "正数"),
        ({newer.pk + 999: D("1")}, "已结清"),
    ]:
        with pytest.raises(ValidationError, match=message):
            pay(owner, kid, "50", allocations=allocations)
    assert not Payment.objects.exists()
    assert not Allocation.objects.exists()
    pay(owner, kid, "50", allocations={newer.pk: D("50")})
    newer.refresh_from_db()
    assert newer.is_open is False
    assert items[first.number].open_amount == D("100.00")


@pytest.mark.parametrize(
    "amount,message",
    [
        ("0", "大于零"),
        ("-5", "大于零"),
        ("0.001", "2 位小数"),
        ("9999999999999", "超出"),
    ],
)
def test_bad_payment_amounts_change_nothing(owner, amount, message):
    kid = CustomerFactory()
    with pytest.raises(ValidationError, match=message):
        pay(owner, kid, amount)
    assert not MoneyEntry.objects.exists()
    assert not Payment.objects.exists()


def test_the_same_payment_form_twice_posts_once(owner):
    kid = CustomerFactory()
    token = uuid.uuid4()
    first = pay(owner, kid, "10", submission=token)
    second = pay(owner, kid, "10", submission=token)
    assert first.pk == second.pk
    assert balance_of(kid) == D("-10.00")


def test_a_supplier_return_reduces_what_the_shop_owes(owner, apple):
    farm = SupplierFactory()
    order = ordered(owner, [(apple, "10", "3")], supplier=farm)
    receipt = received(owner, order, [(apple, "10")])
    purchasing.purchase_return_post(
        supplier=farm,
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[purchasing.ReturnLineInput(apple, D("4"), receipt.lines.get().pk)],
        occurred_at=timezone.now(),
        note="",
        user=owner,
        receipt=receipt,
    )
    assert balance_of(farm) == D("18.00")


def test_a_sale_over_the_credit_limit_needs_the_owner(owner, staff, apple):
    from sales.authority import CreditApprovalRequired

    kid = CustomerFactory(credit_limit=D("300"))
    ship(owner, confirmed(owner, [(apple, "20")], customer=kid))
    order = confirmed(owner, [(apple, "15")], customer=kid)
    with pytest.raises(CreditApprovalRequired, match="300"):
        ship(staff, order)
    assert balance_of(kid) == D("200.00")
    order.refresh_from_db()
    # A smaller shipment stays within the limit.
    line = order.lines.get()
    sales.shipment_post(
        order=order,
        quantities={line.pk: D("5")},
        occurred_at=timezone.now(),
        user=staff,
    )
    assert balance_of(kid) == D("250.00")
    with pytest.raises(CreditApprovalRequired):
        ship(staff, order)
    ship(staff, order, credit_approver=owner)
    assert balance_of(kid) == D("350.00")
    with pytest.raises(CreditApprovalRequired):
        confirmed(staff, [(apple, "1")], customer=kid)
    confirmed(owner, [(apple, "1")], customer=kid)


def test_counter_on_account_over_the_limit_needs_the_owner(owner, staff, apple):
    from sales.authority import CreditApprovalRequired

    kid = CustomerFactory(credit_limit=D("50"))

    def sell(user, approver=None):
        return sales.retail_sale_post(
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[sales.SaleLineInput(apple, D("10"))],
            amount_received=D("100"),
            customer=kid,
            user=user,
            payments=[("cash", D("40"), None), ("account", D("60"), None)],
            price_approver=approver,
        )

    with pytest.raises(CreditApprovalRequired):
        sell(staff)
    assert balance_of(kid) == D("0")
    assert account().balance == D("0")
    sell(staff, approver=owner)
    assert balance_of(kid) == D("60.00")


def test_a_walk_in_customer_cannot_buy_on_account(owner, apple):
    with pytest.raises(ValidationError):
        sales.retail_sale_post(
            warehouse=Warehouse.objects.get(is_default=True),
            lines=[sales.SaleLineInput(apple, D("1"))],
            amount_received=D("10"),
            user=owner,
            payments=[("account", D("10"), None)],
        )
    assert not MoneyEntry.objects.exists()


def test_a_payment_at_23_30_on_the_31st_belongs_to_that_month(owner):
    import datetime

    kid = CustomerFactory()
    moment = timezone.make_aware(datetime.datetime(2026, 10, 31, 23, 30))
    payment = pay(owner, kid, "80", at=moment)
    assert payment.number == "SK-20261031-001"
    entry = MoneyEntry.objects.get(customer=kid)
    assert timezone.localtime(entry.occurred_at).date() == datetime.date(2026, 10, 31)
    october = MoneyEntry.objects.filter(
        occurred_at__gte=timezone.make_aware(datetime.datetime(2026, 10, 1)),
        occurred_at__lt=timezone.make_aware(datetime.datetime(2026, 11, 1)),
    )
    assert october.filter(account__isnull=False).get().amount == D("80")


def test_a_shipment_paid_in_full_at_posting_owes_nothing(owner, apple):
    kid = CustomerFactory()
    order = confirmed(owner, [(apple, "3")], customer=kid)
    line = order.lines.get()
    sales.shipment_post(
        order=order,
        quantities={line.pk: D("3")},
        occurred_at=timezone.now(),
        user=owner,
        payments=[(account("支付宝").pk, D("30"))],
    )
    assert balance_of(kid) == D("0")
    assert account("支付宝").balance == D("30.00")


def test_a_walk_in_return_is_paid_back_from_the_till(owner, apple):
    sale = sales.retail_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[sales.SaleLineInput(apple, D("5"))],
        amount_received=D("50"),
        user=owner,
    )
    shipment = sale.shipments.get()
    sales.sales_return_post(
        shipment=shipment,
        quantities={shipment.lines.get().pk: D("2")},
        reason="",
        occurred_at=timezone.now(),
        user=owner,
    )
    assert account().balance == D("30.00")
    assert not MoneyEntry.objects.filter(customer__isnull=False).exists()
