"""The shift's cash in the money ledger (issue 18): cash paid out of the drawer
is an expense out of 现金, the close's over / short a 现金长短款 entry, and a
clerk's shift opens on the first counter sale. check_money holds after each."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Warehouse
from catalog.tests.factories import ProductFactory
from counter import services
from counter.models import CashPaidOut, CounterSettings, Shift
from counter.services import PaymentInput
from counter.tests.factories import counter_sale
from finance.models import CashEntry, MoneyEntry
from finance.tests.factories import account
from inventory.tests.factories import receive
from sales.models import SalesOrder, SalesReturn
from sales.services import SaleLineInput

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_money")


@pytest.fixture
def apple(owner):
    product = ProductFactory(name="苹果", sale_price=D("10.00"))
    receive(product, "1000", "5", user=owner)
    return product


def cash() -> Decimal:
    return account("现金").balance


def written():
    return (
        CashPaidOut.objects.count(),
        CashEntry.objects.count(),
        MoneyEntry.objects.count(),
        cash(),
        list(Shift.objects.values_list("paid_out", flat=True)),
    )


# --- cash paid out -------------------------------------------------------------------


def test_cash_paid_out_posts_an_expense_out_of_the_cash_account(staff, apple):
    counter_sale(staff, [(apple, "5")], payments=[("cash", "50")])
    assert cash() == D("50")
    paid = services.shift_paid_out_add(
        clerk=staff, amount=D("12.50"), note="送货费", user=staff
    )
    assert cash() == D("37.50")
    entry = paid.cash_entry
    assert (entry.category.name, entry.direction) == ("现金支出", "expense")
    assert (entry.account.name, entry.amount) == ("现金", D("12.50"))
    assert "送货费" in entry.note and entry.number.startswith("SZ-")


def test_paid_out_beyond_the_drawer_is_refused_and_writes_nothing(staff, apple):
    CounterSettings.objects.create(pk=1, opening_float=D("0"))
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20")])
    before = written()
    with pytest.raises(ValidationError, match="抽屉"):
        services.shift_paid_out_add(
            clerk=staff, amount=D("20.01"), note="进货", user=staff
        )
    assert written() == before


def test_paid_out_the_ledger_cannot_cover_is_refused_and_writes_nothing(staff):
    # The float is in the drawer but was never put into the 现金 account.
    CounterSettings.objects.create(pk=1, opening_float=D("200"))
    services.shift_open(clerk=staff)
    before = written()
    with pytest.raises(ValidationError, match="现金"):
        services.shift_paid_out_add(clerk=staff, amount=D("5"), note="胶带", user=staff)
    assert written() == before


def test_paid_out_twice_with_one_token_posts_one_expense(staff, apple):
    counter_sale(staff, [(apple, "2")], payments=[("cash", "20")])
    token = uuid.uuid4()
    for _ in range(2):
        services.shift_paid_out_add(
            clerk=staff, amount=D("8"), note="打印纸", user=staff, submission=token
        )
    assert CashEntry.objects.count() == 1 and cash() == D("12")


# --- the close's over / short ------------------------------------------------------


def test_a_short_close_posts_an_expense_so_the_book_follows_the_count(staff, apple):
    counter_sale(staff, [(apple, "3")], payments=[("cash", "30")])
    shift = services.shift_close(
        clerk=staff, counted_cash=D("29.50"), note="少五毛", user=staff
    )
    entry = shift.cash_entry
    assert (entry.category.name, entry.direction) == ("现金长短款", "expense")
    assert entry.amount == D("0.50") and "短款" in entry.note
    assert cash() == D("29.50")


def test_an_over_close_posts_income(staff, apple):
    counter_sale(staff, [(apple, "3")], payments=[("cash", "30")])
    shift = services.shift_close(clerk=staff, counted_cash=D("31"), note="", user=staff)
    entry = shift.cash_entry
    assert (entry.category.name, entry.direction, entry.amount) == (
        "现金长短款",
        "income",
        D("1.00"),
    )
    assert "长款" in entry.note and cash() == D("31")


def test_an_exact_close_posts_nothing(staff, apple):
    counter_sale(staff, [(apple, "3")], payments=[("cash", "30")])
    shift = services.shift_close(clerk=staff, counted_cash=D("30"), note="", user=staff)
    assert shift.cash_entry is None and not CashEntry.objects.exists()


def test_a_second_close_posts_no_second_entry(staff, apple):
    counter_sale(staff, [(apple, "3")], payments=[("cash", "30")])
    services.shift_close(clerk=staff, counted_cash=D("28"), note="", user=staff)
    with pytest.raises(ValidationError, match="已于"):
        services.shift_close(clerk=staff, counted_cash=D("10"), note="", user=staff)
    assert CashEntry.objects.count() == 1 and cash() == D("28")


def test_a_short_the_ledger_cannot_cover_refuses_the_close(staff):
    CounterSettings.objects.create(pk=1, opening_float=D("100"))
    services.shift_open(clerk=staff)
    before = written()
    with pytest.raises(ValidationError, match="现金"):
        services.shift_close(clerk=staff, counted_cash=D("90"), note="", user=staff)
    assert written() == before
    assert not Shift.objects.filter(closed_at__isnull=False).exists()


def test_paid_out_then_close_keeps_book_and_drawer_together(staff, apple):
    CounterSettings.objects.create(pk=1, opening_float=D("0"))
    counter_sale(staff, [(apple, "10")], payments=[("cash", "100")])
    services.shift_paid_out_add(clerk=staff, amount=D("30"), note="水费", user=staff)
    shift = services.shift_close(clerk=staff, counted_cash=D("69"), note="", user=staff)
    assert shift.expected_cash == D("70") and cash() == D("69")


def test_the_shift_page_and_list_show_the_over_short_entry(staff_client, staff, apple):
    counter_sale(staff, [(apple, "3")], payments=[("cash", "30")])
    staff_client.post("/counter/shift/close/", {"counted_cash": "29"})
    shift = Shift.objects.get()
    page = staff_client.get(f"/counter/shifts/{shift.pk}/").content.decode()
    assert 'id="shift-cash-entry"' in page and shift.cash_entry.number in page
    listed = staff_client.get("/counter/shifts/").content.decode()
    assert "短款" in listed


# --- the shift opens on the first sale ---------------------------------------------


def test_the_first_counter_sale_opens_the_shift_with_the_float(staff, apple):
    CounterSettings.objects.create(pk=1, opening_float=D("150"))
    services.counter_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[SaleLineInput(apple, D("1"))],
        payments=[PaymentInput("cash", D("10"))],
        user=staff,
    )
    shift = Shift.objects.get()
    assert (shift.clerk, shift.day) == (staff, timezone.localdate())
    assert shift.opening_float == D("150") and not shift.is_closed


def _sale(staff, apple):
    return services.counter_sale_post(
        warehouse=Warehouse.objects.get(is_default=True),
        lines=[SaleLineInput(apple, D("1"))],
        payments=[PaymentInput("cash", D("10"))],
        user=staff,
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statements pinned are PostgreSQL's"
)
def test_a_counter_sale_runs_a_pinned_number_of_queries(staff, apple):
    _sale(staff, apple)  # opens the shift and fills the per-process caches
    with CaptureQueriesContext(connection) as queries:
        _sale(staff, apple)
    sqls = [q["sql"] for q in queries]
    # The shift of the day costs two statements per sale: get_or_create's select
    # finds it, then it is locked, so a close waits for a sale in flight and the
    # cash it expects has every sale that committed before it. The first sale of
    # the day also inserts it (the owner's float read once, in a savepoint).
    shift = [s for s in sqls if 'FROM "counter_shift"' in s]
    assert len(shift) == 2, sqls
    # 36 before shifts opened on a sale (the walk-in customer, the one-line retail
    # sale, its shipment and stock, its payment row and money entry, numbers,
    # audit) + those 2.
    assert len(sqls) == 38, "\n".join(sqls)


# --- after the close: no more takings until the owner reopens the shift ----------


def test_a_sale_after_the_close_is_refused_and_changes_nothing(staff, apple):
    _sale(staff, apple)
    services.shift_close(clerk=staff, counted_cash=D("10"), note="", user=staff)
    before = (SalesOrder.objects.count(), MoneyEntry.objects.count(), cash())
    with pytest.raises(ValidationError, match="交班"):
        _sale(staff, apple)
    assert (SalesOrder.objects.count(), MoneyEntry.objects.count(), cash()) == before


def test_a_counter_return_after_the_close_is_refused(staff, apple):
    order = _sale(staff, apple)
    services.shift_close(clerk=staff, counted_cash=D("10"), note="", user=staff)
    line = order.shipments.get().lines.get()
    with pytest.raises(ValidationError, match="交班"):
        services.counter_return_post(
            order=order, quantities={line.pk: D("1")}, reason="坏了", user=staff
        )
    assert not SalesReturn.objects.exists() and cash() == D("10")


def test_the_owner_reopens_a_shift_the_over_short_is_reversed_and_the_day_closes_again(
    staff, owner, apple
):
    _sale(staff, apple)
    shift = services.shift_close(clerk=staff, counted_cash=D("9"), note="", user=staff)
    assert cash() == D("9")  # the ¥1 short went out of the till's book
    with pytest.raises(ValidationError, match="原因"):
        services.shift_reopen(shift_id=shift.pk, user=owner, reason="  ")
    reopened = services.shift_reopen(shift_id=shift.pk, user=owner, reason="晚来客人")
    assert not reopened.is_closed and reopened.cash_entry is None
    assert cash() == D("10")  # the short entry is cancelled
    assert CashEntry.objects.get().status == "cancelled"
    with pytest.raises(ValidationError, match="没有交班"):
        services.shift_reopen(shift_id=shift.pk, user=owner, reason="again")
    _sale(staff, apple)  # the late customer
    closed = services.shift_close(
        clerk=staff, counted_cash=D("20"), note="", user=staff
    )
    assert closed.expected_cash == D("20") and closed.cash_entry is None
    assert cash() == D("20")


def test_only_todays_shift_is_reopened(staff, owner, apple):
    _sale(staff, apple)
    shift = services.shift_close(clerk=staff, counted_cash=D("10"), note="", user=staff)
    Shift.objects.filter(pk=shift.pk).update(day=shift.day - timedelta(days=1))
    with pytest.raises(ValidationError, match="今天"):
        services.shift_reopen(shift_id=shift.pk, user=owner, reason="补录")
    assert Shift.objects.get().is_closed


def test_the_reopen_button_is_the_owners(client, staff, owner, apple):
    _sale(staff, apple)
    shift = services.shift_close(clerk=staff, counted_cash=D("10"), note="", user=staff)
    url = f"/counter/shifts/{shift.pk}/reopen/"
    client.force_login(staff)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(owner)
    page = client.get(f"/counter/shifts/{shift.pk}/").content.decode()
    assert 'id="shift-reopen"' in page
    assert client.post(url, {"reason": ""}).status_code == 302
    assert Shift.objects.get().is_closed  # no reason: refused
    assert client.post(url, {"reason": "晚来客人"}).status_code == 302
    assert not Shift.objects.get().is_closed


def test_the_counters_cash_entries_are_not_cancelled_in_the_cash_book(
    owner_client, staff, apple
):
    """A close's 现金长短款 or a paid-out entry cancelled on its own would leave the
    shift's figures wrong: the cash book refuses and points to 重新开班."""
    _sale(staff, apple)
    services.shift_paid_out_add(clerk=staff, amount=D("2"), note="塑料袋", user=staff)
    services.shift_close(clerk=staff, counted_cash=D("7"), note="", user=staff)
    for entry in CashEntry.objects.all():
        page = owner_client.get(f"/finance/cash/{entry.pk}/").content.decode()
        assert "重新开班" in page and 'name="reason"' not in page
        response = owner_client.post(
            f"/finance/cash/{entry.pk}/cancel/", {"reason": "错了"}, follow=True
        )
        assert "重新开班" in response.content.decode()
    assert not CashEntry.objects.filter(status="cancelled").exists()
    assert cash() == D("7")
