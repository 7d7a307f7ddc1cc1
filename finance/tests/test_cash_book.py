"""The cash book and the money reports: transfers, 日常收支, journals, statements,
aging and profit — each figure against one worked out by hand."""

import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import ShopProfile
from catalog.tests.factories import CustomerFactory, ProductFactory, SupplierFactory
from finance import cashbook, statements
from finance.models import Account, CashCategory, CashEntry, MoneyEntry, Transfer
from finance.tests.factories import account, balance_of, deposit, pay
from inventory.tests.factories import receive
from sales import services as sales_services
from sales.tests.factories import confirmed, ship

pytestmark = pytest.mark.django_db
D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def ledger_stays_true():
    yield
    call_command("check_money")


def at(*args) -> datetime:
    """A moment in the shop's time zone."""
    return datetime(*args, tzinfo=SHANGHAI)


def category(name) -> CashCategory:
    return CashCategory.objects.get(name=name)


def expense(user, amount, *, name="房租", into="现金", when=None, **kwargs):
    return cashbook.cash_post(
        category=category(name),
        account=account(into),
        amount=D(amount),
        occurred_at=when or timezone.now(),
        user=user,
        **kwargs,
    )


def fingerprint():
    return (
        MoneyEntry.objects.count(),
        Transfer.objects.count(),
        CashEntry.objects.count(),
        tuple(Account.objects.order_by("pk").values_list("balance", flat=True)),
    )


# --- transfers ------------------------------------------------------------------------


def test_a_transfer_moves_money_with_two_entries_and_cancels_by_reversal(owner):
    deposit(owner, account("现金"), "500")
    transfer = cashbook.transfer_post(
        from_account=account("现金"),
        to_account=account("银行卡"),
        amount=D("300"),
        occurred_at=timezone.now(),
        user=owner,
    )
    assert transfer.number.startswith("ZZ-")
    assert account("现金").balance == D("200") and account("银行卡").balance == D("300")
    rows = MoneyEntry.objects.filter(
        source_id=transfer.pk, source_number=transfer.number
    )
    assert sorted(rows.values_list("amount", flat=True)) == [D("-300"), D("300")]
    cashbook.transfer_cancel(transfer=transfer, user=owner, reason="转错了")
    assert account("现金").balance == D("500") and account("银行卡").balance == D("0")
    transfer.refresh_from_db()
    assert transfer.is_cancelled
    with pytest.raises(ValidationError):
        cashbook.transfer_cancel(transfer=transfer, user=owner, reason="again")


def test_a_transfer_beyond_the_balance_is_refused_unless_overdraft_is_allowed(owner):
    deposit(owner, account("现金"), "100")
    before = fingerprint()
    with pytest.raises(ValidationError, match="现金"):
        cashbook.transfer_post(
            from_account=account("现金"),
            to_account=account("银行卡"),
            amount=D("100.01"),
            occurred_at=timezone.now(),
            user=owner,
        )
    assert fingerprint() == before
    bank = account("银行卡")
    cashbook.account_save(account=bank, data={"allow_overdraft": True}, user=owner)
    cashbook.transfer_post(
        from_account=account("银行卡"),
        to_account=account("现金"),
        amount=D("50"),
        occurred_at=timezone.now(),
        user=owner,
    )
    assert account("银行卡").balance == D("-50")
    with pytest.raises(ValidationError, match="银行卡"):
        cashbook.account_save(
            account=account("银行卡"), data={"allow_overdraft": False}, user=owner
        )


@pytest.mark.parametrize("amount", ["0", "-5", "0.001", "1000000000000"])
def test_a_bad_transfer_amount_changes_nothing(owner, amount):
    deposit(owner, account("现金"), "100")
    before = fingerprint()
    with pytest.raises(ValidationError):
        cashbook.transfer_post(
            from_account=account("现金"),
            to_account=account("银行卡"),
            amount=D(amount),
            occurred_at=timezone.now(),
            user=owner,
        )
    assert fingerprint() == before


