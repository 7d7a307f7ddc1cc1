"""The money ledger's proofs, for ``manage.py check_money`` and the tests.

Each function returns a list of problems (empty: the ledger holds):
- ``balance_drift``: every partner's and account's balance = Σ its entries;
- ``item_drift``: every open item's ``settled`` = Σ its allocations (so its open
  amount = amount − allocations);
- ``items_vs_balance``: every partner's balance = Σ its items not cancelled.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from finance.models import Account, Allocation, MoneyEntry, OpenItem, PartnerBalance

ZERO = Decimal("0")


def _entry_sums() -> dict[tuple[str, int], Decimal]:
    sums: dict[tuple[str, int], Decimal] = {}
    for kind in ("customer", "supplier", "account"):
        rows = (
            MoneyEntry.objects.filter(**{f"{kind}__isnull": False})
            .values_list(f"{kind}_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        sums.update({(kind, pk): total for pk, total in rows})
    return sums


def _balances() -> dict[tuple[str, int], Decimal]:
    found: dict[tuple[str, int], Decimal] = {}
    for row in PartnerBalance.objects.values_list(
        "customer_id", "supplier_id", "balance"
    ):
        customer, supplier, balance = row
        found[("customer", customer) if customer else ("supplier", supplier)] = balance
    for pk, balance in Account.objects.values_list("pk", "balance"):
        found[("account", pk)] = balance
    return found


def balance_drift() -> list[str]:
    sums, balances = _entry_sums(), _balances()
    return [
        f"{kind} {pk}: balance {balances.get((kind, pk), ZERO)} vs ledger "
        f"{sums.get((kind, pk), ZERO)}"
        for kind, pk in sorted(set(sums) | set(balances))
        if balances.get((kind, pk), ZERO) != sums.get((kind, pk), ZERO)
    ]


def item_drift() -> list[str]:
    allocated: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, total in (
        Allocation.objects.values_list("debit_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        allocated[pk] += total
    for pk, total in (
        Allocation.objects.values_list("credit_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        allocated[pk] -= total
    problems = []
    for pk, number, amount, settled in OpenItem.objects.values_list(
        "pk", "source_number", "amount", "settled"
    ).order_by("pk"):
        if settled != allocated.get(pk, ZERO):
            problems.append(
                f"item {pk} ({number}): settled {settled} vs allocations "
                f"{allocated.get(pk, ZERO)}, amount {amount}"
            )
    return problems


def items_vs_balance() -> list[str]:
    sums: dict[tuple[str, int], Decimal] = {}
    for kind in ("customer", "supplier"):
        rows = (
            OpenItem.objects.filter(cancelled=False, **{f"{kind}__isnull": False})
            .values_list(f"{kind}_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        sums.update({(kind, pk): total for pk, total in rows})
    balances = {key: value for key, value in _balances().items() if key[0] != "account"}
    return [
        f"{kind} {pk}: balance {balances.get((kind, pk), ZERO)} vs open items "
        f"{sums.get((kind, pk), ZERO)}"
        for kind, pk in sorted(set(sums) | set(balances))
        if balances.get((kind, pk), ZERO) != sums.get((kind, pk), ZERO)
    ]


def money_problems() -> list[str]:
    return balance_drift() + item_drift() + items_vs_balance()
