"""The money ledger (往来账 and 资金账户), the same discipline as stock.

- :class:`MoneyEntry` is the append-only ledger. Every entry belongs to exactly
  one *holder*: a customer, a supplier or a money account. Its ``amount`` is
  signed and ``balance_after`` is the holder's balance right after it.
- :class:`PartnerBalance` (one row per customer or supplier) and
  ``Account.balance`` are the balances beside the ledger, written only by
  ``finance.services`` in the transaction that writes the entries, under ordered
  row locks. ``manage.py check_money`` proves balance = Σ entries.
- Signs. A customer's balance is what the customer owes the shop (应收; below
  zero: paid in advance, 预收). A supplier's balance is what the shop owes the
  supplier (应付; below zero: paid in advance, 预付). An account's balance is the
  money in it; it never goes below zero unless the owner allows overdraft on
  that account (a CHECK in the database).
- :class:`OpenItem` is a receivable or payable per document (a shipment, a
  counter sale on account, a receipt, a return) or a payment's credit: a signed
  ``amount`` (positive: the partner owes / is owed that; negative: a credit —
  a return, a payment, a prepayment) and how much of it is ``settled``.
  :class:`Allocation` rows pair a debit item with a credit item (payment ↔
  document); ``settled`` = Σ allocations, and the open amount is ``amount −
  settled``. An open credit is a prepayment (预收 / 预付) that later documents of
  the partner consume. Σ amounts of a partner's items that are not cancelled =
  its balance.
- :class:`Payment` is the 收款单 (customer) / 付款单 (supplier) document.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Customer, Supplier
from jxc.models import (
    POSTED_CHOICES,
    AppendOnly,
    Cancellable,
    DocumentStatus,
    NumberedDocument,
    money_field,
    record_page,
)


def _one_of(*fields) -> Q:
    """Exactly one of ``fields`` is set."""
    condition = Q()
    for field in fields:
        others = [other for other in fields if other != field]
        term = Q(**{f"{field}__isnull": False})
        for other in others:
            term &= Q(**{f"{other}__isnull": True})
        condition |= term
    return condition


class AccountKind(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank")
    WECHAT = "wechat", _("WeChat")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class Account(models.Model):
    """资金账户: where the shop's money is (the till, a bank account, WeChat …).

    ``balance`` is written only by finance.services (never by a form: forms save
    with ``update_fields`` that leave it out). ``payment_method`` maps a counter
    payment method (sales.PaymentMethod: cash, wechat, alipay, card) to this
    account; each method to at most one account.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=AccountKind.choices, default=AccountKind.CASH
    )
    payment_method = models.CharField(
        _("counter payment method"),
        max_length=10,
        blank=True,
        help_text=_("Counter payments by this method go into this account."),
    )
    allow_overdraft = models.BooleanField(
        _("may go below zero"),
        default=False,
        help_text=_("Only the owner decides: e.g. a bank account with credit."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    balance = money_field(_("balance"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("money account")
        verbose_name_plural = _("money accounts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(allow_overdraft=True),
                name="finance_account_not_below_zero",
            ),
            models.UniqueConstraint(
                fields=["payment_method"],
                condition=~Q(payment_method=""),
                name="finance_account_method_once",
            ),
        ]

    def __str__(self):
        return self.name


class PartnerBalance(models.Model):
    """What one customer owes (or one supplier is owed): Σ its entries.

    Written only by finance.services, in the transaction that writes the entries;
    its row lock also guards the partner's open items and allocations.
    """

    customer = models.OneToOneField(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="money_balance",
        verbose_name=_("customer"),
    )
    supplier = models.OneToOneField(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="money_balance",
        verbose_name=_("supplier"),
    )
    balance = money_field(_("balance"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner balance")
        verbose_name_plural = _("partner balances")
        constraints = [
            models.CheckConstraint(
                condition=_one_of("customer", "supplier"),
                name="finance_balance_one_partner",
            )
        ]

    def __str__(self):
        return f"{self.customer_id or self.supplier_id}: {self.balance}"


class EntryKind(models.TextChoices):
    OPENING = "opening", _("Opening balance")
    SHIPMENT = "shipment", _("Sale")
    SALES_RETURN = "sales_return", _("Sales return")
    RECEIPT = "receipt", _("Purchase")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    # Money received from a customer or paid to a supplier (a payment document,
    # or paid as a document posted), and money given back for a return.
    COLLECTED = "collected", _("Money received")
    PAID = "paid", _("Money paid")
    REFUND = "refund", _("Refund")
    TRANSFER = "transfer", _("Transfer")
    INCOME = "income", _("Other income")
    EXPENSE = "expense", _("Expense")
    ADJUSTMENT = "adjustment", _("Adjustment")


class SourceFields(models.Model):
    """The document a row comes from (content type + id + number for display)."""

    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document type"),
        db_index=False,
    )
    source_id = models.PositiveBigIntegerField(_("document id"), null=True, blank=True)
    source_number = models.CharField(_("document number"), max_length=40, blank=True)

    class Meta:
        abstract = True

    @property
    def source_url(self) -> str:
        """The page of the document ("" for none)."""
        return record_page(self.source_type, self.source_id)


class MoneyEntry(AppendOnly, SourceFields):
    """One line of the money ledger: a signed change of one holder's balance.
    Append-only: a mistake is corrected by a reversing entry."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        db_index=False,
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
        db_index=False,
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("account"),
        db_index=False,
    )
    amount = money_field(_("amount"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    is_reversal = models.BooleanField(_("reversal"), default=False)
    occurred_at = models.DateTimeField(_("date"))
    balance_after = money_field(_("balance after"))
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    append_only_message = (
        "Money entries are append-only: post a reversing entry instead."
    )

    class Meta:
        verbose_name = _("money entry")
        verbose_name_plural = _("money entries")
        constraints = [
            models.CheckConstraint(
                condition=_one_of("customer", "supplier", "account"),
                name="finance_entry_one_holder",
            ),
            models.CheckConstraint(
                condition=~Q(amount=0), name="finance_entry_amount_not_zero"
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "occurred_at", "id"],
                name="finance_entry_customer",
                condition=Q(customer__isnull=False),
            ),
            models.Index(
                fields=["supplier", "occurred_at", "id"],
                name="finance_entry_supplier",
                condition=Q(supplier__isnull=False),
            ),
            models.Index(
                fields=["account", "occurred_at", "id"],
                name="finance_entry_account",
                condition=Q(account__isnull=False),
            ),
            models.Index(
                fields=["source_type", "source_id"], name="finance_entry_source"
            ),
            models.Index(fields=["occurred_at"], name="finance_entry_time"),
        ]

    def __str__(self):
        holder = (
            f"c{self.customer_id}"
            if self.customer_id
            else f"s{self.supplier_id}"
            if self.supplier_id
            else f"a{self.account_id}"
        )
        return f"{self.kind} {holder} {self.amount}"


class ItemKind(models.TextChoices):
    OPENING = "opening", _("Opening balance")
    SHIPMENT = "shipment", _("Sale")
    SALES_RETURN = "sales_return", _("Sales return")
    RECEIPT = "receipt", _("Purchase")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    # What was paid on a document as it posted (本次收款 / 本次付款, counter rows).
    SETTLEMENT = "settlement", _("Paid at posting")
    PAYMENT = "payment", _("Payment")


class OpenItem(SourceFields):
    """A receivable or payable of one document, or a payment's credit.

    ``amount`` is signed like the partner's balance (positive: owed; negative: a
    credit). ``settled`` (same sign, never beyond ``amount``) = Σ its
    allocations. A cancelled document's items are settled back to zero and
    marked ``cancelled``. Changed only by finance.services under the partner's
    PartnerBalance row lock.
    """

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
        db_index=False,
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    occurred_at = models.DateTimeField(_("date"))
    amount = money_field(_("amount"))
    settled = money_field(_("settled"), default=0)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # Not cancelled and not settled in full (kept by finance.services; a CHECK
    # holds it to the other fields): the partner's open items are read from a
    # partial index however many settled ones it has.
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_one_of("customer", "supplier"),
                name="finance_item_one_partner",
            ),
            models.CheckConstraint(
                condition=(
                    Q(amount__gt=0)
                    & Q(settled__gte=0)
                    & Q(settled__lte=models.F("amount"))
                )
                | (
                    Q(amount__lt=0)
                    & Q(settled__lte=0)
                    & Q(settled__gte=models.F("amount"))
                ),
                name="finance_item_settled_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=False) | Q(settled=0),
                name="finance_item_cancelled_unsettled",
            ),
            models.CheckConstraint(
                condition=(
                    Q(is_open=True)
                    & Q(cancelled=False)
                    & ~Q(settled=models.F("amount"))
                )
                | (
                    Q(is_open=False)
                    & (Q(cancelled=True) | Q(settled=models.F("amount")))
                ),
                name="finance_item_is_open",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "kind"],
                name="finance_item_source_kind_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "occurred_at", "id"],
                name="finance_item_customer",
                condition=Q(customer__isnull=False),
            ),
            models.Index(
                fields=["supplier", "occurred_at", "id"],
                name="finance_item_supplier",
                condition=Q(supplier__isnull=False),
            ),
            models.Index(
                fields=["customer", "supplier", "occurred_at", "id"],
                name="finance_item_open",
                condition=Q(is_open=True),
            ),
        ]

    def __str__(self):
        return f"{self.source_number or self.kind}: {self.amount} ({self.settled})"

    @property
    def open_amount(self):
        return self.amount - self.settled

    def refresh_open(self) -> None:
        self.is_open = not self.cancelled and self.settled != self.amount


class Allocation(AppendOnly):
    """核销: ``amount`` of a credit item (a payment, a return) settles a debit item
    (a document). A reversal is a row with the negative amount."""

    debit = models.ForeignKey(
        OpenItem,
        on_delete=models.PROTECT,
        related_name="debit_allocations",
        verbose_name=_("document"),
    )
    credit = models.ForeignKey(
        OpenItem,
        on_delete=models.PROTECT,
        related_name="credit_allocations",
        verbose_name=_("payment"),
    )
    amount = money_field(_("amount"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    append_only_message = "Allocations are append-only: add a reversing allocation."

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="finance_allocation_not_zero"
            ),
        ]

    def __str__(self):
        return f"{self.credit_id} → {self.debit_id}: {self.amount}"


class Payment(NumberedDocument, Cancellable):
    """收款单 (from a customer) / 付款单 (to a supplier): money into or out of an
    account, allocated against the partner's open documents; what is left is a
    prepayment (预收 / 预付). Posted when saved; cancelled by reversal."""

    detail_url_name = "finance:payment_detail"

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    amount = money_field(_("amount"))
    occurred_at = models.DateTimeField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=POSTED_CHOICES,
        default=DocumentStatus.POSTED,
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_one_of("customer", "supplier"),
                name="finance_payment_one_partner",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="finance_payment_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_at"], name="finance_payment_time"),
        ]
        permissions = [
            ("collect_payment", _("Can record customer payments")),
            ("pay_supplier", _("Can record supplier payments")),
            ("cancel_payment", _("Can cancel payments")),
            ("view_receivables", _("Can see what customers owe")),
            ("view_payables", _("Can see what the shop owes suppliers")),
            ("approve_credit", _("Can approve a sale over a customer's credit limit")),
            ("view_profit", _("Can see profit")),
        ]

    @property
    def partner(self):
        return self.customer if self.customer_id else self.supplier

    @property
    def is_collection(self) -> bool:
        """收款 (from a customer) rather than 付款 (to a supplier)."""
        return self.customer_id is not None


# --- the cash book: transfers between accounts, 日常收支 (f2) -------------------------


class Transfer(NumberedDocument, Cancellable):
    """资金调拨: money moved from one account to another (cash to the bank). One
    document, two ledger entries (out of ``from_account``, into ``to_account``);
    cancelled by reversal."""

    detail_url_name = "finance:transfer_detail"

    from_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from account"),
    )
    to_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to account"),
    )
    amount = money_field(_("amount"))
    occurred_at = models.DateTimeField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=POSTED_CHOICES,
        default=DocumentStatus.POSTED,
    )

    class Meta:
        verbose_name = _("account transfer")
        verbose_name_plural = _("account transfers")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="finance_transfer_positive"
            ),
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")),
                name="finance_transfer_two_accounts",
            ),
        ]
        permissions = [
            (
                "manage_money",
                _("Can move money between accounts and record income and expenses"),
            ),
        ]


class CashDirection(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class CashCategory(models.Model):
    """A kind of other income or expense (房租, 工资, 水电 …), managed by the owner."""

    name = models.CharField(_("name"), max_length=40)
    direction = models.CharField(
        _("income or expense"), max_length=10, choices=CashDirection.choices
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("income or expense category")
        verbose_name_plural = _("income and expense categories")
        ordering = ["direction", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "name"], name="finance_cash_category_once"
            )
        ]

    def __str__(self):
        return self.name


class CashEntry(NumberedDocument, Cancellable):
    """日常收支: other income into an account or an expense paid from one (rent,
    wages, utilities). ``amount`` is positive; the direction is the category's.
    Posted when saved; cancelled by reversal."""

    detail_url_name = "finance:cash_detail"

    category = models.ForeignKey(
        CashCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    direction = models.CharField(
        _("income or expense"), max_length=10, choices=CashDirection.choices
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    amount = money_field(_("amount"))
    occurred_at = models.DateTimeField(_("date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=POSTED_CHOICES,
        default=DocumentStatus.POSTED,
    )
    # Posted by the counter (cash paid out of the drawer, a shift close's over /
    # short): part of a shift's figures, so never cancelled on its own here.
    from_counter = models.BooleanField(_("from the counter"), default=False)

    class Meta:
        verbose_name = _("income or expense")
        verbose_name_plural = _("income and expenses")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="finance_cash_entry_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_at"], name="finance_cash_entry_time"),
        ]

    @property
    def is_income(self) -> bool:
        return self.direction == CashDirection.INCOME

    @property
    def signed_amount(self):
        return self.amount if self.is_income else -self.amount