def test_the_transfer_form_posts_once_on_a_double_submit_and_refuses_one_account(
    owner_client, owner
):
    deposit(owner, account("现金"), "100")
    url = reverse("finance:transfer_create")
    page = owner_client.get(url)
    assert page.status_code == 200
    data = {
        "from_account": account("现金").pk,
        "to_account": account("微信").pk,
        "amount": "40",
        "date": timezone.localdate().isoformat(),
        "note": "",
        "submission": str(uuid.uuid4()),
    }
    first = owner_client.post(url, data)
    second = owner_client.post(url, data)
    transfer = Transfer.objects.get()
    assert first.url == second.url == transfer.get_absolute_url()
    assert account("微信").balance == D("40")
    before = fingerprint()
    same = owner_client.post(
        url, {**data, "to_account": account("现金").pk, "submission": str(uuid.uuid4())}
    )
    assert same.status_code == 200 and "to_account" in same.context["form"].errors
    too_much = owner_client.post(
        url, {**data, "amount": "61", "submission": str(uuid.uuid4())}
    )
    assert too_much.status_code == 200
    assert [str(m) for m in too_much.context["messages"]]
    assert fingerprint() == before


# --- 日常收支 ---------------------------------------------------------------------


def test_expenses_and_income_post_to_an_account_list_with_totals_and_cancel(
    owner_client, owner
):
    deposit(owner, account("现金"), "5000")
    rent = expense(owner, "3000")
    expense(owner, "120.50", name="水电")
    expense(owner, "80", name="其他收入", into="微信")
    assert rent.number.startswith("SZ-")
    assert account("现金").balance == D("1879.50")
    assert account("微信").balance == D("80")
    page = owner_client.get(reverse("finance:cash_list"))
    assert page.context["totals"] == {
        "income": D("80"),
        "expense": D("3120.50"),
        "net": D("-3040.50"),
    }
    cashbook.cash_cancel(entry=rent, user=owner, reason="记错")
    assert account("现金").balance == D("4879.50")
    page = owner_client.get(reverse("finance:cash_list"), {"direction": "expense"})
    assert page.context["totals"]["expense"] == D("120.50")
    workbook = load_workbook(
        io.BytesIO(
            owner_client.get(reverse("finance:cash_list"), {"format": "xlsx"}).content
        )
    )
    values = [
        cell for row in workbook.active.iter_rows(values_only=True) for cell in row
    ]
    assert "房租" in values and 120.5 in values


def test_an_expense_beyond_the_cash_is_refused(owner):
    before = fingerprint()
    with pytest.raises(ValidationError):
        expense(owner, "1")
    assert fingerprint() == before


def test_a_category_name_is_used_once_and_an_inactive_one_cannot_be_used(owner):
    with pytest.raises(ValidationError):
        cashbook.category_save(
            category=None, data={"name": " 房租 ", "direction": "expense"}, user=owner
        )
    rent = category("房租")
    cashbook.category_save(
        category=rent,
        data={"name": "房租", "direction": "expense", "is_active": False},
        user=owner,
    )
    deposit(owner, account("现金"), "10")
    with pytest.raises(ValidationError):
        expense(owner, "1")


# --- journals and statements ----------------------------------------------------------


def test_an_account_journal_has_a_running_balance_an_opening_and_an_export(
    owner_client, owner
):
    with time_machine.travel(at(2026, 10, 31, 23, 30), tick=False):
        deposit(owner, account("现金"), "1000")
    with time_machine.travel(at(2026, 11, 1, 0, 10), tick=False):
        expense(owner, "300")
        expense(owner, "200", name="工资")
    with time_machine.travel(at(2026, 11, 20, 10), tick=False):
        url = reverse("finance:account_journal", args=[account("现金").pk])
        page = owner_client.get(url, {"start": "2026-11-01", "end": "2026-11-20"})
        ledger = page.context["ledger"]
        assert ledger.opening == D("1000")  # 23:30 on the 31st is October's
        assert [line.balance for line in page.context["lines"]] == [D("700"), D("500")]
        assert ledger.closing == account("现金").balance == D("500")
        october = owner_client.get(url, {"start": "2026-10-01", "end": "2026-10-31"})
        assert october.context["ledger"].closing == D("1000")
        export = owner_client.get(url, {"start": "2026-11-01", "format": "xlsx"})
        rows = list(
            load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        )
        assert rows[-1][-1] == 500


@pytest.fixture
def kid(owner):
    """阳光幼儿园 takes ¥459 on credit, pays ¥200 and ¥100 later."""
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "100", "4", user=owner)
    kid = CustomerFactory(name="阳光幼儿园", code="KID")
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        ship(owner, confirmed(owner, [(apple, "45.9")], customer=kid))
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        pay(owner, kid, "200")
    with time_machine.travel(at(2026, 11, 30, 23, 30), tick=False):
        pay(owner, kid, "100")
    return kid


def test_a_statement_ties_out_with_the_balance(owner_client, kid):
    with time_machine.travel(at(2026, 12, 5, 10), tick=False):
        url = reverse("finance:customer_statement", args=[kid.pk])
        page = owner_client.get(url, {"start": "2026-11-01", "end": "2026-12-05"})
        ledger = page.context["ledger"]
        assert ledger.opening == 0
        assert [line.balance for line in page.context["lines"]] == [
            D("459"),
            D("259"),
            D("159"),
        ]
        assert ledger.increase == D("459") and ledger.decrease == D("-300")
        assert ledger.closing == balance_of(kid) == D("159")
        # December alone: the payment at 23:30 on 30 Nov is in November's balance.
        december = owner_client.get(url, {"start": "2026-12-01", "end": "2026-12-05"})
        assert december.context["ledger"].opening == D("159")
        assert december.context["ledger"].count == 0
        november = owner_client.get(url, {"start": "2026-11-11", "end": "2026-11-30"})
        assert november.context["ledger"].opening == D("259")
        assert november.context["ledger"].closing == D("159")


def test_the_printed_statement_names_the_shop_and_the_excel_ties_out(owner_client, kid):
    ShopProfile.objects.update_or_create(
        pk=1,
        defaults={"name": "好邻居便利店", "address": "北京路1号", "phone": "020-1234"},
    )
    with time_machine.travel(at(2026, 12, 5, 10), tick=False):
        query = {"start": "2026-11-01", "end": "2026-12-05"}
        printed = owner_client.get(
            reverse("finance:customer_statement_print", args=[kid.pk]), query
        )
        text = printed.content.decode()
        assert "好邻居便利店" in text and "020-1234" in text and "¥159.00" in text
        assert "navbar" not in text
        export = owner_client.get(
            reverse("finance:customer_statement", args=[kid.pk]),
            {**query, "format": "xlsx"},
        )
        rows = list(
            load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        )
        assert rows[-1][-1] == 159


def test_a_clerk_opens_customer_statements_never_supplier_ones(staff_client, kid):
    supplier = SupplierFactory()
    assert (
        staff_client.get(
            reverse("finance:customer_statement", args=[kid.pk])
        ).status_code
        == 200
    )
    for name in ("supplier_statement", "supplier_statement_print"):
        assert (
            staff_client.get(reverse(f"finance:{name}", args=[supplier.pk])).status_code
            == 403
        )
    for name in (
        "payables_aging",
        "profit",
        "account_list",
        "cash_list",
        "transfer_list",
    ):
        assert staff_client.get(reverse(f"finance:{name}")).status_code == 403
    assert staff_client.get(reverse("finance:receivables_aging")).status_code == 200


# --- aging ----------------------------------------------------------------------------


def test_aging_buckets_at_their_boundaries(owner_client, owner):
    apple = ProductFactory(sale_price=D("1"))
    receive(apple, "1000", "0.5", user=owner)
    kid = CustomerFactory(code="KID")
    today = date(2026, 12, 31)
    for days in (0, 30, 31, 60, 61, 90, 91, 200):
        # Late in the evening, local time: the local date decides the age.
        with time_machine.travel(
            at(2026, 12, 31, 23, 30) - timedelta(days=days), tick=False
        ):
            ship(owner, confirmed(owner, [(apple, str(days + 1))], customer=kid))
    with time_machine.travel(at(2026, 12, 31, 23, 50), tick=False):
        pay(owner, kid, "5", allocations=None)  # the oldest (201) first
        report = statements.aging(customers=True, today=today)
        (row,) = report.rows
        # 0–30: 1 + 31; 31–60: 32 + 61; 61–90: 62 + 91; over 90: 92 + (201 − 5).
        assert row.buckets == [D("32"), D("93"), D("153"), D("288")]
        assert row.prepaid == 0 and row.total == balance_of(kid) == D("566")
        owner_client.force_login(owner)  # the session of the real today has expired
        page = owner_client.get(reverse("finance:receivables_aging"))
        assert page.context["report"].totals == row.buckets
        export = owner_client.get(
            reverse("finance:receivables_aging"), {"format": "xlsx"}
        )
        rows = list(
            load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        )
        assert rows[-1][-1] == 566


def test_aging_shows_prepayments_apart_and_payables_for_the_owner(owner_client, owner):
    kid = CustomerFactory(code="KID")
    pay(owner, kid, "50")
    report = statements.aging(customers=True)
    (row,) = report.rows
    assert row.buckets == [0, 0, 0, 0] and row.prepaid == D("-50")
    assert row.total == balance_of(kid) == D("-50")
    assert owner_client.get(reverse("finance:payables_aging")).status_code == 200


# --- profit ---------------------------------------------------------------------------


def test_profit_per_month_against_hand_computed_figures(owner_client, owner):
    apple = ProductFactory(sale_price=D("10"))
    receive(apple, "100", "4", user=owner)
    deposit(owner, account("现金"), "10000")
    with time_machine.travel(at(2026, 10, 31, 23, 30), tick=False):
        # October: 10 × ¥10 sold at a cost of ¥4 each; rent ¥30.
        shipment = ship(owner, confirmed(owner, [(apple, "10")]))
        expense(owner, "30")
    with time_machine.travel(at(2026, 11, 1, 0, 5), tick=False):
        # November: 5 sold (¥50, cost ¥20), 2 of October's back (−¥20, cost −¥8),
        # wages ¥15, other income ¥7, and an expense that is cancelled.
        ship(owner, confirmed(owner, [(apple, "5")]))
        line = shipment.lines.get()
        sales_services.sales_return_post(
            shipment=shipment,
            quantities={line.pk: D("2")},
            reason="坏了",
            occurred_at=timezone.now(),
            user=owner,
        )
        expense(owner, "15", name="工资")
        expense(owner, "7", name="其他收入")
        wrong = expense(owner, "99", name="杂费")
        cashbook.cash_cancel(entry=wrong, user=owner, reason="记错")
    months = statements.profit(first=date(2026, 10, 1), last=date(2026, 11, 1))
    october, november = months
    assert (october.sales, october.cost, october.gross) == (D("100"), D("40"), D("60"))
    assert (october.expense, october.net) == (D("30"), D("30"))
    assert (november.sales, november.cost, november.gross) == (
        D("30"),
        D("12"),
        D("18"),
    )
    assert (november.income, november.expense, november.net) == (
        D("7"),
        D("15"),
        D("10"),
    )
    with time_machine.travel(at(2026, 11, 15, 12), tick=False):
        owner_client.force_login(owner)
        page = owner_client.get(reverse("finance:profit"))
        assert page.context["totals"].net == D("40")
        assert len(page.context["months"]) == 12
        assert "<svg" in page.content.decode()
        export = owner_client.get(reverse("finance:profit"), {"format": "xlsx"})
        rows = list(
            load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        )
        assert rows[-1][-1] == 40


# --- pages ----------------------------------------------------------------------------


def test_the_pages_open_and_their_query_counts_stay_put(
    owner_client, owner, kid, count_queries
):
    deposit(owner, account("现金"), "100")
    expense(owner, "10")
    cash = account("现金").pk
    pages = {
        reverse("finance:account_list"): 9,
        reverse("finance:account_journal", args=[cash]): 13,
        reverse("finance:transfer_list"): 8,
        reverse("finance:cash_list"): 12,
        reverse("finance:category_list"): 8,
        reverse("finance:customer_statement", args=[kid.pk]): 11,
        reverse("finance:customer_statement_print", args=[kid.pk]): 12,
        reverse("finance:receivables_aging"): 8,
        reverse("finance:profit"): 10,
    }
    counted = {url: count_queries(owner_client, url) for url in pages}
    assert counted == pages
